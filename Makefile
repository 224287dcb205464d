# gradverify: `make verify` runs every claim; `make test` runs the test suite; `make results`
# regenerates the committed tables in results/.
SWIFT ?= swift
BIN := .build/release/gradverify

.PHONY: all build install verify results figures latex test bench fuzz fuzz-each calibrate docs clean

all: build

build:
	$(SWIFT) build -c release --product gradverify

# `make install PREFIX=~/.local` puts the gradverify binary in PREFIX/bin (default /usr/local).
PREFIX ?= /usr/local
install: build
	install -d "$(PREFIX)/bin"
	install -m 755 $(BIN) "$(PREFIX)/bin/gradverify"
	@echo "installed $(PREFIX)/bin/gradverify"

verify: build
	$(BIN) verify

results: build
	$(BIN) results --out results

# The LaTeX tables of results/ (summary.tex, verdicts.tex) compiled by pdflatex, when it is installed
# (Debian's texlive-latex-base and texlive-latex-recommended), into .build/latex/tables.pdf; never part of
# the tests.
latex:
	@if command -v pdflatex >/dev/null 2>&1; then \
	  mkdir -p .build/latex; \
	  printf '%s\n' '\documentclass{article}' '\usepackage[margin=1.5cm,landscape]{geometry}' \
	    '\usepackage{booktabs,longtable}' '\begin{document}' '\input{../../results/summary.tex}' \
	    '\input{../../results/verdicts.tex}' '\end{document}' > .build/latex/tables.tex; \
	  cd .build/latex && pdflatex -interaction=nonstopmode -halt-on-error tables.tex >/dev/null \
	    && echo "latex: results/summary.tex and results/verdicts.tex compile: .build/latex/tables.pdf" \
	    || { echo "latex: pdflatex failed, see .build/latex/tables.log"; exit 1; }; \
	else echo "latex: pdflatex not installed; skipped"; fi

# The figures redrawn from the committed tables (no experiment runs), then, when rsvg-convert is installed
# (Debian's librsvg2-bin), a 1600 px PNG of each in .build/figures/ for slides.
FIGURE_WIDTH ?= 1600
figures: build
	$(BIN) figures --results results
	@if command -v rsvg-convert >/dev/null 2>&1; then \
	  mkdir -p .build/figures; \
	  for f in results/fig-*.svg; do rsvg-convert -w $(FIGURE_WIDTH) "$$f" -o ".build/figures/$$(basename "$$f" .svg).png"; done; \
	  echo "PNG at $(FIGURE_WIDTH) px: .build/figures/"; \
	else echo "rsvg-convert not found (apt-get install librsvg2-bin): SVG only"; fi

# The API documentation and its articles (Methods: the mathematics of every verdict; Adding a claim),
# rendered by the toolchain's docc (no plugin) into .build/docs; serve that folder to read it in a browser.
DOCC ?= docc
SYMBOL_GRAPHS := .build/docs-symbol-graphs
docs:
	$(SWIFT) package dump-symbol-graph --minimum-access-level public
	@rm -rf $(SYMBOL_GRAPHS) && mkdir -p $(SYMBOL_GRAPHS)
	@cp "$$(dirname "$$(find .build -path '*symbolgraph/GradVerify.symbols.json' | head -1)")"/GradVerify*.symbols.json $(SYMBOL_GRAPHS)/
	$(DOCC) convert Sources/GradVerify/GradVerify.docc --additional-symbol-graph-dir $(SYMBOL_GRAPHS) \
	  --output-path .build/docs --fallback-display-name GradVerify --fallback-bundle-identifier org.gradverify.GradVerify
	@test -f .build/docs/data/documentation/gradverify/methods.json && test -f .build/docs/data/documentation/gradverify/addingaclaim.json
	@echo "documentation: .build/docs ($$(ls .build/docs/data/documentation/gradverify | grep -c json) pages, Methods and Adding a claim among them)"

# The full calibration of the printed sweep verdict, committed in results/calibration/: seeded null runs of
# the three-sampler sweep on the bundled data raw and standardised (CAL-full), on generated bag-of-words,
# one-hot and balanced ±v sets (CAL-shapes) and on one huge example among 20000 (CAL-outlier), at R = 2000
# and R = 20 (491 s on 2 cores when last run). `make verify` runs the reduced Experiments/CAL-calibration.json.
calibrate: build
	$(BIN) results --experiments Experiments/calibration --out results/calibration
	@echo "tables and figures: results/calibration/ (the reduced one verify runs: results/CAL-calibration.csv)"

