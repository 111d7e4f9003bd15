#!/usr/bin/env bash
# Start-up to readiness, three ways: the plain jar, the extracted jar, and the extracted jar
# with a class-data-sharing (CDS) archive made by a training run.
# Usage: bench/startup.sh [runs per way, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
PORT=19200
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

mvn -q -DskipTests package

# Prints the milliseconds from launch until the readiness probe answers.
ready_ms() {
  local storage; storage=$(mktemp -d -p "$WORK")
  local start; start=$(date +%s%N)
  java "$@" --server.port=$PORT --ferry.storage.path="$storage" --logging.level.root=warn > "$WORK/run.log" 2>&1 &
  local pid=$!
  until curl -sf http://127.0.0.1:$PORT/actuator/health/readiness > /dev/null; do
    kill -0 $pid 2> /dev/null || { cat "$WORK/run.log"; exit 1; }
    sleep 0.02
  done
  echo $(( ($(date +%s%N) - start) / 1000000 ))
  kill $pid; wait $pid 2> /dev/null || true
}

measure() {
  local label=$1; shift
  local times=()
  for _ in $(seq "$RUNS"); do times+=("$(ready_ms "$@")"); done
  printf '%-34s %s ms\n' "$label" "${times[*]}"
}

java -Djarmode=tools -jar target/ferry.jar extract --destination "$WORK/app" > /dev/null
# The training run starts the context, then exits; the JVM writes the classes it loaded.
java -XX:ArchiveClassesAtExit="$WORK/app.jsa" -Dspring.context.exit=onRefresh \
  -jar "$WORK/app/ferry.jar" --ferry.storage.path="$WORK/training" > "$WORK/training.log" 2>&1

echo "start-up to readiness, $RUNS runs each ($(java -version 2>&1 | head -1))"
measure "java -jar target/ferry.jar" -jar target/ferry.jar
measure "extracted jar" -jar "$WORK/app/ferry.jar"
measure "extracted jar + CDS archive" -XX:SharedArchiveFile="$WORK/app.jsa" -jar "$WORK/app/ferry.jar"
