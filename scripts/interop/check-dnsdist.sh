#!/usr/bin/env bash
# Issue 10, point 4: a real dnsdist 1.7 (Debian's) in front of our nameservers serves correct
# answers.
#
#   scripts/interop/check-dnsdist.sh DDNSLAB
#
# 1. `DDNSLAB serve`; a real dnsdist on REAL_DNSDIST:53 with ns1 and ns2 as its backends
#    (newServer), health-checked with the zone's SOA (`mustResolve`: a backend is up only when it
#    answers NOERROR), policy roundrobin and no packet cache, so that both our nameservers answer
#    about half of the questions. Wait (bounded) until dnsdist reports both backends up.
# 2. Every question of queries.txt through dnsdist over UDP and TCP, compared with a real PowerDNS
#    serving a copy of our primary's database (RCODE, AA, answer section, TTLs equal: no cache on
#    the way), as check-dns.sh does; and over UDP with ns1 asked directly (all sections).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
binary=${1:?usage: check-dnsdist.sh DDNSLAB}
interop_init dnsdist
need dig dnsdist pdns_server sqlite3 openssl

start_serve "$binary" "$WORK/data"
wait_until 10 same_serial "$NS1" "$NS2" || fail "ns2 does not serve ns1's serial within 10 s"
start_oracle "$WORK/data/ns1.sqlite3"

# The console (to read the backends' states): a 32-octet key, as makeKey() makes.
console_key=$(openssl rand -base64 32)
cat >"$WORK/dnsdist.lua" <<EOF
setLocal("$REAL_DNSDIST:$DNS_PORT")
setACL({"127.0.0.0/8"})
newServer({address="$NS1:$DNS_PORT", name="ns1", checkName="$ZONE.", checkType="SOA", mustResolve=true})
newServer({address="$NS2:$DNS_PORT", name="ns2", checkName="$ZONE.", checkType="SOA", mustResolve=true})
setServerPolicy(roundrobin)
controlSocket("127.0.0.1:$CONSOLE_PORT")
setKey("$console_key")
EOF
start_dnsdist dnsdist "$WORK/dnsdist.lua" "$REAL_DNSDIST"
console() { timeout 10 dnsdist -C "$WORK/dnsdist.lua" -c "127.0.0.1:$CONSOLE_PORT" -e "$1" 2>&1; }
both_up() { [ "$(console 'showServers()' | awk '$2 == "ns1" || $2 == "ns2" { print $4 }' | grep -c '^up$')" -eq 2 ]; }
wait_until 10 both_up || { console 'showServers()'; fail "dnsdist does not see both our nameservers up within 10 s"; }
say "dnsdist $(dnsdist --version | awk 'NR == 1 { print $2 }') sees ns1 and ns2 up (health check $ZONE SOA)"

status=0
SECTIONS=ANSWER compare_queries dnsdist-udp udp "$REAL_DNSDIST" "$DNS_PORT" udp "$ORACLE" "$DNS_PORT" exact || status=1
SECTIONS=ANSWER compare_queries dnsdist-tcp tcp "$REAL_DNSDIST" "$DNS_PORT" udp "$ORACLE" "$DNS_PORT" exact || status=1
compare_queries dnsdist-udp-as-ns1 udp "$REAL_DNSDIST" "$DNS_PORT" udp "$NS1" "$DNS_PORT" exact || status=1
console 'showServers()' | sed 's/^/  /'
stop_serve
[ $status -eq 0 ] || fail "answers through dnsdist differ (see above)"
say "passed"
