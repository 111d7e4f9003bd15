#!/usr/bin/env bash
# Load test on this machine: the upstream stub, Ferry (capped at a 256 MB heap) and the
# open-loop driver, each in its own process, all on 127.0.0.1.
# Usage: bench/load.sh [rate/s, default 2000] [seconds per run, default 20] [connections, default 256]
# FERRY_ARGS adds arguments to Ferry's command line, for experiments with its settings;
# FERRY_JAR runs another build's jar (default target/ferry.jar), to compare builds.
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${1:-2000}
SECONDS_PER_RUN=${2:-20}
CONNECTIONS=${3:-256}
STUB_PORT=19101
FERRY_PORT=19100
KEY=ferry-load-test-key-000001

mvn -q -DskipTests package
mvn -q -Pbench -DskipTests test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
CP="target/test-classes:target/classes:$(cat target/bench.classpath)"
STORAGE=$(mktemp -d)
trap 'kill $STUB_PID $FERRY_PID 2>/dev/null || true; rm -rf "$STORAGE"' EXIT

java -Xmx256m -cp "$CP" dev.ferry.bench.load.UpstreamStub $STUB_PORT > target/stub.log 2>&1 &
STUB_PID=$!

START=$(date +%s%N)
java -Xmx256m -Xlog:gc:file=target/ferry-gc.log -jar "${FERRY_JAR:-target/ferry.jar}" --server.port=$FERRY_PORT --logging.level.root=warn --logging.level.dev.ferry.FerryApplication=info \
  --ferry.storage.path="$STORAGE" \
  --ferry.providers.openai.base-url=http://127.0.0.1:$STUB_PORT/v1 \
  --ferry.providers.openai.api-key=sk-stub \
  --ferry.providers.openai.max-connections=$CONNECTIONS \
  --ferry.auth.keys[0].name=load --ferry.auth.keys[0].key=$KEY ${FERRY_ARGS:-} > target/ferry-load.log 2>&1 &
FERRY_PID=$!
until curl -sf http://127.0.0.1:$FERRY_PORT/actuator/health/readiness > /dev/null; do sleep 0.05; done
echo "Ferry ready $(( ($(date +%s%N) - START) / 1000000 )) ms after launch (JVM start included)"
grep -o "Started FerryApplication in [0-9.]* seconds" target/ferry-load.log || true

java -Xmx512m -cp "$CP" dev.ferry.bench.load.LoadDriver \
  http://127.0.0.1:$STUB_PORT http://127.0.0.1:$FERRY_PORT $KEY "$RATE" "$SECONDS_PER_RUN" "$CONNECTIONS"

echo
echo "Ferry heap after the run (max 256 MB):"
jcmd $FERRY_PID GC.heap_info | sed -n '1,3p'
