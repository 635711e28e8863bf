#!/usr/bin/env bash
# The run command's exit codes (issue 3): 0 expectations hold, 1 one failed, 2 invalid input.
set -uo pipefail
bin=${1:?usage: check-cli.sh DDNSLAB}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
expect() {
    local want=$1; shift
    "$@" >"$work/out" 2>"$work/err"
    local got=$?
    if [ "$got" -ne "$want" ]; then
        echo "cli: '$*' exited $got, expected $want"; cat "$work/err"; status=1
    else
        echo "cli: exit $got as expected: $*"
    fi
}
sed 's/legit.latency.p99: "< 50ms"/legit.latency.p99: "< 1ms"/' scenarios/quickstart.yaml > "$work/strict.yaml"
sed -i 's#\.\./fixtures#'"$PWD"'/fixtures#' "$work/strict.yaml"
printf 'version: 1\nname: broken\nduration: fast\n' > "$work/broken.yaml"
expect 0 "$bin" run scenarios/quickstart.yaml --quiet --duration 5s --out "$work/ok"
expect 1 "$bin" run "$work/strict.yaml" --quiet --duration 5s --out "$work/strict"
expect 2 "$bin" run "$work/broken.yaml" --quiet
expect 2 "$bin" validate "$work/broken.yaml"
grep -q "broken.yaml:3:11: error:" "$work/err" || { echo "cli: validate did not give file:line:column"; cat "$work/err"; status=1; }
expect 0 "$bin" validate scenarios/quickstart.yaml scenarios/faults.yaml
# pcap inspect (issue 8): 0 for a capture, 2 for a file that is not one; the JSON names decoded and malformed.
expect 0 "$bin" pcap inspect --json fixtures/pcap/dnscap-dns.pcap
grep -q '"decoded": 82' "$work/out" || { echo "cli: pcap inspect --json lacks messages.decoded"; status=1; }
expect 2 "$bin" pcap inspect "$work/broken.yaml"
# A replay whose capture cannot be read is invalid input (2), with the scenario's line and column.
sed -e 's#powerdns-dnsperf.pcap#no-such-capture.pcap#' -e 's#\.\./\.\./fixtures#'"$PWD"'/fixtures#' \
    scenarios/replay/powerdns.yaml > "$work/nocapture.yaml"
expect 2 "$bin" run "$work/nocapture.yaml" --quiet --out "$work/nocapture"
grep -q "nocapture.yaml:[0-9]*:[0-9]*: error: replay 'pdns': cannot read" "$work/err" \
    || { echo "cli: a missing capture is not reported with its position"; cat "$work/err"; status=1; }
exit $status
