# gradverify: `make verify` runs every claim; `make test` runs the test suite; `make results`
# regenerates the committed tables in results/.
SWIFT ?= swift
BIN := .build/release/gradverify

.PHONY: all build verify results test bench fuzz calibrate clean

all: build

build:
	$(SWIFT) build -c release --product gradverify

verify: build
	$(BIN) verify

results: build
	$(BIN) results --out results

# The full calibration of the printed sweep verdict: 1000 seeded null runs of the three-sampler sweep on
# breast cancer at R = 20000 and R = 2000 (about 30 minutes on 2 cores). `make verify` runs the reduced
# Experiments/CAL-calibration.json (the README's two-sampler sweep at R = 2000) as part of every run.
calibrate: build
	$(BIN) run Experiments/calibration/CAL-full.json --out .build/calibration
	@echo "table and figure: .build/calibration/ (the reduced one verify runs: results/CAL-calibration.csv)"

test:
	$(SWIFT) build -c release --product gradverify
	$(SWIFT) test -c release

# The NumPy peer (optional): the same workload written as a competent NumPy user would.
PEER ?= ../shared/peers/numpy_sweep.py
PYTHON ?= python3
BENCH_ARGS := --n 4096 --d 64 --draws 2000

# A benchmark, not a test: rows gathered per second on one thread and on all, and the ratio to the peer
# measured in the same run.
bench: build
	@$(BIN) bench $(BENCH_ARGS) | tee .build/bench.txt
	@if [ -f "$(PEER)" ] && $(PYTHON) -c "import numpy" 2>/dev/null; then \
	  ours_without=$$(awk '/^sampler=without threads=[0-9]/ {for (i=1;i<=NF;i++) if ($$i ~ /^rows_per_s=/) v=substr($$i,12)} END {print v}' .build/bench.txt); \
	  ours_with=$$(awk '/^sampler=with threads=[0-9]/ {for (i=1;i<=NF;i++) if ($$i ~ /^rows_per_s=/) v=substr($$i,12)} END {print v}' .build/bench.txt); \
	  peer_without=$$($(PYTHON) $(PEER) $(BENCH_ARGS) | tail -1 | sed 's/.*rows_per_s=\([^ ]*\).*/\1/'); \
	  peer_with=$$($(PYTHON) $(PEER) $(BENCH_ARGS) --replace | tail -1 | sed 's/.*rows_per_s=\([^ ]*\).*/\1/'); \
	  echo "peer numpy without: rows_per_s=$$peer_without   with: rows_per_s=$$peer_with"; \
	  awk -v a=$$ours_without -v b=$$peer_without -v c=$$ours_with -v d=$$peer_with \
	    'BEGIN {printf "ratio gradverify/numpy (all threads): without %.1fx, with %.1fx\n", a/b, c/d}'; \
	else echo "peer skipped: $(PEER) or NumPy not found (python3 -m pip install numpy)"; fi

# Hostile input: libFuzzer (https://llvm.org/docs/LibFuzzer.html) feeds arbitrary bytes to the CSV loader,
# the spec decoder, the parameter file and the block ledger for FUZZ_SECONDS; any crash, trap or malformed
# error message stops it and leaves the input in .build/fuzz/. The corpus it grows stays in .build/fuzz/corpus.
FUZZ_SECONDS ?= 600
FUZZ_DIR := .build/fuzz
FUZZ_BIN := $(FUZZ_DIR)/gradverify-fuzz

$(FUZZ_BIN): $(shell find Sources/GradVerify Tests/Fuzz -name '*.swift')
	@mkdir -p $(FUZZ_DIR)
	@echo "swiftc -sanitize=fuzzer: the library and Tests/Fuzz/FuzzEntry.swift -> $@"
	@$(SWIFT)c -O -parse-as-library -sanitize=fuzzer -module-name GradVerify \
	  $(shell find Sources/GradVerify -name '*.swift' | sort) Tests/Fuzz/FuzzEntry.swift -o $@

fuzz: $(FUZZ_BIN)
	@mkdir -p $(FUZZ_DIR)/corpus
	SWIFT_BACKTRACE=enable=no $(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
	  -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/corpus Tests/Fuzz/corpus

clean:
	rm -rf .build
