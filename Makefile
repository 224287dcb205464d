# gradverify: `make verify` runs every claim; `make test` runs the test suite; `make results`
# regenerates the committed tables in results/.
SWIFT ?= swift
BIN := .build/release/gradverify

.PHONY: all build verify results test clean

all: build

build:
	$(SWIFT) build -c release --product gradverify

verify: build
	$(BIN) verify

results: build
	$(BIN) results --out results

test:
	$(SWIFT) build -c release --product gradverify
	$(SWIFT) test -c release

clean:
	rm -rf .build
