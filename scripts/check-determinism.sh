#!/usr/bin/env bash
# Determinism check (issue 3, point 1): each scenario runs in two separate processes with the same
# seed; report.json must be byte-identical (it holds the trace digest). A different seed must give a
# different trace digest. Never set SWIFT_DETERMINISTIC_HASHING here: it would hide hash-order leaks.
set -euo pipefail
bin=${1:?usage: check-determinism.sh DDNSLAB SCENARIO...}
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
digest() { sed -n 's/.*"digest": "\([0-9a-f]\{16\}\)".*/\1/p' "$1" | tail -1; }
for scenario in "$@"; do
    name=$(basename "$scenario" .yaml)
    set +e
    "$bin" run "$scenario" --quiet --out "$work/$name-a" ; a=$?
    "$bin" run "$scenario" --quiet --out "$work/$name-b" ; b=$?
    seed=$(sed -n 's/^seed: *\([0-9]*\).*/\1/p' "$scenario")
    "$bin" run "$scenario" --quiet --seed $(( ${seed:-1} + 1 )) --out "$work/$name-c" ; c=$?
    set -e
    for code in $a $b $c; do
        if [ "$code" -gt 1 ]; then echo "determinism: $name: run failed with exit $code"; status=1; fi
    done
    if cmp -s "$work/$name-a/report.json" "$work/$name-b/report.json"; then
        echo "determinism: $name: two processes, identical report.json (trace $(digest "$work/$name-a/report.json"))"
    else
        echo "determinism: $name: report.json differs between two processes with the same seed"
        diff "$work/$name-a/report.json" "$work/$name-b/report.json" | head -20
        status=1
    fi
    if [ "$(digest "$work/$name-a/report.json")" = "$(digest "$work/$name-c/report.json")" ]; then
        echo "determinism: $name: a different seed gave the same trace digest"
        status=1
    else
        echo "determinism: $name: another seed, another trace digest ($(digest "$work/$name-c/report.json"))"
    fi
done
exit $status
