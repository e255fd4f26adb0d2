#!/usr/bin/env bash
# A/B of two segcalc binaries on one dataset, alternated (the machine drifts), whole processes:
#   scripts/ab_runs.sh OLD_BINARY NEW_BINARY DATASET [RUNS]
# Prints each binary's wall times and its last peak RSS; outputs go to $TMPDIR/ab-{old,new}.
set -euo pipefail
old=$1 new=$2 dataset=$3 runs=${4:-5}
tmp=${TMPDIR:-/tmp}
rm -rf "$tmp/ab-old" "$tmp/ab-new"
for _ in $(seq "$runs"); do
  for side in old new; do
    binary=$old; [ "$side" = new ] && binary=$new
    /usr/bin/time -f "$side %e %M" "$binary" run "$dataset" --out "$tmp/ab-$side" \
      --as-of 2026-11-01T12:00:00Z --keep 1 --no-changes --quiet 2>&1 | tail -1
  done
done | awk '{t[$1] = t[$1] " " $2; m[$1] = $3} END {for (s in t) print s ":" t[s] " s; peak RSS " m[s] " KB"}'
