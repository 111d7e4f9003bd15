#!/usr/bin/env bash
# Throughput side by side, in one run against one upstream stub: the stub directly, Ferry
# in its first seconds after readiness (cold) and after warming under load (warm), and
# Portkey's open-source gateway, each driven by autocannon with 64 connections.
# Usage: bench/gateways.sh [seconds per run, default 10] [connections, default 64]
# Ferry runs as the Helm chart runs it: management endpoints on their own port, its
# default warm-up before readiness. FERRY_JAVA picks the java that runs it (default: java
# on the PATH), FERRY_JAR the jar (default target/ferry.jar); FERRY_JVM_ARGS and FERRY_ARGS
# add JVM options and settings; SCENARIOS limits the runs (default "hit miss list");
# SKIP_PORTKEY=1 leaves Portkey out. With the JDK 25 ahead-of-time cache (bench/aot-cache.sh):
#   FERRY_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java FERRY_JAR=target/aot/app/ferry.jar \
#     FERRY_JVM_ARGS=-XX:AOTCache=target/aot/ferry.aot bench/gateways.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
CONNECTIONS=${2:-64}
SCENARIOS=${SCENARIOS:-hit miss list}
FERRY_JAVA=${FERRY_JAVA:-java}
FERRY_JAR=${FERRY_JAR:-target/ferry.jar}
STUB_PORT=19101
FERRY_PORT=19100
MANAGEMENT_PORT=19103
PORTKEY_PORT=19102
KEY=ferry-load-test-key-000001
export BENCH_NODE=$PWD/target/bench-node/node_modules

[ -d "$BENCH_NODE/autocannon" ] && [ -d "$BENCH_NODE/@portkey-ai/gateway" ] \
  || npm install --silent --no-audit --no-fund --prefix target/bench-node autocannon@7.15.0 @portkey-ai/gateway@1.15.2
[ -f target/ferry.jar ] || mvn -q -DskipTests package
mvn -q -Pbench -DskipTests test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
CP="target/test-classes:target/classes:$(cat target/bench.classpath)"
STORAGE=$(mktemp -d)
PIDS=()
trap 'kill ${PIDS[*]} 2>/dev/null || true; rm -rf "$STORAGE"' EXIT

java -Xmx256m -cp "$CP" dev.ferry.bench.load.UpstreamStub $STUB_PORT > target/stub.log 2>&1 &
PIDS+=($!)
until curl -sf http://127.0.0.1:$STUB_PORT/v1/batches/batch_done_1 > /dev/null; do sleep 0.05; done

drive() { node bench/drive.mjs "$@"; }

# Starts a fresh Ferry and waits for its readiness probe; prints the milliseconds it took.
start_ferry() {
  local start; start=$(date +%s%N)
  rm -rf "${STORAGE:?}"/*
  "$FERRY_JAVA" -Xmx256m ${FERRY_JVM_ARGS:-} -jar "$FERRY_JAR" --server.port=$FERRY_PORT \
    --management.server.port=$MANAGEMENT_PORT \
    --logging.level.root=warn --ferry.storage.path="$STORAGE" \
    --ferry.providers.openai.base-url=http://127.0.0.1:$STUB_PORT/v1 \
    --ferry.providers.openai.api-key=sk-stub \
    --ferry.auth.keys[0].name=load --ferry.auth.keys[0].key=$KEY ${FERRY_ARGS:-} > target/ferry-bench.log 2>&1 &
  FERRY_PID=$!
  PIDS+=($FERRY_PID)
  until curl -sf http://127.0.0.1:$MANAGEMENT_PORT/actuator/health/readiness > /dev/null; do
    kill -0 $FERRY_PID 2> /dev/null || { cat target/ferry-bench.log; exit 1; }
    sleep 0.02
  done
  READY_MS=$(( ($(date +%s%N) - start) / 1000000 ))
}

echo "$("$FERRY_JAVA" -version 2>&1 | head -1); JVM options: ${FERRY_JVM_ARGS:-none}; settings: ${FERRY_ARGS:-none}"
echo "| Target | Scenario | req/s | p50 ms | p99 ms | failed |"
echo "|---|---|---|---|---|---|"
for scenario in $SCENARIOS; do
  drive "upstream stub, direct" http://127.0.0.1:$STUB_PORT/v1 "$scenario" "$SECONDS_PER_RUN" "$CONNECTIONS"
  start_ferry
  drive "Ferry, first ${SECONDS_PER_RUN} s after ready (${READY_MS} ms to ready)" http://127.0.0.1:$FERRY_PORT/openai/v1 \
    "$scenario" "$SECONDS_PER_RUN" "$CONNECTIONS" "authorization:Bearer $KEY"
  drive "warming" http://127.0.0.1:$FERRY_PORT/openai/v1 "$scenario" 50 "$CONNECTIONS" "authorization:Bearer $KEY" > /dev/null
  drive "Ferry, after 60 s under load" http://127.0.0.1:$FERRY_PORT/openai/v1 "$scenario" "$SECONDS_PER_RUN" "$CONNECTIONS" \
    "authorization:Bearer $KEY"
  kill $FERRY_PID; wait $FERRY_PID 2> /dev/null || true
done

if [ -z "${SKIP_PORTKEY:-}" ]; then
  PORT=$PORTKEY_PORT node "$BENCH_NODE/@portkey-ai/gateway/build/start-server.js" --headless --port=$PORTKEY_PORT \
    > target/portkey.log 2>&1 &
  PIDS+=($!)
  until curl -s -o /dev/null http://127.0.0.1:$PORTKEY_PORT/; do sleep 0.1; done
  for scenario in $SCENARIOS; do
    drive "warming" http://127.0.0.1:$PORTKEY_PORT/v1 "$scenario" 10 "$CONNECTIONS" "authorization:Bearer sk-stub" \
      x-portkey-provider:openai "x-portkey-custom-host:http://127.0.0.1:$STUB_PORT/v1" > /dev/null
    drive "Portkey gateway $(node -p "require('$BENCH_NODE/@portkey-ai/gateway/package.json').version"), warm" \
      http://127.0.0.1:$PORTKEY_PORT/v1 "$scenario" "$SECONDS_PER_RUN" "$CONNECTIONS" "authorization:Bearer sk-stub" \
      x-portkey-provider:openai "x-portkey-custom-host:http://127.0.0.1:$STUB_PORT/v1"
  done
fi
