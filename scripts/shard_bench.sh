#!/usr/bin/env bash
# Usage: shard_bench.sh BIN DATASET N  — an unsharded run, N shards one after another, the
# commit, then 2 shards at once (N=2), each with /usr/bin/time -v (wall, peak RSS).
set -euo pipefail
BIN=$1; DS=$2; N=$3; OUT=/tmp/shard-bench; AS_OF=2026-11-01T12:00:00Z
rm -rf $OUT; mkdir -p $OUT
t() { /usr/bin/time -f "$1: %e s wall, %M KB peak RSS, %U s user, %S s sys" "${@:2}" > /dev/null; }
t "unsharded" $BIN run $DS --out $OUT/whole --as-of $AS_OF -q
for k in $(seq 0 $((N-1))); do t "shard $k/$N" $BIN run $DS --out $OUT/sharded --as-of $AS_OF -q --shard $k/$N --run-id bench; done
t "commit of $N" $BIN commit $OUT/sharded --run-id bench --shards $N -q
( t "2 at once: shard 0/2" $BIN run $DS --out $OUT/two --as-of $AS_OF -q --shard 0/2 --run-id two ) &
( t "2 at once: shard 1/2" $BIN run $DS --out $OUT/two --as-of $AS_OF -q --shard 1/2 --run-id two ) &
wait
t "commit of 2" $BIN commit $OUT/two --run-id two --shards 2 -q
