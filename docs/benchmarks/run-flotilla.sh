#!/usr/bin/env bash
# The Flotilla side of docs/BENCHMARKS.md: the workload of Kafka's ProducerPerformance runs there
# (1 KiB records, 3 nodes on this machine, a topic of 3 partitions with replication factor 3,
# acknowledged once a quorum has the records) with `flotilla perf produce`.
#
#   docs/benchmarks/run-flotilla.sh            # warm-up, 3 unthrottled runs, 1 run at 10,000 rec/s
#
# Knobs (environment): NUM_RECORDS (1000000), REPS (3), WARMUP_RECORDS (1000000; 0: none),
# LAT_RATE (10000) and LAT_SECS (70: the run's length at that rate), LINGERS ("5": the
# producer's --linger-ms values to run, e.g. "5 0"), BASE_PORT (9761), OUT (a new directory
# under docs/benchmarks/raw/). Starts its own cluster with `bin/flotilla local` in a temporary
# directory, and stops it on exit. Each run's JSON figures go to OUT, with the block device's
# write and flush (fsync) counters from /proc/diskstats before and after, and the nodes' CPU time.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
num=${NUM_RECORDS:-1000000}
reps=${REPS:-3}
warmup=${WARMUP_RECORDS:-1000000}
lat_rate=${LAT_RATE:-10000}
lat_secs=${LAT_SECS:-70}
lingers=${LINGERS:-5}
port=${BASE_PORT:-9761}
out=${OUT:-$root/docs/benchmarks/raw/$(date +%Y%m%d-%H%M%S)-flotilla}
mkdir -p "$out"
flotilla="$root/bin/flotilla"
"$flotilla" --version >/dev/null # builds the jar first if needed, before anything is timed

work="$(mktemp -d)"
cluster_pid=""
stop() {
  if [[ -n "$cluster_pid" ]] && kill -0 "$cluster_pid" 2>/dev/null; then
    kill -TERM "$cluster_pid"
    wait "$cluster_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop EXIT

"$flotilla" local --base-port "$port" --dir "$work/cluster" >"$out/cluster.log" 2>&1 &
cluster_pid=$!
for _ in $(seq 600); do
  grep -q "nodes serving" "$out/cluster.log" && break
  kill -0 "$cluster_pid" 2>/dev/null || { cat "$out/cluster.log"; exit 1; }
  sleep 0.1
done
grep -q "nodes serving" "$out/cluster.log" || { echo "the cluster did not come up in 60 s" >&2; exit 1; }
export FLOTILLA_BOOTSTRAP="127.0.0.1:$port"

disk="$(basename "$(df --output=source "$work" | tail -1)")"
# the nodes' user + system CPU ticks so far (children of the launcher)
node_ticks() {
  local t=0 p
  for p in $(pgrep -P "$cluster_pid" || true); do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat"))); done
  echo "$t"
}
# run NAME ARGS...: one perf produce run, its JSON figures and the counters around it in OUT/NAME.txt
run() {
  local name=$1; shift
  {
    echo "# command: flotilla perf produce $*"
    echo "# loadavg: $(cat /proc/loadavg)"
    echo "# diskstats before: $(awk -v d="$disk" '$3==d' /proc/diskstats)"
    echo "# node ticks before: $(node_ticks)"
    "$flotilla" perf produce "$@" --record-size 1024 --partitions 3 --replication-factor 3 --output json
    echo "# node ticks after: $(node_ticks)"
    echo "# diskstats after: $(awk -v d="$disk" '$3==d' /proc/diskstats)"
  } >"$out/$name.txt" 2>&1
  echo "$name: $(grep -v '^#' "$out/$name.txt" | tail -1)"
}

echo "flotilla benchmark: $(nproc) cores, $(git -C "$root" rev-parse --short HEAD), output in $out"
if ((warmup > 0)); then
  run _warmup warmup --records "$warmup"
fi
for linger in $lingers; do
  for r in $(seq "$reps"); do
    run "unthrottled-linger$linger-rep$r" "unthrottled-l$linger-r$r" --records "$num" --linger-ms "$linger"
  done
  run "rate$lat_rate-linger$linger" "rate-l$linger" --records $((lat_rate * lat_secs)) --rate "$lat_rate" \
    --linger-ms "$linger"
done
