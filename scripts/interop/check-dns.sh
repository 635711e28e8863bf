#!/usr/bin/env bash
# Issue 10, point 1: real DNS clients through our balancer lb1 get correct answers for every record
# type of the fixture zone: dig over UDP and TCP, kdig over TLS (DoT) and HTTPS (DoH, RFC 8484:
# POST and GET over HTTP/2), and curl over HTTP/1.1 (DoH POST and GET).
#
#   scripts/interop/check-dns.sh DDNSLAB
#
# Starts `DDNSLAB serve` (lib.sh's start_serve), then for each question of queries.txt:
# - "correct" = as a real PowerDNS (the oracle, caches off) answers from a copy of our primary's
#   database (ns1.sqlite3, PowerDNS's gsqlite3 schema): RCODE, AA and the answer section as a set,
#   the comparison of Sources/HarnessTesting/PowerDNSInterop.swift (authority and additional
#   sections are a policy where servers legitimately differ). TTLs at most the oracle's: the
#   balancer's cache counts them down.
# - the balancer adds nothing and loses nothing: lb1 over every transport answers as ns1 asked
#   directly, all sections.
# Ends with SIGINT to serve, which must exit 0.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
binary=${1:?usage: check-dns.sh DDNSLAB}
interop_init dns
need dig kdig curl pdns_server sqlite3 od

start_serve "$binary" "$WORK/data"
[ -f "$WORK/data/ns1.sqlite3" ] || fail "serve made no $WORK/data/ns1.sqlite3"
# The secondary has the primary's serial before anything is compared (lb1 asks both).
wait_until 10 same_serial "$NS1" "$NS2" \
    || fail "ns2 does not serve ns1's serial ($(soa_serial "$NS1")) within 10 s: $(soa_serial "$NS2")"
start_oracle "$WORK/data/ns1.sqlite3"

# Every type of the fixture zone is asked (the oracle lists the zone: AXFR is allowed from loopback).
zone_types=$(dig +noall +answer -p "$DNS_PORT" @"$ORACLE" "$ZONE" AXFR | awk '{ print $4 }' | sort -u)
for type in $zone_types; do
    grep -v '^#' "$QUERIES" | awk '{ print $2 }' | grep -qx "$type" || fail "queries.txt asks no $type question (the zone has one)"
done
say "zone types: $(tr "\n" " " <<<"$zone_types")all asked"

status=0
SECTIONS=ANSWER
compare_queries lb1-udp udp "$LB1" "$DNS_PORT" udp "$ORACLE" "$DNS_PORT" atmost || status=1
compare_queries lb1-tcp tcp "$LB1" "$DNS_PORT" udp "$ORACLE" "$DNS_PORT" atmost || status=1
compare_queries lb1-dot tls "$LB1" "$DOT_PORT" kdig-udp "$ORACLE" "$DNS_PORT" atmost || status=1
compare_queries lb1-doh-post https "$LB1" "$DOH_PORT" kdig-udp "$ORACLE" "$DNS_PORT" atmost || status=1
compare_queries lb1-doh-get https-get "$LB1" "$DOH_PORT" kdig-udp "$ORACLE" "$DNS_PORT" atmost || status=1
compare_queries lb2-udp udp "$LB2" "$DNS_PORT" udp "$ORACLE" "$DNS_PORT" atmost || status=1
SECTIONS="ANSWER AUTHORITY ADDITIONAL"
compare_queries lb1-udp-as-ns1 udp "$LB1" "$DNS_PORT" udp "$NS1" "$DNS_PORT" atmost || status=1
compare_queries lb1-dot-as-ns1 tls "$LB1" "$DOT_PORT" kdig-udp "$NS1" "$DNS_PORT" atmost || status=1
compare_queries lb1-doh-as-ns1 https "$LB1" "$DOH_PORT" kdig-udp "$NS1" "$DNS_PORT" atmost || status=1

# DoH over HTTP/1.1 (kdig speaks HTTP/2 only): one query by POST and by GET with curl; the answer
# must be a response (QR) with RCODE 0, one answer record, and alice's address 192.0.2.101.
query='\x00\x00\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x05alice\x03dyn\x07example\x00\x00\x01\x00\x01'
printf '%b' "$query" >"$WORK/alice.bin"
get=$(base64 -w0 <"$WORK/alice.bin" | tr '+/' '-_' | tr -d '=')
doh11() {
    local label=$1
    shift
    local code
    code=$(timeout 10 curl -sS -k --http1.1 -o "$WORK/doh-$label.bin" -w '%{http_code} %{content_type} %{http_version}' \
        -H 'accept: application/dns-message' "$@") || { echo "  doh-http1.1-$label: curl failed"; return 1; }
    local hex
    hex=$(od -An -tx1 -v "$WORK/doh-$label.bin" | tr -d ' \n')
    # Header: ID 0000, flags with QR set and RCODE 0, QDCOUNT 1, ANCOUNT 1.
    if [[ $code == "200 application/dns-message 1.1" && ${#hex} -ge 24 ]] && (((0x${hex:4:2} & 0x80) != 0 \
        && (0x${hex:6:2} & 0x0f) == 0)) && [[ ${hex:8:8} == 00010001 && $hex == *c0000265* ]]; then
        say "doh-http1.1-$label: alice.dyn.example A answered over HTTP/1.1 ($code)"
    else
        echo "  doh-http1.1-$label: got '$code' and $hex"
        return 1
    fi
}
doh11 post -H 'content-type: application/dns-message' --data-binary @"$WORK/alice.bin" "https://$LB1:$DOH_PORT/dns-query" || status=1
doh11 get "https://$LB1:$DOH_PORT/dns-query?dns=$get" || status=1

stop_serve
[ $status -eq 0 ] || fail "answers differ (see above)"
say "passed"
