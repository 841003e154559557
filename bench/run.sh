#!/usr/bin/env bash
# Switchboard benchmark: the direct stub, the plain Spring Cloud Gateway route and the Switchboard
# route, side by side in one run. See bench/README.md.
#
# Environment (all optional):
#   QUICK=1          smoke run: 2 s warm-up + 2 s measured per run (default 5 s + 15 s), and
#                    2 s instead of 10 s for each of the gateway's four initial warm-up loads
#   WARMUP, MEASURE, GATEWAY_WARMUP, CASE_WARMUP   seconds, overriding the above (CASE_WARMUP: the
#                    warm-up loads of the quota, cache, translation and observability cases)
#   CONNECTIONS      the loaded case's connection count (default 32; the other case is 1)
#   SMALL_TOKENS, LARGE_TOKENS   streamed response lengths of the memory check (16, 20000)
#   GATEWAY_OPTS     JVM options of the gateway (default -Xmx256m)
#   SKIP_BUILD=1     reuse the jars already built
#   MVN_FLAGS        extra Maven options of the build, e.g. -o to build offline
#   CASES            comma-separated groups to run (default all): shipped (the sample's own
#                    configuration and JVM defaults, beside a plain route: SHIPPED_ROUNDS rounds, default 3;
#                    then TimerBench, a request timer on Reactor's executor vs the timing wheel),
#                    core (json, stream, memory),
#                    failover, translation, observability, quota (LlmQuota on Redis vs none),
#                    cache (exact and semantic hits vs a provider call, semantic lookup vs store size),
#                    live (binding a configuration version per request, file change to serving),
#                    doors (the Anthropic Messages and OpenAI Responses doors vs the chat completions door, same provider:
#                    DOOR_ROUNDS rounds, default 3),
#                    compare (a 4-leg /v1/compare vs one chat completion of the same model and stub:
#                    COMPARE_ROUNDS rounds, default 3),
#                    guard (the regex guardrails on a 4 kB prompt and answer, in process: GuardrailBench),
#                    quality (the semantic cache's precision and recall per model and threshold on the
#                    labelled pairs, in process: SemanticQualityBench)
#   TRANSLATION_TOKENS   streamed response length of the translation and doors cases (default 1000)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

if [[ "${QUICK:-0}" == 1 ]]; then
  WARMUP=${WARMUP:-2} MEASURE=${MEASURE:-2} GATEWAY_WARMUP=${GATEWAY_WARMUP:-2} CASE_WARMUP=${CASE_WARMUP:-2}
else
  # 60 s per initial load: on 2 shared cores the JIT is still compiling Switchboard's path after 20 s.
  WARMUP=${WARMUP:-5} MEASURE=${MEASURE:-15} GATEWAY_WARMUP=${GATEWAY_WARMUP:-60} CASE_WARMUP=${CASE_WARMUP:-20}
fi
CONNECTIONS=${CONNECTIONS:-32}
SMALL_TOKENS=${SMALL_TOKENS:-16}
LARGE_TOKENS=${LARGE_TOKENS:-20000}
GATEWAY_OPTS=${GATEWAY_OPTS:--Xmx256m}
CASES=${CASES:-shipped,core,failover,translation,doors,compare,observability,quota,cache,live,guard,quality}
SHIPPED_ROUNDS=${SHIPPED_ROUNDS:-3}
DOOR_ROUNDS=${DOOR_ROUNDS:-3}
COMPARE_ROUNDS=${COMPARE_ROUNDS:-3}
# The as-shipped gateway runs with the sample's own JVM defaults, read from where they are set.
SHIPPED_OPTS=$(sed -n 's#.*<sample.jvm.options>\(.*\)</sample.jvm.options>.*#\1#p' "$ROOT/sample-gateway/pom.xml")
[[ -n $SHIPPED_OPTS ]] || { echo "bench: sample.jvm.options not found in sample-gateway/pom.xml" >&2; exit 1; }
TRANSLATION_TOKENS=${TRANSLATION_TOKENS:-1000}

RESULTS=bench/results
JSONL=$RESULTS/latest.jsonl
BUILT_GATEWAY_JAR=sample-gateway/target/switchboard-sample-gateway-0.1.0-SNAPSHOT.jar
# Everything runs from a private copy of the jars: a build in this checkout while the benchmark
# runs would otherwise replace classes under the running JVMs.
JARS=$(mktemp -d)
GATEWAY_JAR=$JARS/gateway.jar
BENCH_CP="$JARS/bench/*"
# Every target gets the same body. echo-small makes the stub answer "hello" as one token; the
# alias "fast" would not do, since the stub only echoes for model names containing "echo".
BODY='{"model":"echo-small","messages":[{"role":"user","content":"hello"}]}'

pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$JARS"
}
trap cleanup EXIT

fail() {
  echo "bench: $*" >&2
  exit 1
}

# A free loopback port for the gateway (the stub binds port 0 itself and prints its port).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_until NAME PID LOG COMMAND...: polls COMMAND for 60 s while process PID stays alive.
wait_until() {
  local name=$1 pid=$2 log=$3
  shift 3
  for _ in $(seq 300); do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { tail -n 40 "$log" >&2; fail "$name exited during startup"; }
    sleep 0.2
  done
  tail -n 40 "$log" >&2
  fail "$name did not become ready within 60 s"
}

post() { # post URL BODY: fails unless the answer is 2xx
  curl -fsS -o /dev/null --max-time 10 -H 'Content-Type: application/json' \
    -H 'Authorization: Bearer sb-demo-key' -d "$2" "$1"
}

rss_mb() {
  awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"
}

# start_quota_redis: redis-server from the embedded-redis jar (as the tests use it) on a free port.
start_quota_redis() {
  local jar binary
  jar=$(find "${HOME}/.m2/repository/com/github/codemonstur/embedded-redis" -name 'embedded-redis-*.jar' | sort | tail -n 1)
  [[ -n $jar ]] || fail "embedded-redis jar not found in ~/.m2 (build the tests once)"
  binary=$(unzip -Z1 "$jar" | grep -E '^redis-server-.*-linux-amd64$' | sort | tail -n 1)
  unzip -q -o "$jar" "$binary" -d "$JARS" && chmod +x "$JARS/$binary"
  REDIS_PORT=$(free_port)
  "$JARS/$binary" --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >"$RESULTS/redis.log" 2>&1 &
  pids+=("$!")
  export BENCH_REDIS="redis://127.0.0.1:$REDIS_PORT"
  wait_until redis "$!" "$RESULTS/redis.log" redis_info stats
}

# redis_info SECTION: INFO of the benchmark's Redis, over a plain socket (no redis-cli needed).
redis_info() {
  python3 - "$REDIS_PORT" "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(("INFO %s\r\n" % sys.argv[2]).encode())
data = b""
while True:
    data += s.recv(65536)
    head, _, rest = data.partition(b"\r\n")
    if head.startswith(b"$") and len(rest) >= int(head[1:]):
        print(rest[:int(head[1:])].decode())
        break
PY
}

# redis_calls: EVAL + EVALSHA calls so far (what a gateway sends; commands run inside scripts are
# counted apart, as inner commands).
redis_calls() {
  redis_info commandstats | python3 -c '
import sys
calls = {}
for line in sys.stdin:
    if line.startswith("cmdstat_"):
        name, _, stats = line.strip().partition(":")
        calls[name[8:]] = int(dict(kv.split("=") for kv in stats.split(","))["calls"])
scripts = calls.get("eval", 0) + calls.get("evalsha", 0)
inner = sum(v for k, v in calls.items() if k in ("hgetall", "hset", "pexpire", "set", "hincrby"))
print(scripts, inner)'
}

