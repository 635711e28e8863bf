#!/usr/bin/env bash
# Issue 10, point 3 (first half): a real PowerDNS secondary takes our zone from our primary ns1 by
# AXFR after our NOTIFY, and answers identically.
#
#   scripts/interop/check-pdns-secondary.sh DDNSLAB
#
# 1. `DDNSLAB serve --notify REAL_SECONDARY:53` (our primary also NOTIFYs the real secondary and lets
#    it transfer the zone).
# 2. pdns_server (Debian's 4.7, gsqlite3) on REAL_SECONDARY with `secondary=yes`, its own empty
#    database holding one SECONDARY ("SLAVE") zone whose primary is ns1:53
#    (`pdnsutil create-secondary-zone`); its queries leave from its own address
#    (query-local-address). On start it checks the zone's serial and transfers it: wait (bounded)
#    until its serial is ns1's.
# 3. An update through our REST API (PUT of the first customer's A record): our primary bumps the
#    serial and NOTIFYs; the real secondary must log the NOTIFY from ns1 and serve the new serial and
#    the new address within 10 s (the delay is printed).
# 4. Every question of queries.txt, asked of both over UDP: same RCODE, AA and answer section, same
#    TTLs (both authoritative, neither counts TTLs down).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
binary=${1:?usage: check-pdns-secondary.sh DDNSLAB}
interop_init pdns-secondary
need dig curl jq pdns_server pdnsutil sqlite3

start_serve "$binary" "$WORK/data" --notify "$REAL_SECONDARY:$DNS_PORT"
serial=$(soa_serial "$NS1")
[ -n "$serial" ] || fail "ns1 ($NS1:$DNS_PORT) answers no SOA for $ZONE"

new_pdns_database "$WORK/secondary.sqlite3"
pdns_folder real-secondary "$REAL_SECONDARY" "$WORK/secondary.sqlite3" secondary=yes >/dev/null
pdnsutil_in real-secondary create-secondary-zone "$ZONE" "$NS1:$DNS_PORT" >"$WORK/pdnsutil.log" 2>&1 \
    || { cat "$WORK/pdnsutil.log"; fail "pdnsutil create-secondary-zone failed"; }
start_pdns real-secondary
log=$WORK/real-secondary/log
wait_until 20 serial_is "$REAL_SECONDARY" "$serial" || {
    tail -20 "$log" >&2
    fail "the real secondary does not serve serial $serial within 20 s of its start: '$(soa_serial "$REAL_SECONDARY")'"
}
say "the real secondary transferred $ZONE serial $serial from ns1 at its start"
notifies=$(grep -c "Received NOTIFY for $ZONE from $NS1" "$log" || true)

# The update.
customers=$WORK/data/customers.json
domain=$(jq -r '.[0].domain' "$customers")
account_token=$(jq -r '.[0].account_token' "$customers")
address=203.0.113.20
start=$(now_ms)
code=$(timeout 15 curl -sS -m 10 -o "$WORK/put.json" -w '%{http_code}' -X PUT -H "Authorization: Bearer $account_token" \
    -H 'Content-Type: application/json' -d "{\"ttl\": 60, \"records\": [\"$address\"]}" \
    "http://$WEB:$WEB_PORT/api/v1/domains/$domain/rrsets/@/A") || code=000
[ "$code" = 200 ] || fail "PUT of $domain A answered $code: $(cat "$WORK/put.json" 2>/dev/null)"
new_serial=$(soa_serial "$NS1")
[ "$new_serial" != "$serial" ] || fail "ns1's serial is still $serial after the update"
wait_until 10 serial_is "$REAL_SECONDARY" "$new_serial" || {
    tail -20 "$log" >&2
    fail "the real secondary does not serve serial $new_serial within 10 s of the update: '$(soa_serial "$REAL_SECONDARY")'"
}
delay=$(($(now_ms) - start))
[ "$(grep -c "Received NOTIFY for $ZONE from $NS1" "$log" || true)" -gt "$notifies" ] || {
    tail -20 "$log" >&2
    fail "the real secondary followed, but logged no NOTIFY from $NS1 after the update"
}
grep -q "AXFR-in zone: '$ZONE', primary: '${NS1}[^,]*, zone committed with serial $new_serial" "$log" || {
    tail -20 "$log" >&2
    fail "the real secondary logged no AXFR of serial $new_serial from $NS1"
}
got=$(dig +short +norec -p "$DNS_PORT" @"$REAL_SECONDARY" "$domain" A)
[ "$got" = "$address" ] || fail "the real secondary answers '$got' for $domain A, not $address"
say "after a NOTIFY from $NS1 and an AXFR the real secondary serves serial $new_serial and $domain A $address, $delay ms after the update"

SECTIONS=ANSWER compare_queries real-secondary-as-ns1 udp "$REAL_SECONDARY" "$DNS_PORT" udp "$NS1" "$DNS_PORT" exact \
    || fail "the real secondary answers differently from ns1"
stop_serve
say "passed"
