#!/usr/bin/env bash
# A stand-in for `ddnslab serve`, made of real peers, to test the interop scripts themselves:
#
#   scripts/interop/run.sh scripts/interop/standin/serve.sh
#
# It takes serve's command line (`serve CONFIG --data DIR [--port-offset N] [--notify IP:PORT]...
# [--follow ns2=IP:PORT]`) and listens where the contract says ddnslab does (scripts/interop/lib.sh):
# a real pdns_server as ns1 (primary, gsqlite3, the fixture zone plus customers c00001..c00003) and
# as ns2 (its secondary), a real dnsdist as lb1 and lb2 (Do53, DoT, DoH on a self-signed
# certificate), and web.py as the web server. CONFIG is ignored. It writes DIR/ns1.sqlite3,
# DIR/ns2.sqlite3, DIR/tls/{cert,key}.pem, DIR/customers.json and DIR/serve.json, prints `ready`,
# and stops everything and exits 0 on SIGINT or SIGTERM.
#
# What passing against it shows: the checks' commands, peer configurations and comparisons work
# with real PowerDNS 4.7 and dnsdist 1.7 in our places. It says nothing about ddnslab.
set -euo pipefail
[ "${1:-}" = serve ] || { echo "usage: serve.sh serve CONFIG --data DIR [--port-offset N] [--notify IP:PORT]... [--follow ns2=IP:PORT]" >&2; exit 2; }
shift 2
data="" notify=() follow=""
while [ $# -gt 0 ]; do
    case $1 in
        --data) data=$2; shift 2 ;;
        --port-offset) export PORT_OFFSET=$2; shift 2 ;;
        --notify) notify+=("$2"); shift 2 ;;
        --follow) [ "${2%%=*}" = ns2 ] || { echo "standin: only ns2 can follow" >&2; exit 2; }; follow=${2#ns2=}; shift 2 ;;
        *) echo "standin: unknown argument $1" >&2; exit 2 ;;
    esac
done
[ -n "$data" ] || { echo "standin: --data DIR is required" >&2; exit 2; }
source "$(dirname "$0")/../lib.sh"
mkdir -p "$data"
data=$(cd "$data" && pwd)
CHECK=standin
WORK=$data/standin
mkdir -p "$WORK"

stopping() {
    trap - INT TERM EXIT
    stop_started
    exit 0
}
trap stopping INT TERM EXIT

# ns1: the fixture zone and three customers, as primary (NOTIFY to ns2 and every --notify target
# only: `only-notify=` empty keeps it from notifying the zone's NS addresses).
fixture_database "$data/ns1.sqlite3" >/dev/null 2>&1
pdns_folder ns1 "$NS1" "$data/ns1.sqlite3" primary=yes only-notify= allow-axfr-ips=127.0.0.0/8 \
    "also-notify=$(IFS=,; echo "$NS2:$DNS_PORT${notify[*]:+,${notify[*]}}")" >/dev/null
pdnsutil_in ns1 set-kind "$ZONE" primary >/dev/null 2>&1
customers="["
for i in 1 2 3; do
    domain=$(printf 'c%05d.%s' "$i" "$ZONE")
    pdnsutil_in ns1 add-record "$ZONE" "${domain%".$ZONE"}" A 60 "198.19.0.$i" >/dev/null 2>&1
    [ "$i" -eq 1 ] || customers+=","
    customers+="{\"account\":\"customer$i\",\"domain\":\"$domain\",\"token\":\"$(openssl rand -hex 16)\",\"account_token\":\"$(openssl rand -hex 16)\",\"ipv4\":\"198.19.0.$i\"}"
done
echo "$customers]" >"$data/customers.json"
pdnsutil_in ns1 rectify-zone "$ZONE" >/dev/null 2>&1
start_pdns ns1

# ns2: secondary of ns1, or of the --follow primary.
new_pdns_database "$data/ns2.sqlite3"
pdns_folder ns2 "$NS2" "$data/ns2.sqlite3" secondary=yes >/dev/null
pdnsutil_in ns2 create-secondary-zone "$ZONE" "${follow:-$NS1:$DNS_PORT}" >/dev/null 2>&1
start_pdns ns2

# lb1, lb2: dnsdist without a packet cache (the stand-in's web server does not purge one).
mkdir -p "$data/tls"
[ -f "$data/tls/cert.pem" ] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
    -subj /CN=ddnslab-standin -keyout "$data/tls/key.pem" -out "$data/tls/cert.pem" 2>/dev/null
for lb in 1 2; do
    address=$([ $lb -eq 1 ] && echo "$LB1" || echo "$LB2")
    cat >"$WORK/lb$lb.lua" <<EOF
setLocal("$address:$DNS_PORT")
addTLSLocal("$address:$DOT_PORT", "$data/tls/cert.pem", "$data/tls/key.pem")
addDOHLocal("$address:$DOH_PORT", "$data/tls/cert.pem", "$data/tls/key.pem", "/dns-query")
newServer({address="$NS1:$DNS_PORT"})
newServer({address="$NS2:$DNS_PORT"})
EOF
    start_dnsdist "lb$lb" "$WORK/lb$lb.lua" "$address"
done

# The web server.
STANDIN_CUSTOMERS=$data/customers.json STANDIN_PDNS=$WORK/ns1 STANDIN_ZONE=$ZONE STANDIN_ADDRESS=$WEB \
    STANDIN_PORT=$WEB_PORT timeout -s TERM "$LIFETIME" python3 "$(dirname "$0")/web.py" >"$WORK/web.log" 2>&1 &
started+=($!)
wait_until 10 curl -s -o /dev/null "http://$WEB:$WEB_PORT/" || { cat "$WORK/web.log" >&2; echo "standin: web.py does not answer" >&2; exit 1; }

cat >"$data/serve.json" <<EOF
{"standin": true, "nameservers": {"ns1": "$NS1:$DNS_PORT", "ns2": "$NS2:$DNS_PORT"},
 "balancers": {"lb1": "$LB1", "lb2": "$LB2"}, "web": "$WEB:$WEB_PORT"}
EOF
echo "standin: ready"
# Wait for a signal (bounded by LIFETIME); `wait` returns when the trap runs.
sleep "$LIFETIME" &
started+=($!)
wait $! || true