# The suite, then a package of its own under Tests/Downstream that depends on GradVerify by path and checks
# C1 on a model it implements with the public API (as a project using the library would).
test:
	$(SWIFT) build -c release --product gradverify
	$(SWIFT) test -c release
	$(SWIFT) test -c release --package-path Tests/Downstream

# A benchmark, not a test: `gradverify bench` (rows gathered per second, CSV ingest, the kernel out of cache
# against the machine's read bandwidth, check's reading time), then the ratios to pandas and to the NumPy
# peer measured in the same run (both optional: python3 -m pip install numpy pandas; PEER=path/to/a NumPy
# sweep script taking --n --d --draws [--replace] and printing rows_per_s=…, none by default).
PEER ?=
PYTHON ?= python3

bench: build
	@BIN=$(BIN) PEER=$(PEER) PYTHON=$(PYTHON) bash Experiments/bench/scale-bench.sh
	@if [ -n "$(SCALE)" ]; then $(PYTHON) Experiments/bench/real_scale.py --bin $(BIN) $(SCALE_ARGS); \
	  else echo "real-model scale: skipped (make bench SCALE=1 [SCALE_ARGS='--draws 2000']; needs NumPy, about 11 minutes at the defaults)"; fi

# Hostile input: libFuzzer (https://llvm.org/docs/LibFuzzer.html) feeds arbitrary bytes to the CSV reader
# (checked against the reader it replaced), the spec decoder, the parameter file, the .npy reader, the sweep
# ledger and the figures (a results table) for FUZZ_SECONDS; any crash, trap or malformed error message stops
# it and leaves the input in .build/fuzz/. The corpus it grows stays in .build/fuzz/corpus. `make fuzz-each`
# gives each reader FUZZ_SECONDS of its own, one after another, and prints each one's executions.
FUZZ_SECONDS ?= 600
FUZZ_DIR := .build/fuzz
FUZZ_BIN := $(FUZZ_DIR)/gradverify-fuzz

FUZZ_REFERENCE := Tests/GradVerifyTests/Reference/ReferenceCSVReader.swift

$(FUZZ_BIN): $(shell find Sources/GradVerify Tests/Fuzz -name "*.swift") $(FUZZ_REFERENCE)
	@mkdir -p $(FUZZ_DIR)
	@echo "swiftc -sanitize=fuzzer: the library, the reference CSV reader and Tests/Fuzz/FuzzEntry.swift -> $@"
	@sed '/^import GradVerify$$/d' $(FUZZ_REFERENCE) > $(FUZZ_DIR)/ReferenceCSVReader.swift
	@$(SWIFT)c -O -parse-as-library -sanitize=fuzzer -module-name GradVerify -package-name gradverify \
	  $(shell find Sources/GradVerify -name '*.swift' | sort) $(FUZZ_DIR)/ReferenceCSVReader.swift Tests/Fuzz/FuzzEntry.swift -o $@

fuzz: $(FUZZ_BIN)
	@mkdir -p $(FUZZ_DIR)/corpus
	SWIFT_BACKTRACE=enable=no $(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
	  -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/corpus Tests/Fuzz/corpus

FUZZ_TARGETS := csv spec params npy ledger figures

fuzz-each: $(FUZZ_BIN)
	@mkdir -p $(FUZZ_DIR)/corpus
	@for t in $(FUZZ_TARGETS); do \
	  echo "fuzz $$t: $(FUZZ_SECONDS) s (log: $(FUZZ_DIR)/$$t.log)"; \
	  GRADVERIFY_FUZZ_TARGET=$$t SWIFT_BACKTRACE=enable=no $(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/$$t- \
	    $(FUZZ_DIR)/corpus Tests/Fuzz/corpus > $(FUZZ_DIR)/$$t.log 2>&1; status=$$?; \
	  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" $(FUZZ_DIR)/$$t.log | sed "s/^/  $$t: /"; \
	  if [ $$status -ne 0 ]; then tail -40 $(FUZZ_DIR)/$$t.log; exit 1; fi; \
	done

clean:
	rm -rf .build
