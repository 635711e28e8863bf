# ddnslab — the two set-up commands are `make demo` and `make test`.
SWIFT ?= swift
SCRATCH ?= .build
DIFF_SEED ?= 20261121
DIFF_COUNT ?= 10000
FUZZ_SECONDS ?= 600
# make regress: scenarios at once (empty: one per core) and where the suite's reports go.
JOBS ?=
REGRESS_OUT ?= $(SCRATCH)/regress

.PHONY: bootstrap build demo test unit-test interop-codec interop determinism cli lint scenarios regress baseline replay-powerdns sweep bench fuzz fuzz-build clean

bootstrap:
	@scripts/bootstrap.sh

build: bootstrap
	$(SWIFT) build --scratch-path $(SCRATCH)

demo: build
	@$(SCRATCH)/debug/ddnslab query --zone fixtures/zones/dyn.example.zone alice.dyn.example A
	@$(SCRATCH)/debug/ddnslab run scenarios/quickstart.yaml; status=$$?; \
		echo "quickstart report: reports/quickstart/summary.md and reports/quickstart/report.json"; exit $$status

test: bootstrap lint unit-test interop-codec determinism cli regress replay-powerdns sweep

unit-test:
	$(SWIFT) test --scratch-path $(SCRATCH)

# Seed sweep of the cluster scenario with random faults, shards, an injected bug and shrinking (issue 9).
SWEEP_SEEDS ?= 1000
sweep:
	$(SWIFT) build --scratch-path $(SCRATCH) --product ddnslab
	scripts/check-sweep.sh $(SCRATCH)/debug/ddnslab $(SWEEP_SEEDS)

# Two processes, same seed: identical reports (ISSUE-3 point 1).
determinism:
	$(SWIFT) build --scratch-path $(SCRATCH) --product ddnslab
	scripts/check-determinism.sh $(SCRATCH)/debug/ddnslab scenarios/quickstart.yaml scenarios/faults.yaml \
		scenarios/replication-crashes.yaml scenarios/failover.yaml scenarios/attacks/reflection.yaml \
		scenarios/attacks/slow-connections.yaml scenarios/updates/smoke.yaml \
		scenarios/updates/web-crash.yaml scenarios/replay/crash.yaml \
		scenarios/backups/restore.yaml

# STYLE.md §4.8: no clock, global randomness, threads, environment, Foundation or NIO in core targets.
lint:
	scripts/lint-determinism.sh

# Every scenario in scenarios/ and its folders runs and its expectations hold.
scenarios:
	$(SWIFT) build --scratch-path $(SCRATCH) --product ddnslab
	@status=0; for f in scenarios/*.yaml scenarios/*/*.yaml; do \
		$(SCRATCH)/debug/ddnslab run $$f --quiet --out $(SCRATCH)/scenario-reports/$$(basename $$(dirname $$f))-$$(basename $$f .yaml); code=$$?; \
		echo "scenario $$f: exit $$code"; [ $$code -eq 0 ] || status=1; \
	done; exit $$status

# Issue 9: the scenario library as a suite (junit.xml, index.html in $(REGRESS_OUT)), then its
# figures against the committed baseline; fails on a failed expectation or a regression (docs/ci.md).
regress:
	$(SWIFT) build --scratch-path $(SCRATCH) --product ddnslab
	@status=0; $(SCRATCH)/debug/ddnslab run scenarios --out $(REGRESS_OUT) $(if $(JOBS),--jobs $(JOBS)) || status=1; \
		$(SCRATCH)/debug/ddnslab compare baselines/library.json $(REGRESS_OUT) --thresholds baselines/thresholds.yaml \
		|| status=1; exit $$status

# After an intended change of figures: the last `make regress` becomes the baseline (review its diff).
baseline:
	cp $(REGRESS_OUT)/index.json baselines/library.json

# Issue 8 point 3: dnsperf against a real PowerDNS, captured, replayed through the cluster (>= 99.9%
# identical answers). Skipped (exit 77) without root or the tools; scripts/bootstrap.sh installs them.
replay-powerdns:
	$(SWIFT) build --scratch-path $(SCRATCH) --product ddnslab
	@scripts/replay-powerdns.sh $(SCRATCH)/debug/ddnslab; code=$$?; \
		if [ $$code -eq 77 ]; then echo "replay-powerdns: skipped"; exit 0; fi; exit $$code

# Issue 10: `ddnslab serve` on loopback, checked by real clients (dig, kdig, curl, ddclient) and real
# peers (PowerDNS 4.7 as secondary and as primary, dnsdist 1.7); scripts/interop/run.sh says what.
# Skipped (exit 77) without root; scripts/bootstrap.sh installs the programs.
interop: bootstrap
	$(SWIFT) build --scratch-path $(SCRATCH) --product ddnslab
	@scripts/interop/run.sh $(SCRATCH)/debug/ddnslab; code=$$?; \
		if [ $$code -eq 77 ]; then echo "interop: skipped"; exit 0; fi; exit $$code

# Exit codes of the run and validate commands.
cli:
	$(SWIFT) build --scratch-path $(SCRATCH) --product ddnslab
	scripts/check-cli.sh $(SCRATCH)/debug/ddnslab

# Differential test of the codec against dnspython (ISSUE-2 point 3).
interop-codec:
	$(SWIFT) build --scratch-path $(SCRATCH) --product wirecheck
	python3 Tests/interop/dnspython_diff.py $(SCRATCH)/debug/wirecheck $(DIFF_SEED) $(DIFF_COUNT) $(SCRATCH)/interop-codec

# Release-build benchmarks; results as JSON under reports/bench/.
bench:
	@# SwiftPM does not notice new source files of a path dependency without re-planning.
	rm -f Benchmarks/.build/*.yaml Benchmarks/.build/*.json
	$(SWIFT) build -c release --package-path Benchmarks --scratch-path Benchmarks/.build
	Benchmarks/.build/release/codec-bench reports/bench/codec.json
	Benchmarks/.build/release/sim-bench reports/bench/sim.json fixtures/zones/dyn.example.zone
	Benchmarks/.build/release/balancer-bench reports/bench/balancer.json
	Benchmarks/.build/release/zone-bench 1000000 /tmp/ddnslab-zone-bench.sqlite3 reports/bench/zone.json
	Benchmarks/.build/release/web-bench reports/bench/web.json
	Benchmarks/.build/release/pcap-bench reports/bench/pcap.json fixtures/pcap 2000000
	Benchmarks/.build/release/backup-bench reports/bench/backups.json scenarios/backups/ninety-days.yaml
	@# Issue 10: dnsperf on loopback against `ddnslab serve`, dnsdist and pdns_server (skipped without them).
	$(SWIFT) build -c release --scratch-path $(SCRATCH) --product ddnslab
	@scripts/live-bench.sh $(SCRATCH)/release/ddnslab reports/bench; code=$$?; \
		if [ $$code -eq 77 ]; then echo "live-bench: skipped"; exit 0; fi; exit $$code

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
