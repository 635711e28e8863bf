#!/usr/bin/env bash
# STYLE.md §4.8: core and simulation targets never read the wall clock, global randomness, threads,
# the environment or the process; only the CLI, benchmarks and tests may. Also: NIO never enters a
# core or simulation target. Exit 1 with every offending line.
set -uo pipefail
cd "$(dirname "$0")/.."
core="Sources/Determinism Sources/LabMetrics Sources/DNSWire Sources/DNSZone Sources/Nameserver Sources/Traffic Sources/Balancer \
Sources/SimNet Sources/Scenario Sources/Reports Sources/Simulation Sources/PcapDecode Sources/PcapReplay Sources/Storage \
Sources/HTTPWire Sources/WebServer Sources/Regression Sources/Backup"
pattern='(^|[^A-Za-z_])Date(\(|\.now)|ContinuousClock|SuspendingClock|SystemRandomNumberGenerator|\.random\(in:|\.randomElement\(\)|\.shuffled\(\)|UUID\(\)|DispatchQueue|Task \{|Thread\(|ProcessInfo|getenv\(|import NIO|import Foundation'
# .random(in:) is allowed with an explicit generator (using:).
hits=$(grep -rnE "$pattern" $core | grep -v 'using:' | grep -v '^\s*//' | grep -vE ':[0-9]+:\s*(///|//)')
if [ -n "$hits" ]; then
    echo "lint-determinism: forbidden in core and simulation targets (STYLE.md §4):"
    echo "$hits"
    exit 1
fi
echo "lint-determinism: core and simulation targets are free of clocks, global randomness, threads, environment, Foundation and NIO"
