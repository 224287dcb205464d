#!/usr/bin/env bash
# A large sweep split into shards, run in parallel on one machine with GNU parallel, then merged into
# the table the unsharded sweep writes, byte for byte. Usage (from the project root, after `make build`):
#
#   bash Experiments/sharded-sweep.sh [SHARDS] [DRAWS]
#
# The same layout on a Slurm cluster is in the README ("Bigger runs").
set -euo pipefail
SHARDS=${1:-4}
DRAWS=${2:-400000}
BIN=${BIN:-.build/release/gradverify}
OUT=${OUT:-.build/sharded}
mkdir -p "$OUT"
sweep=("$BIN" sweep --model logistic --data Experiments/data/breast_cancer.csv --standardize
       --sampler with,without --draws "$DRAWS" --threads 1)
if command -v parallel >/dev/null 2>&1; then
  # One shard per job; --resume makes a rerun of an interrupted job continue from its checkpoint.
  parallel --halt now,fail=1 "${sweep[@]}" --shard {}/"$SHARDS" --out "$OUT/part-{}" --resume ::: $(seq 0 $((SHARDS - 1)))
else
  echo "GNU parallel not found (apt-get install parallel); running the shards one after another" >&2
  for i in $(seq 0 $((SHARDS - 1))); do "${sweep[@]}" --shard "$i/$SHARDS" --out "$OUT/part-$i" --resume; done
fi
"$BIN" merge "$OUT"/part-* --out "$OUT/sweep.csv"
