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
# Suites (issue 9): several files or a folder; the worst scenario decides the exit code.
expect 0 "$bin" run scenarios/quickstart.yaml scenarios/quickstart.yaml --quiet --duration 5s --jobs 2 --out "$work/suite-ok"
for f in junit.xml index.json index.html quickstart/report.json quickstart-2/summary.md; do
    [ -f "$work/suite-ok/$f" ] || { echo "cli: the suite did not write $f"; status=1; }
done
cmp -s "$work/ok/report.json" "$work/suite-ok/quickstart/report.json" \
    || { echo "cli: a scenario's report in a suite differs from its single run"; status=1; }
expect 1 "$bin" run scenarios/quickstart.yaml "$work/strict.yaml" --quiet --duration 5s --out "$work/suite-fail"
grep -q 'FAIL strict: legit.latency.p99' "$work/out" || { echo "cli: the suite table lacks the failed figure"; status=1; }
mkdir -p "$work/dir/sub" && cp "$work/strict.yaml" "$work/dir/sub/" && cp "$work/broken.yaml" "$work/dir/"
expect 2 "$bin" run "$work/dir" --quiet --duration 5s --out "$work/suite-bad"
grep -q '<testcase name="load" classname="ddnslab.broken">' "$work/suite-bad/junit.xml" \
    || { echo "cli: junit.xml lacks the invalid scenario's error test case"; status=1; }
[ -f "$work/suite-bad/sub/strict/report.json" ] || { echo "cli: a folder's scenarios below it did not run"; status=1; }
expect 2 "$bin" run "$work/no-such-folder" scenarios/quickstart.yaml --quiet
# compare (issue 9): 0 without a regression, 1 with one (a scenario that passed now fails), 2 bad input.
expect 0 "$bin" compare "$work/ok" "$work/suite-ok/quickstart/report.json"
expect 0 "$bin" compare "$work/suite-ok" "$work/suite-ok/index.json" --thresholds baselines/thresholds.yaml
expect 1 "$bin" compare "$work/ok/report.json" "$work/strict/report.json"
grep -q 'REGRESSED  quickstart  status' "$work/out" || { echo "cli: compare did not name the failing scenario"; status=1; }
expect 2 "$bin" compare "$work/broken.yaml" "$work/ok"
printf 'rules: [{figure: x, worse: sideways}]\n' > "$work/bad-thresholds.yaml"
expect 2 "$bin" compare "$work/ok" "$work/ok" --thresholds "$work/bad-thresholds.yaml"
# backup (issue 7): a run with a web server and a backup cycle leaves snapshots in <out>/work/backups;
# `backup restore` writes a database that passes integrity_check and holds the customers' records.
cat > "$work/backups.yaml" <<EOF
version: 1
name: backups-cli
seed: 5
duration: 1h
epoch: 2026-03-02T00:00:00Z
sites: { fsn1: { networks: [public, internal] }, internet: { networks: [public] } }
links: [{ between: [internet, fsn1], latency: { base: 15ms } }]
nameservers: [{ name: ns1, site: fsn1, role: primary, networks: [internal] }]
web: { name: www, site: fsn1 }
customers: { count: 20, zone: dyn.example, ttl: 60 }
zones: [$PWD/fixtures/zones/dyn.example.zone]
workload:
  - updaters: { name: ddc, model: ddclient, share: 100%, site: internet }
  - ip_changes: { kind: random, mean_interval: 20m }
backups: { of: ns1, every: 15m, keep: { "15m": 1d } }
expect: { backups.failed: "== 0" }
EOF
expect 0 "$bin" run "$work/backups.yaml" --quiet --out "$work/backups"
expect 0 "$bin" backup list "$work/backups/work/backups"
listed=$(awk -F'\t' '$1 == 4 && $3 == "verified" { sub(/.*@/, "", $6); print $6 }' "$work/out")
[ -n "$listed" ] || { echo "cli: backup list lacks verified snapshot 4"; cat "$work/out"; status=1; }
expect 0 "$bin" backup restore "$work/backups/work/backups" --snapshot 4 --to "$work/restored.sqlite"
grep -q "restored snapshot 4 (2026-03-02T00:45:00Z)" "$work/out" || { echo "cli: restore did not say what it restored"; status=1; }
expect 2 "$bin" backup restore "$work/backups/work/backups" --snapshot 99 --to "$work/restored-99.sqlite"
if command -v sqlite3 >/dev/null; then
    db="$work/restored.sqlite"
    [ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] || { echo "cli: the restored database fails integrity_check"; status=1; }
    # Customer A records, accounts, whether updates were logged, and the SOA serial `list` gave.
    got=$(sqlite3 "$db" "SELECT (SELECT count(*) FROM records WHERE name GLOB 'c[0-9][0-9].dyn.example' AND type = 'A')
        || ' ' || (SELECT count(*) FROM lab_accounts) || ' ' || (SELECT count(*) > 0 FROM lab_update_log)
        || ' ' || (SELECT substr(content, instr(content, ' 20') + 1, 10) FROM records WHERE type = 'SOA')")
    [ "$got" = "20 20 1 $listed" ] || { echo "cli: the restored database has '$got', want '20 20 1 $listed'"; status=1; }
else
    echo "cli: sqlite3 is absent (Debian sqlite3): the restored database is not checked"; status=1
fi
if command -v xmllint >/dev/null; then
    for xml in "$work/suite-ok/junit.xml" "$work/suite-bad/junit.xml"; do
        xmllint --noout --schema Tests/RegressionTests/Fixtures/junit-4.xsd "$xml" 2>"$work/err" \
            || { echo "cli: $xml does not validate"; cat "$work/err"; status=1; }
    done
else
    echo "cli: xmllint is absent (Debian libxml2-utils): junit.xml not validated"
fi
exit $status
