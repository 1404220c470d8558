#!/bin/sh
# Builds and runs the log-store benchmark (io.flotilla.log.bench.LogBenchmark), from any
# directory. Arguments go to the benchmark: --quick for a smoke run, --dir DIR to choose the
# disk, --help for the rest. See log-store/BENCHMARKS.md.
#
# The benchmark runs in its own JVM, not inside Maven's, with a fixed, pre-touched heap: a
# heap that grows during the run makes the read figures measure page faults, not the log.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
cd "$root"
exec ./mvnw -B -q -pl log-store test-compile org.codehaus.mojo:exec-maven-plugin:exec \
  -Dexec.executable="$java" \
  -Dexec.classpathScope=test \
  -Dexec.args="-Xms1g -Xmx1g -XX:+AlwaysPreTouch -cp %classpath io.flotilla.log.bench.LogBenchmark $*"
