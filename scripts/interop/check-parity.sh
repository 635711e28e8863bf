#!/usr/bin/env bash
# Issue 10 point 5: parity between live and simulated. SERVE_CONFIG (scenarios/live/serve.yaml) is
# run in the simulator with --pcap-out: its workload (50 resolvers, Poisson 200 q/s for 20 s through
# lb1 and lb2) and the cluster's own traffic, captured as it reached each receiver. Then the same
# file is served live, and every captured standard query is sent to our live lb1 and to ns2
# (`ddnslab pcap send`): each answer must be the simulated one (RCODE and answer records; TTLs are
# not compared, as in a replay).
#
# The zone's SOA serial is dated by the day of the first start (SOA-EDIT-API), so the simulated
# run is given today's date as its epoch; the rest of both clusters follows from the seed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init parity
binary=${1:?usage: check-parity.sh DDNSLAB}
[ -f "$SERVE_CONFIG" ] || { say "no serve configuration (the stand-in): nothing to compare"; exit 0; }

sed -e "s#\.\./\.\./fixtures#$REPO/fixtures#" -e "s#^duration: .*#&\nepoch: $(date -u +%Y-%m-%dT%H:%M:%SZ)#" \
    "$SERVE_CONFIG" >"$WORK/parity.yaml"
"$binary" run "$WORK/parity.yaml" --quiet --out "$WORK/simulated" --pcap-out "$WORK/simulated.pcap" \
    || fail "the simulated run of $SERVE_CONFIG failed (report in $WORK/simulated)"
SERVE_CONFIG=$WORK/parity.yaml start_serve "$binary" "$WORK/data"
for target in "$LB1" "$NS2"; do
    "$binary" pcap send "$WORK/simulated.pcap" --to "$target:$DNS_PORT" --show 10 >"$WORK/send-$target.txt" \
        || { cat "$WORK/send-$target.txt" >&2; fail "live answers from $target differ from the simulated ones"; }
    say "$target: $(tail -1 "$WORK/send-$target.txt")"
done
stop_serve
say "passed: every query of the simulated run gets the same answer live"
