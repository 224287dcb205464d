#!/usr/bin/env bash
# `make bench`: `gradverify bench` (every part), then the ratios to the optional Python peers, each
# measured in this same run on this machine. A benchmark, never a test: nothing here can fail a build.
#   csv    the 100 MB file read by gradverify against pandas' C engine (read_csv only, median of 3 each)
#   sweep  the whole `gradverify sweep` process against the whole NumPy peer process on the same workload
#          (N = 4096, P = 64, 2000 draws, b = 1, 2, 4, …, 4096, without replacement), paired runs, median
#          of the 3 ratios
#   rows   rows gathered per second against the peer's own figure (as before)
set -euo pipefail
BIN=${BIN:-.build/release/gradverify}
PYTHON=${PYTHON:-python3}
PEER=${PEER:-}
WORK=${WORK:-.build/bench}
mkdir -p "$WORK"
"$BIN" bench --work "$WORK" | tee "$WORK/bench.txt"

field() {  # field PREFIX KEY: the value of KEY= on the first line starting with PREFIX
  awk -v p="$1" -v k="$2" 'index($0, p) == 1 { for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) { print substr($i, length(k) + 2); exit } }' "$WORK/bench.txt"
}
now() { date +%s.%N; }

if "$PYTHON" -c "import pandas" 2>/dev/null; then
  pandas_seconds=$("$PYTHON" - "$WORK/ingest-50000x100.csv" <<'PY'
import sys, time, pandas
times = []
for _ in range(3):
    t = time.perf_counter()
    pandas.read_csv(sys.argv[1], engine="c")
    times.append(time.perf_counter() - t)
print(sorted(times)[1])
PY
)
  ours=$(field "csv " seconds)
  awk -v a="$ours" -v b="$pandas_seconds" 'BEGIN { printf "ratio csv gradverify/pandas wall time %.2f (%.4f s against %.4f s, medians of 3)\n", a / b, a, b }'
else
  echo "ratio csv: skipped, pandas not installed (python3 -m pip install pandas)"
fi

if [ -f "$PEER" ] && "$PYTHON" -c "import numpy" 2>/dev/null; then
  sizes=$(awk 'BEGIN { s = ""; for (b = 1; b <= 4096; b *= 2) s = s (s == "" ? "" : ",") b; print s }')
  ratios=()
  for run in 1 2 3; do
    t0=$(now)
    "$BIN" sweep --model linear --data "$WORK/sweep-4096x64.csv" --sampler without --batch-sizes "$sizes" --draws 2000 >/dev/null
    t1=$(now)
    "$PYTHON" "$PEER" --n 4096 --d 64 --draws 2000 >/dev/null
    t2=$(now)
    ratio=$(awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "%.4f", (b - a) / (c - b) }')
    echo "sweep run $run: gradverify $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') s, numpy $(awk -v b="$t1" -v c="$t2" 'BEGIN { printf "%.3f", c - b }') s, ratio $ratio"
    ratios+=("$ratio")
  done
  median=$(printf '%s\n' "${ratios[@]}" | sort -g | sed -n 2p)
  echo "ratio sweep gradverify/numpy whole-process wall time $median (median of 3 paired runs)"
  ours_without=$(field "sampler=without threads=$(nproc)" rows_per_s)
  ours_with=$(field "sampler=with threads=$(nproc)" rows_per_s)
  [ -n "$ours_without" ] || ours_without=$(field "sampler=without threads=1" rows_per_s)
  [ -n "$ours_with" ] || ours_with=$(field "sampler=with threads=1" rows_per_s)
  peer_without=$("$PYTHON" "$PEER" --n 4096 --d 64 --draws 2000 | tail -1 | sed 's/.*rows_per_s=\([^ ]*\).*/\1/')
  peer_with=$("$PYTHON" "$PEER" --n 4096 --d 64 --draws 2000 --replace | tail -1 | sed 's/.*rows_per_s=\([^ ]*\).*/\1/')
  awk -v a="$ours_without" -v b="$peer_without" -v c="$ours_with" -v d="$peer_with" \
    'BEGIN { printf "ratio rows gathered per second gradverify/numpy (all threads): without %.1fx, with %.1fx\n", a / b, c / d }'
else
  echo "ratio sweep and rows: skipped, no NumPy peer (PEER=path/to/peer.py) or NumPy not found (python3 -m pip install numpy)"
fi
