#!/usr/bin/env bash
# Self-contained check of the Node.js examples, as CI runs it: installs the locked npm packages,
# starts a fresh 3-node cluster with `bin/flotilla local` on ports 9801..9803, runs
# produce-consume.js against it, then group-consume.js twice (the second run must find nothing
# new), and stops the cluster whatever happens. Exits with the first failing example's status
# (1 if the cluster did not come up).
# Needs Node.js 20+ and npm, and a JDK 17+ for the broker.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
base_port=9801
started=$(date +%s)

cd "$here"
# --ignore-scripts: the one install script (protobufjs's) only checks its command-line tool's
# dependencies, which this example does not use.
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null

# Build the broker jar (when missing or stale) before starting the clock on the cluster, so
# the start-up bound below does not have to cover a first build.
"$root/bin/flotilla" --version >/dev/null

work="$(mktemp -d)"
cluster_pid=""
stop_cluster() {
  local status=$?
  if [[ -n "$cluster_pid" ]] && kill -0 "$cluster_pid" 2>/dev/null; then
    kill -TERM "$cluster_pid"
    # The launcher stops its nodes on SIGTERM; give it a bounded time to do so.
    for _ in $(seq 150); do kill -0 "$cluster_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$cluster_pid" 2>/dev/null || true
  fi
  if [[ $status -ne 0 ]]; then
    echo "run.sh: failed; the cluster's output:" >&2
    sed 's/^/  | /' "$work/cluster.out" >&2 || true
    for log in "$work"/cluster/node-*/server.log; do
      [[ -f "$log" ]] || continue
      echo "run.sh: the end of ${log#"$work"/}:" >&2
      tail -n 15 "$log" | sed 's/^/  | /' >&2
    done
  fi
  rm -rf "$work"
  exit $status
}
trap stop_cluster EXIT
trap 'exit 130' INT TERM

"$root/bin/flotilla" local --dir "$work/cluster" --base-port "$base_port" >"$work/cluster.out" 2>&1 &
cluster_pid=$!

# The launcher prints "... serving after ..." once every node reports SERVING; it gives up by
# itself after its own start timeout (30 s), and this loop bounds the wait in any case.
for _ in $(seq 600); do
  grep -q ' serving after ' "$work/cluster.out" && break
  if ! kill -0 "$cluster_pid" 2>/dev/null; then
    echo "run.sh: bin/flotilla local exited before serving" >&2
    exit 1
  fi
  sleep 0.1
done
if ! grep -q ' serving after ' "$work/cluster.out"; then
  echo "run.sh: the cluster did not report serving within 60 s" >&2
  exit 1
fi
head -1 "$work/cluster.out"

status=0
records=100
bootstrap="127.0.0.1:$base_port"
node produce-consume.js --bootstrap "$bootstrap" --topic node-example --records "$records" || status=$?
if [[ $status -eq 0 ]]; then
  # Two members share the topic's partitions and together read every value at least once;
  # they commit what they read, so the group's second run finds nothing new.
  node group-consume.js --bootstrap "$bootstrap" --topic node-example --group node-example-group --members 2 \
    --expect "$records" || status=$?
fi
if [[ $status -eq 0 ]]; then
  node group-consume.js --bootstrap "$bootstrap" --topic node-example --group node-example-group --members 2 \
    --expect 0 || status=$?
fi
echo "run.sh: examples exited with $status after $(( $(date +%s) - started )) s in all"
exit $status
