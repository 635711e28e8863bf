# ddnslab — the two set-up commands are `make demo` and `make test`.
SWIFT ?= swift
SCRATCH ?= .build
DIFF_SEED ?= 20261121
DIFF_COUNT ?= 10000
FUZZ_SECONDS ?= 600

.PHONY: bootstrap build demo test unit-test interop-codec bench fuzz fuzz-build clean

bootstrap:
	@scripts/bootstrap.sh

build: bootstrap
	$(SWIFT) build --scratch-path $(SCRATCH)

demo: build
	$(SWIFT) run --scratch-path $(SCRATCH) ddnslab demo fixtures/zones/dyn.example.zone

test: bootstrap unit-test interop-codec

unit-test:
	$(SWIFT) test --scratch-path $(SCRATCH)

# Differential test of the codec against dnspython (ISSUE-2 point 3).
interop-codec:
	$(SWIFT) build --scratch-path $(SCRATCH) --product wirecheck
	python3 Tests/interop/dnspython_diff.py $(SCRATCH)/debug/wirecheck $(DIFF_SEED) $(DIFF_COUNT) $(SCRATCH)/interop-codec

# Release-build benchmarks; results as JSON under reports/bench/.
bench:
	$(SWIFT) run -c release --package-path Benchmarks --scratch-path Benchmarks/.build codec-bench reports/bench/codec.json

# libFuzzer on the message decoder, seeded from the fixture captures (see TOOLCHAIN.md for the flags).
fuzz-build:
	$(SWIFT) build -c release --package-path Fuzz --scratch-path Fuzz/.build --sanitize fuzzer \
		-Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld

fuzz: bootstrap fuzz-build
	scripts/fuzz-corpus.sh Fuzz/corpus/message
	mkdir -p Fuzz/artifacts
	SWIFT_BACKTRACE=enable=no Fuzz/.build/release/fuzz-message Fuzz/corpus/message \
		-max_total_time=$(FUZZ_SECONDS) -artifact_prefix=Fuzz/artifacts/ -print_final_stats=1

clean:
	rm -rf .build .build-* Fuzz/.build Benchmarks/.build
