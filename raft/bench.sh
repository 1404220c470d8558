#!/bin/sh
# Runs the Raft benchmarks (raft/BENCHMARKS.md) from any directory. Argument: seconds per
# measurement (default 5). The benchmark runs in its own JVM with a fixed, pre-touched heap.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
cd "$root"
exec ./mvnw -B -q -pl raft test-compile org.codehaus.mojo:exec-maven-plugin:exec \
  -Dexec.executable="$java" \
  -Dexec.classpathScope=test \
  -Dexec.args="-Xms2g -Xmx2g -XX:+AlwaysPreTouch -cp %classpath io.flotilla.raft.bench.SingleGroupBenchmark $*"
