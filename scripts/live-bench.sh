#!/usr/bin/env bash
# Issue 10, point 6 (part of `make bench`): live throughput on loopback with dnsperf, our balancer and
# nameserver next to dnsdist 1.7.3 and PowerDNS 4.7.3 measured in the same run on the same machine.
#
#   scripts/live-bench.sh DDNSLAB OUTDIR        (DDNSLAB `none`: only the real peers)
#
# Targets, all serving the same zone (a copy of our primary's database; the fixture zone without
# DDNSLAB), all asked the questions of scripts/interop/queries.txt over UDP:
#   balancer     our lb1, `DDNSLAB serve scenarios/live/serve.yaml` (its packet cache on)
#   nameserver   our ns1 of the same serve (its 20 s packet cache on)
#   dnsdist      dnsdist with serve.yaml's balancer settings (pool `auth`, packet cache of 100000
#                entries, maxTTL 60, dontAge, leastOutstanding, SOA health checks) and the pdns below
#                as its one backend
#   pdns         pdns_server 4.7.3, gsqlite3, Debian's defaults: packet cache on (cache-ttl=20),
#                1 receiver and 3 distributor threads
# Each is warmed up for 1 s (caches filled), then measured for BENCH_SECONDS (10) in BENCH_ROUNDS
# (5) rounds of 2 s, the targets taking turns within each round, with
#   dnsperf -c 8 -T 1 -q 100 -l 2   (no -Q: as fast as the target answers)
# Taking turns: the machine's background load (a build, another VM) drifts over seconds, and one
# 10 s run per target put it on one side of the comparison; turns of 2 s spread it over all four.
# queries/s is all rounds' completed queries over their run time (each round's figure is kept).
# Why: on 2 cores, dnsperf's one sender and one receiver thread share the machine with the target;
# more dnsperf threads (-T 2) take cores from the target and made the figures noisier, not higher.
# A closed loop of 100 outstanding queries keeps the target saturated without queueing losses, so
# queries/s is its capacity on this machine; 8 clients are 8 source ports, as a few resolvers
# would be. dnsperf 2.10 reports average, standard deviation and maximum latency, no
# percentiles; at saturation the average is about outstanding / throughput (Little's law).
#
# Writes OUTDIR/live.json (per target: queries/s, completed %, lost, latencies in ms, response
# codes, version; `targets_met`: balancer >= dnsdist, nameserver >= pdns, null when not measured).
# Root is not needed: without it (or when port 53 is taken) everything runs at port offset 10000.
# Exits 77 (skipped) when a program is missing, 1 when a target does not answer.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:?usage: scripts/live-bench.sh DDNSLAB|none OUTDIR}
outdir=${2:?usage: scripts/live-bench.sh DDNSLAB|none OUTDIR}
seconds=${BENCH_SECONDS:-10}
rounds=${BENCH_ROUNDS:-5}
slice=$((seconds / rounds))
[ "$slice" -ge 1 ] || { echo "live-bench: BENCH_SECONDS ($seconds) is less than BENCH_ROUNDS ($rounds)" >&2; exit 1; }
dnsperf_args=(-c 8 -T 1 -q 100)
if [ "$binary" != none ]; then
    [ -x "$binary" ] || { echo "live-bench: $binary is not an executable" >&2; exit 1; }
    binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
fi
for tool in dnsperf dig pdns_server pdnsutil zone2sql dnsdist sqlite3 jq ss; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] \
        || { echo "live-bench: $tool is not installed (scripts/bootstrap.sh installs it); skipped"; exit 77; }
done

# Port offset: 0 as root when the plan's ports are free, else 10000.
plan_free() { ! (PORT_OFFSET=$1 && source scripts/interop/lib.sh && plan_taken); }
if [ -z "${PORT_OFFSET:-}" ]; then
    PORT_OFFSET=10000
    [ "$(id -u)" -eq 0 ] && plan_free 0 >/dev/null && PORT_OFFSET=0
fi
plan_free "$PORT_OFFSET" >/dev/null || { echo "live-bench: $(plan_free "$PORT_OFFSET") is taken (PORT_OFFSET=$PORT_OFFSET)" >&2; exit 1; }
export PORT_OFFSET
source scripts/interop/lib.sh
LIFETIME=$((seconds * 8 + 300))
interop_init live-bench
mkdir -p "$outdir"
grep -v '^#' "$QUERIES" | awk 'NF >= 2 { print $1, $2 }' >"$WORK/queries.txt"

