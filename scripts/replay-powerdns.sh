#!/usr/bin/env bash
# Issue 8, point 3: real dnsperf traffic against a real PowerDNS, captured with tcpdump on loopback,
# replayed through our cluster serving the same zone; at least 99.9% of the answers must be identical.
#
#   scripts/replay-powerdns.sh DDNSLAB [OUT.pcap]
#
# 1. Loads fixtures/zones/dyn.example.zone into a gsqlite3 database (zone2sql, pdnsutil rectify-zone)
#    and starts pdns_server on 127.0.53.53:53 (loopback only, its own configuration folder, at most
#    120 s).
# 2. tcpdump on lo captures three dnsperf clients (127.0.53.1 UDP, 127.0.53.2 UDP with EDNS,
#    127.0.53.3 TCP) sending the query list below.
# 3. Runs scenarios/replay/powerdns.yaml on that capture (a copy of the scenario in a temporary folder
#    with absolute paths) and prints the replay section: exit 0 when its expectations hold.
#
# OUT.pcap keeps the capture (fixtures/pcap/powerdns-dnsperf.pcap was made this way). Needs root (port
# 53, capturing), pdns-server, pdns-backend-sqlite3, dnsperf, tcpdump and sqlite3; exits 77 (skipped)
# when one is missing. Only the processes started here are stopped, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
ddnslab=${1:?usage: scripts/replay-powerdns.sh DDNSLAB [OUT.pcap]}
keep=${2:-}
for tool in pdns_server pdnsutil zone2sql dnsperf tcpdump sqlite3; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] \
        || { echo "replay-powerdns: $tool is not installed (apt-get install pdns-server pdns-backend-sqlite3 dnsperf tcpdump sqlite3); skipped"; exit 77; }
done
[ "$(id -u)" -eq 0 ] || { echo "replay-powerdns: needs root (port 53 and tcpdump); skipped"; exit 77; }
schema=/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql
[ -f "$schema" ] || { echo "replay-powerdns: $schema missing (pdns-backend-sqlite3); skipped"; exit 77; }

server=127.0.53.53
folder=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$folder"
}
trap cleanup EXIT

# 1. PowerDNS on the zone.
sqlite3 "$folder/pdns.sqlite3" <"$schema"
zone2sql --gsqlite --zone-name=dyn.example --zone=fixtures/zones/dyn.example.zone >"$folder/zone.sql"
sqlite3 "$folder/pdns.sqlite3" <"$folder/zone.sql"
mkdir "$folder/config"
printf 'launch=gsqlite3\ngsqlite3-database=%s\n' "$folder/pdns.sqlite3" >"$folder/config/pdns.conf"
# zone2sql writes no rows for empty non-terminals (customers.dyn.example); without them PowerDNS
# answers such a name from the apex wildcard. pdnsutil and the API rectify every zone they touch.
pdnsutil --config-dir="$folder/config" rectify-zone dyn.example >/dev/null
timeout 120 "$(command -v pdns_server || echo /usr/sbin/pdns_server)" --config-dir="$folder/config" \
    --socket-dir="$folder" --launch=gsqlite3 --gsqlite3-database="$folder/pdns.sqlite3" \
    --local-address=$server --local-port=53 --daemon=no --guardian=no --disable-syslog --write-pid=no \
    --webserver=no --api=no --primary=no --secondary=no >"$folder/pdns.log" 2>&1 &
pids+=($!)
up=0
for _ in $(seq 50); do
    if dig +short +time=1 +tries=1 @$server -p 53 dyn.example SOA 2>/dev/null | grep -q hostmaster; then up=1; break; fi
    sleep 0.2
done
[ $up -eq 1 ] || { echo "replay-powerdns: pdns_server does not answer on $server:53"; cat "$folder/pdns.log"; exit 1; }

# 2. The query list: every owner of the zone with its types, wildcard and NXDOMAIN names, NODATA,
# a referral and a name outside the zone.
cat >"$folder/queries.txt" <<'EOF'
dyn.example SOA
dyn.example NS
dyn.example MX
dyn.example TXT
dyn.example CAA
dyn.example A
dyn.example AAAA
_acme-challenge.dyn.example TXT
ns1.dyn.example A
ns1.dyn.example AAAA
ns2.dyn.example A
ns2.dyn.example AAAA
mx1.dyn.example A
www.dyn.example A
www.dyn.example AAAA
update.dyn.example A
update.dyn.example AAAA
_dyndns._tcp.dyn.example SRV
alice.dyn.example A
alice.dyn.example AAAA
alice.dyn.example MX
bob.dyn.example A
bob.dyn.example AAAA
carol.dyn.example A
_acme-challenge.carol.dyn.example TXT
dave.dyn.example A
home.dave.dyn.example A
nas.dave.dyn.example AAAA
erin.customers.dyn.example A
frank.customers.dyn.example AAAA
customers.dyn.example A
nosuchhost.dyn.example A
nosuchhost.dyn.example TXT
x.alice.dyn.example A
y.bob.dyn.example AAAA
corp.dyn.example A
host.corp.dyn.example A
example.org A
EOF
tcpdump -i lo -n -U -s 0 -w "$folder/capture.pcap" "host $server and port 53" 2>"$folder/tcpdump.log" &
tcpdump_pid=$!
pids+=($tcpdump_pid)
for _ in $(seq 50); do grep -q "listening on" "$folder/tcpdump.log" && break; sleep 0.1; done
run_dnsperf() { timeout 60 dnsperf -s $server -p 53 -d "$folder/queries.txt" -t 2 "$@" >>"$folder/dnsperf.log" 2>&1; }
run_dnsperf -a 127.0.53.1 -n 30 -Q 600 &
one=$!
run_dnsperf -a 127.0.53.2 -n 30 -Q 600 -e &
two=$!
run_dnsperf -a 127.0.53.3 -n 10 -Q 300 -m tcp &
three=$!
wait $one $two $three
sleep 1
kill -INT $tcpdump_pid
wait $tcpdump_pid 2>/dev/null || true
grep -E "Queries (sent|completed|lost)" "$folder/dnsperf.log" || true
[ -z "$keep" ] || cp "$folder/capture.pcap" "$keep"

# 3. Replay it through the cluster.
"$ddnslab" pcap inspect "$folder/capture.pcap" | head -20
sed -e "s|file: .*powerdns-dnsperf.pcap|file: $folder/capture.pcap|" \
    -e "s|\.\./\.\./fixtures/zones/|$PWD/fixtures/zones/|" \
    scenarios/replay/powerdns.yaml >"$folder/powerdns.yaml"
status=0
"$ddnslab" run "$folder/powerdns.yaml" --quiet --out "$folder/report" || status=$?
sed -n '/^## Replay/,/^## [^R]/p' "$folder/report/summary.md" | sed '$d'
sed -n '/^## Expectations/,$p' "$folder/report/summary.md"
echo "replay-powerdns: exit $status"
exit $status
