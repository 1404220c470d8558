#!/bin/sh
# Runs the Raft benchmarks (raft/BENCHMARKS.md) from any directory, each in its own JVM with a
# fixed, pre-touched heap.
#   raft/bench.sh [single|idle] [seconds]
# single: one group, state machine only; idle: 10,000 idle groups on 3 drivers, with and without
# quiescence. Without a name, both. Seconds per measurement, default 5.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
which=all
case "${1:-}" in
  single|idle) which=$1; shift ;;
esac
cd "$root"
./mvnw -B -q -pl raft test-compile
run() {
  ./mvnw -B -q -pl raft org.codehaus.mojo:exec-maven-plugin:exec \
    -Dexec.executable="$java" \
    -Dexec.classpathScope=test \
    -Dexec.args="-Xms2g -Xmx2g -XX:+AlwaysPreTouch -cp %classpath io.flotilla.raft.bench.$*"
}
if [ "$which" != idle ]; then
  run SingleGroupBenchmark "$@"
fi
if [ "$which" != single ]; then
  run IdleGroupsBenchmark "${1:-5}"
  run IdleGroupsBenchmark "${1:-5}" 10000 --no-quiescence
fi