# The zone: our primary's database (copied while serve runs), else the fixture.
if [ "$binary" != none ]; then
    start_serve "$binary" "$WORK/data"
    wait_until 10 same_serial "$NS1" "$NS2" || fail "ns2 does not serve ns1's serial within 10 s"
    snapshot_database "$WORK/data/ns1.sqlite3" "$WORK/pdns.sqlite3" || fail "cannot copy ns1.sqlite3"
    zone_source="a copy of our ns1.sqlite3"
else
    fixture_database "$WORK/pdns.sqlite3" >/dev/null 2>&1
    zone_source="fixtures/zones/dyn.example.zone"
fi
pdns_folder pdns "$BENCH_PDNS" "$WORK/pdns.sqlite3" primary=no secondary=no loglevel=4 >/dev/null
start_pdns pdns
cat >"$WORK/dnsdist.lua" <<EOF
setLocal("$BENCH_DNSDIST:$DNS_PORT")
setACL({"127.0.0.0/8"})
newServer({address="$BENCH_PDNS:$DNS_PORT", name="pdns", pool="auth", checkName="$ZONE.", checkType="SOA",
           mustResolve=true, checkInterval=1, maxCheckFailures=3, rise=2})
pc = newPacketCache(100000, {maxTTL=60, dontAge=true})
getPool("auth"):setCache(pc)
setPoolServerPolicy(leastOutstanding, "auth")
addAction(AllRule(), PoolAction("auth"))
EOF
start_dnsdist dnsdist "$WORK/dnsdist.lua" "$BENCH_DNSDIST"

# warm NAME ADDRESS: 1 s of the same load (caches filled), not recorded.
warm() {
    timeout 30 dnsperf -s "$2" -p "$DNS_PORT" -d "$WORK/queries.txt" -l 1 "${dnsperf_args[@]}" >/dev/null 2>&1 || true
}

# measure NAME ADDRESS ROUND: one measured run of seconds/rounds; WORK/NAME.ROUND.txt is dnsperf's report.
measure() {
    local name=$1 address=$2 round=$3 report=$WORK/$1.$3.txt
    timeout $((slice + 30)) dnsperf -s "$address" -p "$DNS_PORT" -d "$WORK/queries.txt" -l "$slice" "${dnsperf_args[@]}" \
        >"$report" 2>&1 || { cat "$report"; fail "dnsperf against $name failed"; }
    printf '  round %d %-10s %10.0f queries/s, %s completed\n' "$round" "$name" \
        "$(awk '/Queries per second:/ { print $4 }' "$report")" "$(awk '/Queries completed:/ { print $4 }' "$report" | tr -d '()')"
}

# result NAME VERSION: the rounds' dnsperf reports of NAME as one JSON object: counts summed,
# queries/s = completed / run time, latency average and standard deviation pooled over the rounds.
result() {
    local name=$1 version=$2
    awk -v version="$version" '
        /Queries sent:/ { sent += $3 }
        /Queries completed:/ { n = $3; completed += n }
        /Queries lost:/ { lost += $3 }
        /Queries per second:/ { rounds = rounds (rounds == "" ? "" : ",") sprintf("%.0f", $4) }
        /Run time \(s\):/ { runtime += $4 }
        /Average Latency \(s\):/ {
            mean = $4; lo = $6; hi = $8; gsub(/[(),]/, "", lo); gsub(/[(),]/, "", hi)
            sum += n * mean; if (min == "" || lo + 0 < min) min = lo + 0; if (hi + 0 > max) max = hi + 0
        }
        /Latency StdDev \(s\):/ { squares += n * ($4 * $4 + mean * mean) }
        /Response codes:/ {
            line = $0; sub(/.*Response codes: */, "", line); k = split(line, parts, /, */)
            for (i = 1; i <= k; i++) { split(parts[i], f, " "); if (!(f[1] in codes)) order[++m] = f[1]; codes[f[1]] += f[2] }
        }
        END {
            avg = completed ? sum / completed : 0; var = completed ? squares / completed - avg * avg : 0
            if (var < 0) var = 0
            printf "{\"version\":\"%s\",\"queries_sent\":%d,\"queries_completed\":%d,", version, sent, completed
            printf "\"completed_percent\":%.2f,\"queries_lost\":%d,", sent ? 100 * completed / sent : 0, lost
            printf "\"run_seconds\":%.3f,\"queries_per_second\":%.0f,\"rounds_queries_per_second\":[%s],", runtime, runtime ? completed / runtime : 0, rounds
            printf "\"latency_ms\":{\"average\":%.3f,\"stddev\":%.3f,\"min\":%.3f,\"max\":%.3f},", avg * 1000, sqrt(var) * 1000, min * 1000, max * 1000
            printf "\"response_codes\":{"
            for (i = 1; i <= m; i++) printf "%s\"%s\":%d", (i > 1 ? "," : ""), order[i], codes[order[i]]
            printf "}}\n"
        }' "$WORK/$name".*.txt
}

