#!/usr/bin/env bash
# Builds a JDK 25 ahead-of-time cache for Ferry (JEP 483, 514, 515: classes loaded and
# linked, and method profiles) from a training run: Ferry starts from the extracted jar,
# runs its warm-up, reports ready, and stops; the JVM writes the cache as it exits.
# Usage: bench/aot-cache.sh [java 25 binary, default $JAVA25 or Temurin 25's]
# Then run: java -XX:AOTCache=target/aot/ferry.aot -jar target/aot/app/ferry.jar
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA25=${1:-${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}}
PORT=19300
MANAGEMENT_PORT=19301
[ -f target/ferry.jar ] || mvn -q -DskipTests package
rm -rf target/aot && mkdir -p target/aot
"$JAVA25" -Djarmode=tools -jar target/ferry.jar extract --destination target/aot/app > /dev/null
STORAGE=$(mktemp -d)
trap 'rm -rf "$STORAGE"' EXIT
"$JAVA25" -XX:AOTCacheOutput=target/aot/ferry.aot -jar target/aot/app/ferry.jar --server.port=$PORT \
  --management.server.port=$MANAGEMENT_PORT --ferry.storage.path="$STORAGE" > target/aot/training.log 2>&1 &
PID=$!
until curl -sf http://127.0.0.1:$MANAGEMENT_PORT/actuator/health/readiness > /dev/null; do
  kill -0 $PID 2> /dev/null || { cat target/aot/training.log; exit 1; }
  sleep 0.1
done
kill $PID; wait $PID || true
ls -l target/aot/ferry.aot
echo "run: $JAVA25 -XX:AOTCache=target/aot/ferry.aot -jar target/aot/app/ferry.jar"
