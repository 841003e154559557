#!/usr/bin/env bash
# Profiles the as-shipped gateway (profile bench-shipped, the sample's own JVM options) under the
# benchmark's load with JFR, and prints the top frames and areas (jfr-top.py).
#
#   bash bench/profile/shipped.sh            # JSON, 32 connections
#   STREAM=1 bash bench/profile/shipped.sh   # streams
#
# Uses the jars bench/run.sh builds (run it once, or `mvn -o -B -q -DskipTests package -pl
# sample-gateway,bench -am`). WARM (s, default 120) of load before RECORD (s, default 30) recorded.
# The recording and the printed summary stay in bench/results/ (git-ignored).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
WARM=${WARM:-120}
RECORD=${RECORD:-30}
CONNECTIONS=${CONNECTIONS:-32}
STREAM=${STREAM:-0}
RESULTS=bench/results
mkdir -p "$RESULTS"
JARS=$(mktemp -d)
cp sample-gateway/target/switchboard-sample-gateway-0.1.0-SNAPSHOT.jar "$JARS/gateway.jar"
mkdir "$JARS/bench" && cp bench/target/switchboard-bench-0.1.0-SNAPSHOT.jar bench/target/lib/*.jar "$JARS/bench/"
CP="$JARS/bench/*"
OPTS=$(sed -n 's#.*<sample.jvm.options>\(.*\)</sample.jvm.options>.*#\1#p' sample-gateway/pom.xml)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$JARS"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

java -Xmx512m -cp "$CP" dev.switchboard.mock.MockLlmServer 0 0 20000 >"$RESULTS/profile-stub.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q 'listening on' "$RESULTS/profile-stub.log" && break; sleep 0.2; done
STUB_PORT=$(sed -n 's#.*http://127\.0\.0\.1:\([0-9]*\)/v1.*#\1#p' "$RESULTS/profile-stub.log")
PORT=$(free_port)
# shellcheck disable=SC2086 # OPTS holds several JVM options
BENCH_UPSTREAM="http://127.0.0.1:$STUB_PORT" java $OPTS -jar "$JARS/gateway.jar" \
  --spring.profiles.active=bench-shipped --server.port="$PORT" --management.server.port="$(free_port)" \
  >"$RESULTS/profile-gateway.log" 2>&1 &
GW=$!
pids+=("$GW")
URL="http://127.0.0.1:$PORT/v1/chat/completions"
for _ in $(seq 300); do
  curl -fsS -o /dev/null --max-time 5 -H 'Content-Type: application/json' -H 'Authorization: Bearer sb-demo-key' \
    -d '{"model":"echo-small","messages":[{"role":"user","content":"hello"}]}' "$URL" 2>/dev/null && break
  sleep 0.2
done
flags=()
[[ $STREAM == 1 ]] && flags=(--stream)
run() { java -Xmx256m -cp "$CP" dev.switchboard.bench.LoadGenerator --target shipped --url "$URL" \
  --scenario profile --connections "$CONNECTIONS" --watch-pid "$GW" "${flags[@]}" --warmup 0 --measure "$1"; }
run "$WARM" >/dev/null
REC=$RESULTS/profile-$([[ $STREAM == 1 ]] && echo stream || echo json).jfr
jcmd "$GW" JFR.start name=p settings=profile filename="$ROOT/$REC" >/dev/null
run "$RECORD" | tee "$RESULTS/profile-load.json"
jcmd "$GW" JFR.stop name=p >/dev/null
jfr print --events jdk.ExecutionSample --stack-depth 96 "$REC" | python3 bench/profile/jfr-top.py 40 \
  | tee "${REC%.jfr}.txt"