pdns_version=$( (pdns_server --version 2>&1 || true) | grep -o 'Authoritative Server [0-9.]*' | head -1 | awk '{ print $3 }')
dnsdist_version=$(dnsdist --version | awk 'NR == 1 { print $2 }')
ours_version="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo '+changes')"
targets=(pdns "$BENCH_PDNS" dnsdist "$BENCH_DNSDIST")
[ "$binary" = none ] || targets=(pdns "$BENCH_PDNS" nameserver "$NS1" dnsdist "$BENCH_DNSDIST" balancer "$LB1")
for ((i = 0; i < ${#targets[@]}; i += 2)); do warm "${targets[i]}" "${targets[i + 1]}"; done
echo "live-bench: $((slice * rounds)) s per target in $rounds rounds of $slice s: dnsperf ${dnsperf_args[*]}, UDP," \
    "$(wc -l <"$WORK/queries.txt") questions (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
for ((round = 1; round <= rounds; round++)); do
    for ((i = 0; i < ${#targets[@]}; i += 2)); do measure "${targets[i]}" "${targets[i + 1]}" "$round"; done
done
echo "live-bench: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$binary" = none ] || stop_serve
results=(--argjson pdns "$(result pdns "$pdns_version")" --argjson dnsdist "$(result dnsdist "$dnsdist_version")")
if [ "$binary" != none ]; then
    results+=(--argjson nameserver "$(result nameserver "ddnslab $ours_version")")
    results+=(--argjson balancer "$(result balancer "ddnslab $ours_version")")
else
    results+=(--argjson nameserver null --argjson balancer null)
fi

jq -n "${results[@]}" \
    --arg dnsperf "$(dnsperf -h 2>&1 | awk '/^Version/ { print $2 }')" --arg args "${dnsperf_args[*]} -l $slice" --argjson rounds "$rounds" \
    --arg zone "$zone_source" --argjson questions "$(wc -l <"$WORK/queries.txt")" \
    --argjson cores "$(nproc)" --arg kernel "$(uname -r)" --argjson offset "$PORT_OFFSET" '
    def faster(a; b): if a == null or b == null then null else a.queries_per_second >= b.queries_per_second end;
    {
      dnsperf: { version: $dnsperf, arguments: $args, rounds: $rounds, transport: "udp", questions: $questions,
                 question_file: "scripts/interop/queries.txt" },
      zone: $zone, machine: { cores: $cores, kernel: $kernel }, port_offset: $offset,
      targets: { balancer: $balancer, nameserver: $nameserver, dnsdist: $dnsdist, pdns: $pdns },
      targets_met: { balancer_at_least_dnsdist: faster($balancer; $dnsdist),
                     nameserver_at_least_pdns: faster($nameserver; $pdns) }
    }' >"$outdir/live.json"

echo "live-bench: $outdir/live.json"
jq -r '.targets | to_entries[] | select(.value != null) |
    "  \(.key): \(.value.queries_per_second) queries/s, \(.value.completed_percent)% completed, average \(.value.latency_ms.average) ms (\(.value.version))"' \
    "$outdir/live.json"
jq -r '.targets_met | to_entries[] | "  \(.key): \(.value)"' "$outdir/live.json"
