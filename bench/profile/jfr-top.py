#!/usr/bin/env python3
"""Top frames of a JFR recording's execution samples, for bench/README.md.

    jfr print --events jdk.ExecutionSample --stack-depth 96 rec.jfr | python3 bench/profile/jfr-top.py [N]

Prints the N (default 25) methods with the most samples on top of the stack ("self"), and the
share of samples whose stack passes through each of a few areas ("total"): the request log,
logging, metrics, tracing, the quota's token estimate, JSON, and Switchboard's code as a whole.
"""
import collections
import re
import sys

N = int(sys.argv[1]) if len(sys.argv) > 1 else 25
AREAS = [
    ("request log (RequestLog)", r"dev\.switchboard\.observe\.RequestLog"),
    ("logging (logback/slf4j)", r"^(ch\.qos\.logback|org\.slf4j)"),
    ("metrics (Micrometer)", r"^io\.micrometer\.core"),
    ("tracing (Micrometer Tracing, Brave)", r"^(io\.micrometer\.tracing|brave\.)"),
    ("quota token estimate (TokenEstimator, jtokkit)", r"(dev\.switchboard\.quota\.TokenEstimator|com\.knuddels\.jtokkit)"),
    ("JSON (Jackson)", r"^tools\.jackson"),
    ("Switchboard code (dev.switchboard)", r"^dev\.switchboard"),
    ("Spring Cloud Gateway", r"^org\.springframework\.cloud\.gateway"),
    ("Reactor Netty / Netty", r"^(reactor\.netty|io\.netty)"),
]

samples = 0
top = collections.Counter()
areas = collections.Counter()
frames = None
for line in sys.stdin:
    line = line.strip()
    if line.startswith("stackTrace = ["):
        frames = []
    elif frames is not None:
        if line.startswith("]"):
            if frames:
                samples += 1
                top[frames[0]] += 1
                for name, pattern in AREAS:
                    if any(re.search(pattern, f) for f in frames):
                        areas[name] += 1
            frames = None
        elif line and not line.startswith("..."):
            frames.append(re.sub(r"\s+line:.*$", "", line))

print(f"{samples} samples\n")
print("| self | method |\n| --: | --- |")
for method, count in top.most_common(N):
    print(f"| {100 * count / max(samples, 1):.1f} % | `{method}` |")
print("\n| total | area |\n| --: | --- |")
for name, _ in AREAS:
    print(f"| {100 * areas[name] / max(samples, 1):.1f} % | {name} |")
