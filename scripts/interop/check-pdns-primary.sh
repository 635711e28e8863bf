#!/usr/bin/env bash
# Issue 10, point 3 (second half): our secondary ns2 takes a zone from a real PowerDNS primary,
# answers it like the primary, and follows the primary's changes.
#
#   scripts/interop/check-pdns-primary.sh DDNSLAB
#
# 1. pdns_server (Debian's 4.7, gsqlite3) on REAL_PRIMARY with `primary=yes`: the fixture zone
#    loaded with `pdnsutil load-zone`, kind primary, rectified; NOTIFY to ns2 only (also-notify;
#    `only-notify=` empty keeps it from notifying the zone's NS addresses, documentation addresses
#    off this machine), from its own address (query-local-address), AXFR allowed from loopback.
# 2. `DDNSLAB serve --follow ns2=REAL_PRIMARY:53`: wait (bounded) until ns2 serves the primary's
#    serial; every question of queries.txt asked of both over UDP: same RCODE, AA, answer section
#    and TTLs.
# 3. An edit on the primary as an operator makes it: `pdnsutil replace-rrset` of alice's A record,
#    `pdnsutil increase-serial`, `pdns_control purge` (pdnsutil writes the database behind the
#    running server's packet cache, which would answer ns2's SOA query with the old serial for up to
#    cache-ttl) and `pdns_control notify`. ns2 must serve the new serial and address within 10 s
#    (the delay is printed), and answer every question like the primary again.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
binary=${1:?usage: check-pdns-primary.sh DDNSLAB}
interop_init pdns-primary
need dig pdns_server pdnsutil pdns_control sqlite3

new_pdns_database "$WORK/primary.sqlite3"
pdns_folder real-primary "$REAL_PRIMARY" "$WORK/primary.sqlite3" primary=yes only-notify= \
    "also-notify=$NS2:$DNS_PORT" allow-axfr-ips=127.0.0.0/8 >/dev/null
{
    pdnsutil_in real-primary load-zone "$ZONE" "$FIXTURE"
    pdnsutil_in real-primary set-kind "$ZONE" primary
    pdnsutil_in real-primary rectify-zone "$ZONE"
} >"$WORK/pdnsutil.log" 2>&1 || { cat "$WORK/pdnsutil.log"; fail "pdnsutil could not load the fixture zone"; }
start_pdns real-primary
serial=$(soa_serial "$REAL_PRIMARY")
[ -n "$serial" ] || fail "the real primary answers no SOA for $ZONE"

start_serve "$binary" "$WORK/data" --follow "ns2=$REAL_PRIMARY:$DNS_PORT"
start=$(now_ms)
wait_until 20 serial_is "$NS2" "$serial" \
    || fail "ns2 does not serve the real primary's serial $serial within 20 s: '$(soa_serial "$NS2")'"
say "ns2 serves the real primary's $ZONE serial $serial ($(($(now_ms) - start)) ms after serve was ready)"
SECTIONS=ANSWER compare_queries ns2-as-real-primary udp "$NS2" "$DNS_PORT" udp "$REAL_PRIMARY" "$DNS_PORT" exact \
    || fail "ns2 answers differently from the real primary"

# The edit.
address=203.0.113.30
{
    pdnsutil_in real-primary replace-rrset "$ZONE" alice A 60 "$address"
    pdnsutil_in real-primary increase-serial "$ZONE"
    pdns_control_in real-primary purge "$ZONE\$"
    pdns_control_in real-primary notify "$ZONE"
} >>"$WORK/pdnsutil.log" 2>&1 || { cat "$WORK/pdnsutil.log"; fail "the edit on the real primary failed"; }
start=$(now_ms)
new_serial=$(soa_serial "$REAL_PRIMARY")
[ "$new_serial" != "$serial" ] || fail "the real primary's serial is still $serial after increase-serial"
wait_until 10 serial_is "$NS2" "$new_serial" \
    || fail "ns2 does not serve serial $new_serial within 10 s of the primary's NOTIFY: '$(soa_serial "$NS2")'"
delay=$(($(now_ms) - start))
got=$(dig +short +norec -p "$DNS_PORT" @"$NS2" alice."$ZONE" A)
[ "$got" = "$address" ] || fail "ns2 answers '$got' for alice.$ZONE A after the transfer, not $address"
# RFC 1996 §4.7: the secondary answers the NOTIFY; else PowerDNS keeps sending it.
wait_until 5 grep -q "Removed from notification list: '$ZONE' to $NS2:$DNS_PORT (was acknowledged)" "$WORK/real-primary/log" \
    || fail "the real primary logged no acknowledgement of its NOTIFY by ns2 within 5 s"
say "after the primary's edit and NOTIFY, ns2 serves serial $new_serial and alice.$ZONE A $address, $delay ms after pdns_control notify"
SECTIONS=ANSWER compare_queries ns2-as-real-primary-after udp "$NS2" "$DNS_PORT" udp "$REAL_PRIMARY" "$DNS_PORT" exact \
    || fail "ns2 answers differently from the real primary after the edit"
stop_serve
say "passed"
