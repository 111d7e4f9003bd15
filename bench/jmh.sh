#!/usr/bin/env bash
# Runs Ferry's JMH micro-benchmarks (src/bench/java) and prints items/s and MB/s.
# Usage: bench/jmh.sh [regex of benchmarks to run]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -Pbench -DskipTests test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  dev.ferry.bench.RunBenchmarks "$@"