run_quota_cases() {
  URLS[quota]="http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions?bench-quota=1"
  post "${URLS[quota]}" "$BODY" || fail "quota (${URLS[quota]}) does not answer 2xx"
  generate quota warm-up "$CONNECTIONS" --warmup 0 --measure "$CASE_WARMUP" >/dev/null
  # Latency: the same route without and with the quota filter, interleaved, at 1 and N connections.
  local connections
  for connections in 1 "$CONNECTIONS"; do
    load switchboard quota-off "$connections"
    load quota quota-on "$connections"
  done
  # Redis commands per request: EVAL/EVALSHA calls around a run of known request count, one
  # connection so that at most one request is in flight when it ends.
  local before after line
  read -r -a before <<<"$(redis_calls)"
  line=$(generate quota quota-count 1 --warmup 0 --measure "$MEASURE")
  sleep 1 # the last settlement runs after its response
  read -r -a after <<<"$(redis_calls)"
  echo "$line" >>"$JSONL"
  python3 - "$JSONL" "$line" "${before[0]}" "${after[0]}" "${before[1]}" "${after[1]}" >"$RESULTS/quota.md" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
count = json.loads(sys.argv[2])
scripts = int(sys.argv[4]) - int(sys.argv[3])
inner = int(sys.argv[6]) - int(sys.argv[5])
print("### Quota on Redis (LlmQuota) vs no quota filter")
print()
print("| connections | p50 without | p50 with | added p50 | p99 without | p99 with | req/s without | req/s with |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for c in sorted({r["connections"] for r in rows if r["scenario"] == "quota-on"}):
    off = next(r for r in rows if r["scenario"] == "quota-off" and r["connections"] == c)
    on = next(r for r in rows if r["scenario"] == "quota-on" and r["connections"] == c)
    print("| %d | %.2f ms | %.2f ms | **%+.2f ms** | %.2f ms | %.2f ms | %.0f | %.0f |" % (c, off["p50Ms"], on["p50Ms"],
          on["p50Ms"] - off["p50Ms"], off["p99Ms"], on["p99Ms"], off["throughput"], on["throughput"]))
print()
n = count["requests"] + count["errors"]
print("Redis round trips (EVAL + EVALSHA) per request: **%.2f** (%d over %d requests); commands run inside"
      " those scripts: %.1f per request." % (scripts / n if n else float("nan"), scripts, n, inner / n if n else float("nan")))
PY
  # The burst queue: its cost when nothing waits, and the rate it admits a burst at (own JVM, in memory).
  java -Xmx256m -cp "$BENCH_CP" dev.switchboard.bench.BurstQueueBench 2>/dev/null >>"$RESULTS/quota.md"
}

# Cache: the same route with LlmCache (both tiers, in memory), selected by ?bench-cache. A provider
# call (cache-off, the plain LLM route), an exact hit (the same question again) and a semantic hit (a
# paraphrase of a stored question: embedded and searched every time, since hits are not stored).
run_cache_cases() {
  URLS[cache]="http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions?bench-cache=1"
  local stored='{"model":"echo-small","messages":[{"role":"user","content":"How do I reset my password?"}]}'
  post "${URLS[cache]}" "$BODY" || fail "cache (${URLS[cache]}) does not answer 2xx"
  post "${URLS[cache]}" "$stored" || fail "cache (${URLS[cache]}) does not answer 2xx"
  sleep 1 # indexed just after the answer is sent
  generate cache warm-up 1 --warmup 0 --measure "$CASE_WARMUP" --prompt "How can I reset my password?" >/dev/null
  local connections
  for connections in 1 "$CONNECTIONS"; do
    load switchboard cache-off "$connections"
    load cache cache-exact "$connections"
    load cache cache-semantic "$connections" --prompt "How can I reset my password?"
  done
  python3 - "$JSONL" >"$RESULTS/cache.md" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print("### Cache hits vs a provider call (LlmCache, memory store, in-process embeddings)")
print()
print("| connections | provider call p50 | exact hit p50 | semantic hit p50 | exact hit p99 | semantic hit p99 | req/s call / exact / semantic |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for c in sorted({r["connections"] for r in rows if r["scenario"] == "cache-exact"}):
    get = lambda s: next(r for r in rows if r["scenario"] == s and r["connections"] == c)
    off, exact, sem = get("cache-off"), get("cache-exact"), get("cache-semantic")
    print("| %d | %.2f ms | **%.2f ms** | **%.2f ms** | %.2f ms | %.2f ms | %.0f / %.0f / %.0f |" % (c, off["p50Ms"],
          exact["p50Ms"], sem["p50Ms"], exact["p99Ms"], sem["p99Ms"], off["throughput"], exact["throughput"],
          sem["throughput"]))
print()
errors = sum(r["errors"] for r in rows if r["scenario"].startswith("cache-"))
print("Errors in the cache runs: %d. The provider is the instant stub: against a real model, a hit saves the model's whole latency." % errors)
PY
  # Semantic lookup time as the store grows, in its own JVM (synthetic vectors, real embedder).
  java -Xmx1g -cp "$BENCH_CP" dev.switchboard.bench.SemanticLookupBench 2>/dev/null >>"$RESULTS/cache.md"
}

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "bench: building" >&2
  # Without this, an unchanged sample module keeps its old repackaged jar, with stale libraries inside.
  rm -f sample-gateway/target/*.jar sample-gateway/target/*.jar.original
  # package, not install: the jars are taken from the target directories, and nothing in the
  # local Maven repository (which other checkouts may share) is replaced.
  # shellcheck disable=SC2086 # MVN_FLAGS holds several options
  mvn -q -B ${MVN_FLAGS:-} -DskipTests package -pl sample-gateway,bench -am
fi
[[ -f $BUILT_GATEWAY_JAR ]] || fail "$BUILT_GATEWAY_JAR is missing (run without SKIP_BUILD=1)"
cp "$BUILT_GATEWAY_JAR" "$GATEWAY_JAR"
mkdir "$JARS/bench"
cp bench/target/switchboard-bench-0.1.0-SNAPSHOT.jar bench/target/lib/*.jar "$JARS/bench/"
mkdir -p "$RESULTS"
: >"$JSONL"

# The stub: instant answers, streamed as fast as possible; LARGE_TOKENS is the length of generated
# (non-echo) answers, which the memory check cuts down per request with max_tokens.
java -Xmx512m -cp "$BENCH_CP" dev.switchboard.mock.MockLlmServer 0 0 "$LARGE_TOKENS" >"$RESULTS/stub.log" 2>&1 &
STUB_PID=$!
pids+=("$STUB_PID")
wait_until stub "$STUB_PID" "$RESULTS/stub.log" grep -q 'listening on' "$RESULTS/stub.log"
STUB_PORT=$(sed -n 's#.*http://127\.0\.0\.1:\([0-9]*\)/v1.*#\1#p' "$RESULTS/stub.log")

# start_gateway NAME PROFILES [JVM_OPTIONS]: a sample gateway on free loopback ports (its management
# port too, so that several can run), logging to $RESULTS/NAME.log; sets STARTED_PID and
# STARTED_PORT. JVM_OPTIONS default to GATEWAY_OPTS; an empty third argument means none at all.
start_gateway() {
  local name=$1 profiles=$2 opts=${3-$GATEWAY_OPTS}
  STARTED_PORT=$(free_port)
  # shellcheck disable=SC2086 # opts holds several JVM options
  BENCH_UPSTREAM="http://127.0.0.1:$STUB_PORT" java $opts -jar "$GATEWAY_JAR" \
    --spring.profiles.active="$profiles" --server.port="$STARTED_PORT" \
    --management.server.port="$(free_port)" >"$RESULTS/$name.log" 2>&1 &
  STARTED_PID=$!
  pids+=("$STARTED_PID")
}

selected() { [[ ",$CASES," == *",$1,"* ]]; }

GATEWAY_PROFILES=bench
if selected quota; then
  start_quota_redis
  GATEWAY_PROFILES=bench,bench-quota
fi
start_gateway gateway "$GATEWAY_PROFILES"
GATEWAY_PID=$STARTED_PID
GATEWAY_PORT=$STARTED_PORT

declare -A URLS=(
  [direct]="http://127.0.0.1:$STUB_PORT/v1/chat/completions"
  [plain]="http://127.0.0.1:$GATEWAY_PORT/plain/v1/chat/completions"
  [switchboard]="http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions"
  # translation: the same Switchboard route, with an OpenAI (pass-through) or Anthropic model
  [openai]="http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions"
  [anthropic]="http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions"
  # doors: the same route and model (the stub, OpenAI's format), asked by each front door
  [chat-door]="http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions"
  [messages-door]="http://127.0.0.1:$GATEWAY_PORT/v1/messages"
  [responses-door]="http://127.0.0.1:$GATEWAY_PORT/v1/responses"
  # compare: four legs of the same stub and answer as the chat completions door's one request
  [compare]="http://127.0.0.1:$GATEWAY_PORT/v1/compare"
)
# The gateway whose memory a run samples and whose death fails the run; the observability case
# points it at its own gateways.
WATCH_PID=$GATEWAY_PID
WATCH_LOG=$RESULTS/gateway.log
wait_until gateway "$GATEWAY_PID" "$RESULTS/gateway.log" post "${URLS[switchboard]}" "$BODY"
for target in direct plain switchboard; do
  post "${URLS[$target]}" "$BODY" || fail "$target (${URLS[$target]}) does not answer 2xx"
done
IDLE_RSS=$(rss_mb "$GATEWAY_PID")

# generate TARGET SCENARIO CONNECTIONS [LoadGenerator options...]: one run, one JSON line on stdout.
generate() {
  local target=$1 scenario=$2 connections=$3
  shift 3
  local watch=()
  [[ $target == direct ]] || watch=(--watch-pid "$WATCH_PID")
  echo "bench: $scenario, $connections conns, $target $*" >&2
  java -Xmx256m -cp "$BENCH_CP" dev.switchboard.bench.LoadGenerator --target "$target" \
    --url "${URLS[$target]}" --scenario "$scenario" --connections "$connections" "${watch[@]}" "$@"
  kill -0 "$WATCH_PID" 2>/dev/null || { tail -n 40 "$WATCH_LOG" >&2; fail "the gateway died"; }
}

load() { # load TARGET SCENARIO CONNECTIONS [options...]: a measured run, appended to the results
  generate "$@" --warmup "$WARMUP" --measure "$MEASURE" >>"$JSONL"
}

# Warm the gateway's JIT on both routes first: otherwise whichever target runs first pays for
# compiling the Netty and Spring code paths that both routes share. The observability case has its
# own gateways and warm-ups: run alone, it skips this one.
if [[ ",$CASES," =~ ,(core|failover|translation|doors|compare|quota|cache), ]]; then
  for target in plain switchboard; do
    generate "$target" warm-up "$CONNECTIONS" --warmup 0 --measure "$GATEWAY_WARMUP" >/dev/null
    generate "$target" warm-up "$CONNECTIONS" --stream --warmup 0 --measure "$GATEWAY_WARMUP" >/dev/null
  done
fi

core_cases() {
  # Targets interleave within each case, so that drift on the machine hits all three alike.
  local connections target tokens
  for connections in 1 "$CONNECTIONS"; do
    for target in direct plain switchboard; do load "$target" json "$connections"; done
  done
  for connections in 1 "$CONNECTIONS"; do
    for target in direct plain switchboard; do load "$target" stream "$connections" --stream; done
  done
  # Same load, responses ~1000x longer: a gateway that streams keeps its memory flat.
  for tokens in "$SMALL_TOKENS" "$LARGE_TOKENS"; do
    load switchboard memory "$CONNECTIONS" --stream --model smart --max-tokens "$tokens"
  done
}

failover_cases() {
  # The happy path with a fallback chain configured against the same model without one, then a
  # chaos run whose primary fails 30 % of calls (retry, then the fallback serves).
  load switchboard failover-off "$CONNECTIONS" --model echo-small
  load switchboard failover-on "$CONNECTIONS" --model echo-chain
  load switchboard chaos "$CONNECTIONS" --model chaos-echo
}

# Translation (#4): the same stub answers in OpenAI's format (pass-through provider, model
# echo-small / smart) or in Anthropic's (/v1/messages through the Anthropic adapter, model
# echo-anthropic / story-anthropic). One connection, so the difference is latency, not queueing.
translation_cases() {
  generate anthropic warm-up "$CONNECTIONS" --model echo-anthropic --warmup 0 --measure "$CASE_WARMUP" >/dev/null
  generate anthropic warm-up "$CONNECTIONS" --stream --model story-anthropic --max-tokens 64 \
    --warmup 0 --measure "$CASE_WARMUP" >/dev/null
  load openai translate-json 1 --model echo-small
  load anthropic translate-json 1 --model echo-anthropic
  load openai translate-stream 1 --stream --model smart --max-tokens "$TRANSLATION_TOKENS"
  load anthropic translate-stream 1 --stream --model story-anthropic --max-tokens "$TRANSLATION_TOKENS"
}

# Front doors (#16): the same provider and model asked through the chat completions door, the
# Anthropic Messages door and the OpenAI Responses door (read into the canonical request, answer
# rendered back, event by event for streams). One connection, rounds interleaved; the report gives min / median / max of the
# per-round difference, per request and per streamed event.
doors_cases() {
  local round
  generate messages-door warm-up "$CONNECTIONS" --door anthropic --warmup 0 --measure "$CASE_WARMUP" >/dev/null
  generate messages-door warm-up "$CONNECTIONS" --door anthropic --stream --model smart --max-tokens 64 \
    --warmup 0 --measure "$CASE_WARMUP" >/dev/null
  generate responses-door warm-up "$CONNECTIONS" --door responses --warmup 0 --measure "$CASE_WARMUP" >/dev/null
  generate responses-door warm-up "$CONNECTIONS" --door responses --stream --model smart --max-tokens 64 \
    --warmup 0 --measure "$CASE_WARMUP" >/dev/null
  for round in $(seq "$DOOR_ROUNDS"); do
    load chat-door door-json 1
    load messages-door door-json 1 --door anthropic
    load responses-door door-json 1 --door responses
    load chat-door door-stream 1 --stream --model smart --max-tokens "$TRANSLATION_TOKENS"
    load messages-door door-stream 1 --door anthropic --stream --model smart --max-tokens "$TRANSLATION_TOKENS"
    load responses-door door-stream 1 --door responses --stream --model smart --max-tokens "$TRANSLATION_TOKENS"
  done
}

# Comparisons (#17): a 4-leg comparison (legs in parallel, each a full request through the chain,
# cache off) against one chat completion of the same model and stub. Every leg takes as long as the
# single request, so the difference of their p50 is what the comparison adds over its slowest leg.
# One connection, rounds interleaved; the report gives min / median / max of the per-round difference.
compare_cases() {
  local round models=echo-small,echo-2,echo-3,echo-4
  generate compare warm-up "$CONNECTIONS" --door compare --model "$models" --warmup 0 --measure "$CASE_WARMUP" >/dev/null
  for round in $(seq "$COMPARE_ROUNDS"); do
    load chat-door compare-json 1 --model echo-small
    load compare compare-json 1 --door compare --model "$models"
  done
}

# Observability (#8): two more gateways, identical but for metrics, observations and tracing
# (Brave, every request sampled, spans dropped) on or off; same load, interleaved.
observability_cases() {
  local on_pid off_pid target
  start_gateway obs-on bench,bench-obs-on
  on_pid=$STARTED_PID
  URLS[obs-on]="http://127.0.0.1:$STARTED_PORT/v1/chat/completions"
  start_gateway obs-off bench,bench-obs-off
  off_pid=$STARTED_PID
  URLS[obs-off]="http://127.0.0.1:$STARTED_PORT/v1/chat/completions"
  wait_until obs-on "$on_pid" "$RESULTS/obs-on.log" post "${URLS[obs-on]}" "$BODY"
  wait_until obs-off "$off_pid" "$RESULTS/obs-off.log" post "${URLS[obs-off]}" "$BODY"
  # The instrumented gateway has more code for the JIT to compile: warm both well, alternating, or
  # the comparison measures compilation instead of instrumentation.
  local round
  for round in 1 2; do
    for target in obs-on obs-off; do
      watch_gateway "$target" "$on_pid" "$off_pid"
      generate "$target" warm-up "$CONNECTIONS" --warmup 0 --measure "$CASE_WARMUP" >/dev/null
      generate "$target" warm-up "$CONNECTIONS" --stream --warmup 0 --measure "$CASE_WARMUP" >/dev/null
    done
  done
  # Measured rounds in on, off, off, on, off, on, on, off order (drift in the machine's speed hits
  # both alike); the report averages them.
  local order=(obs-on obs-off obs-off obs-on obs-off obs-on obs-on obs-off)
  for target in "${order[@]}"; do
    watch_gateway "$target" "$on_pid" "$off_pid"
    load "$target" observability-json "$CONNECTIONS"
  done
  for target in "${order[@]}"; do
    watch_gateway "$target" "$on_pid" "$off_pid"
    load "$target" observability-stream "$CONNECTIONS" --stream
  done
  WATCH_PID=$GATEWAY_PID
  WATCH_LOG=$RESULTS/gateway.log
  kill "$on_pid" "$off_pid" 2>/dev/null || true
  wait "$on_pid" "$off_pid" 2>/dev/null || true
}

# As shipped (#23): the sample's own configuration (request log at INFO, its tracer, LlmQuota on the
# route; profile bench-shipped changes only the provider's URL and the demo team's limits) in a
# gateway of its own started with the sample's own JVM defaults (sample.jvm.options in its pom, what
# spring-boot:run uses), as a user starts it. The plain route runs
# in the same process, so their CPU per request compares like with like; the stub directly gives
# the floor. Targets interleave within each round; the report gives min / median / max of SHIPPED_ROUNDS.
shipped_cases() {
  local pid round connections target mode
  start_gateway shipped bench-shipped "$SHIPPED_OPTS"
  pid=$STARTED_PID
  URLS[shipped]="http://127.0.0.1:$STARTED_PORT/v1/chat/completions"
  URLS[shipped-plain]="http://127.0.0.1:$STARTED_PORT/plain/v1/chat/completions"
  wait_until shipped "$pid" "$RESULTS/shipped.log" post "${URLS[shipped]}" "$BODY"
  SHIPPED_IDLE_RSS=$(rss_mb "$pid")
  WATCH_PID=$pid
  WATCH_LOG=$RESULTS/shipped.log
  # The same JIT warm-up as the main gateway's: both routes, JSON and streams.
  for target in shipped-plain shipped; do
    generate "$target" warm-up "$CONNECTIONS" --warmup 0 --measure "$GATEWAY_WARMUP" >/dev/null
    generate "$target" warm-up "$CONNECTIONS" --stream --warmup 0 --measure "$GATEWAY_WARMUP" >/dev/null
  done
  for round in $(seq "$SHIPPED_ROUNDS"); do
    for mode in json stream; do
      for connections in 1 "$CONNECTIONS"; do
        for target in direct shipped-plain shipped; do
          if [[ $mode == stream ]]; then
            load "$target" shipped-stream "$connections" --stream
          else
            load "$target" shipped-json "$connections"
          fi
        done
      done
    done
  done
  SHIPPED_LOG_LINES=$(grep -c '"request_id"' "$RESULTS/shipped.log" || true)
  WATCH_PID=$GATEWAY_PID
  WATCH_LOG=$RESULTS/gateway.log
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

watch_gateway() { # watch_gateway TARGET ON_PID OFF_PID
  if [[ $1 == obs-on ]]; then WATCH_PID=$2; else WATCH_PID=$3; fi
  WATCH_LOG=$RESULTS/$1.log
}

selected shipped && shipped_cases
selected core && core_cases
selected failover && failover_cases
selected translation && translation_cases
selected doors && doors_cases
selected compare && compare_cases
selected observability && observability_cases
selected quota && run_quota_cases
selected cache && run_cache_cases
# Live configuration: a gateway in its own JVM with a watched file (LiveConfigBench).
selected live && java -Xmx256m -cp "$BENCH_CP" dev.switchboard.bench.LiveConfigBench 2>/dev/null >"$RESULTS/live.md"
# Timers: what arming and cancelling a request's deadline costs, in process (TimerBench).
selected shipped && java -Xmx256m -cp "$BENCH_CP" dev.switchboard.bench.TimerBench 2>/dev/null >"$RESULTS/timers.md"
# Guardrails: what the regex guardrails cost a request, in process (GuardrailBench).
selected guard && java -Xmx256m -cp "$BENCH_CP" dev.switchboard.bench.GuardrailBench 2>/dev/null >"$RESULTS/guard.md"
# Semantic quality: precision and recall of the semantic cache per embedding model (SemanticQualityBench).
selected quality && (cd "$ROOT" && java -Xmx1g -cp "$BENCH_CP" dev.switchboard.bench.SemanticQualityBench 2>/dev/null \
  | grep -v '^  miss' >"$RESULTS/quality.md")

{
  echo "## Switchboard benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with local changes)')," \
    "$(nproc) cores, $(java -version 2>&1 | head -n 1)"
  echo "- gateway: sample-gateway, profile bench, JVM options \`$GATEWAY_OPTS\`, RSS after startup $IDLE_RSS MB," \
    "$(grep -cE '\b(WARN|ERROR)\b' "$RESULTS/gateway.log" || true) WARN/ERROR lines in its log"
  if selected shipped; then
    echo "- as shipped: sample-gateway, profile bench-shipped, the sample's JVM options \`$SHIPPED_OPTS\`, RSS after startup $SHIPPED_IDLE_RSS MB," \
      "$SHIPPED_LOG_LINES request log lines written at INFO; warmed ${GATEWAY_WARMUP} s per route and mode," \
      "then $SHIPPED_ROUNDS rounds"
  fi
  echo "- each run: ${WARMUP} s warm-up + ${MEASURE} s measured, closed loop, one worker per connection;" \
    "stub, gateway and load generator share this machine"
  echo
  java -cp "$BENCH_CP" dev.switchboard.bench.Report "$JSONL"
  if selected shipped; then echo; cat "$RESULTS/timers.md"; fi
  if selected quota; then echo; cat "$RESULTS/quota.md"; fi
  if selected cache; then echo; cat "$RESULTS/cache.md"; fi
  if selected live; then echo; cat "$RESULTS/live.md"; fi
  if selected guard; then echo; cat "$RESULTS/guard.md"; fi
  if selected quality; then echo; cat "$RESULTS/quality.md"; fi
} | tee "$RESULTS/latest.md"
