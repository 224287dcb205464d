#!/usr/bin/env bash
# Submits a sharded sweep to Slurm: a job array of SHARDS tasks, then a merge job that runs after all of
# them whatever their outcome, and says which shard is missing and how to resubmit it. Run from the
# project root after `make build` (or with BIN set to an installed gradverify):
#
#   bash Experiments/slurm/submit.sh [SHARDS]
#
# The data, model and draws come from DATA, MODEL and DRAWS (other sweep options from SWEEP_OPTIONS, e.g.
# MODEL=mlp SWEEP_OPTIONS="--hidden 8 --standardize"); sweep.sbatch runs them; the parts go to $WORK/parts, the table to $WORK/sweep.csv.
set -euo pipefail
SHARDS=${1:-8}                      # the one place the shard count is written
export SHARDS
export BIN=${BIN:-$PWD/.build/release/gradverify}
export WORK=${WORK:-$PWD/.build/slurm}
export DATA=${DATA:-$PWD/Experiments/data/breast_cancer.csv}
export DRAWS=${DRAWS:-200000}             # replicates per cell
export MODEL=${MODEL:-logistic}           # linear, logistic, softmax or mlp
export SWEEP_OPTIONS=${SWEEP_OPTIONS---standardize}  # any other sweep options, e.g. "--hidden 8"
HERE=$(cd "$(dirname "$0")" && pwd)
[ -x "$BIN" ] || { echo "submit.sh: $BIN not found: run 'make build' first, or set BIN" >&2; exit 64; }
mkdir -p "$WORK/parts" "$WORK/logs"
array=$(sbatch --parsable --array=0-$((SHARDS - 1)) --output="$WORK/logs/shard-%a.out" "$HERE/sweep.sbatch")
merge=$(sbatch --parsable --dependency=afterany:"$array" --output="$WORK/logs/merge.out" "$HERE/merge.sbatch")
echo "submitted shards $array (0-$((SHARDS - 1))) and merge $merge; table: $WORK/sweep.csv, logs: $WORK/logs/"
