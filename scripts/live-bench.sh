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
# (10) rounds of 1 s, the targets taking turns within each round, with
#   dnsperf -c 8 -T 2 -q 200 -l 1   (no -Q: as fast as the target answers)
# Why these settings, on a machine of 2 cores (measured with pdns_server and dnsdist, by the CPU
# time of the server's processes during the run):
# - Pinning (BENCH_PIN=1, the default with 2 or more cores): every server runs on core 1 (taskset),
#   dnsperf on core 0. Unpinned, dnsperf's threads and the server's share both cores as the
#   scheduler places them: pdns_server used 70-78 % of a core and answered 250 000 to 410 000
#   queries/s from one run to the next. Pinned, the target's core is the bottleneck, and each
#   figure is what one core does, for every target alike (pdns's receiver thread, dnsdist's
#   listener and responder threads, our event loops).
# - Two dnsperf threads (-T 2, 200 outstanding, no -Q): with one thread, core 0 could not keep the
#   servers busy (pdns 89-91 % of its core, average latency 0.09 ms: about 30 queries
#   outstanding, not 100); with two, pdns used 99 % and dnsdist 91-94 %. So queries/s is the
#   target's capacity. 8 clients are 8 source ports, as a few resolvers would be.
# - Taking turns in many short rounds: this machine's speed varies from second to second (pdns at
#   99 % of its core answered 318 000 to 532 000 queries/s in consecutive 3 s runs: a shared
#   host), so one 10 s run per target would put a slow stretch on one side of a comparison. A
#   target's figure is its median round; every round's figure and the server's CPU use (median,
#   % of one core) are kept beside it. The targets are decided pairwise: in each round ours is
#   measured right before or after its peer (the order alternates), and the median of the rounds'
#   ratios counts.
# dnsperf 2.10 reports average, standard deviation and maximum latency, no percentiles; at
# saturation the average is about outstanding / throughput (Little's law).
#
# Writes OUTDIR/live.json: per target queries/s (median round), completed %, lost, latencies in ms,
# response codes, server CPU, version; per pair (balancer and dnsdist, nameserver and pdns) the
# ratios of the rounds, each ours over the peer's measured next to it, and their median;
# `targets_met`: that median >= 1 (balancer >= dnsdist, nameserver >= pdns), null when not measured.
# The same pdns_server measured against itself this way gave a median ratio of 0.99, so each pair
# also says `tie` within 3 % (`faster`, `slower` beyond).
# Root is not needed: without it (or when port 53 is taken) everything runs at port offset 10000.
# Exits 77 (skipped) when a program is missing, 1 when a target does not answer.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:?usage: scripts/live-bench.sh DDNSLAB|none OUTDIR}
outdir=${2:?usage: scripts/live-bench.sh DDNSLAB|none OUTDIR}
seconds=${BENCH_SECONDS:-10}
rounds=${BENCH_ROUNDS:-10}
slice=$((seconds / rounds))
[ "$slice" -ge 1 ] || { echo "live-bench: BENCH_SECONDS ($seconds) is less than BENCH_ROUNDS ($rounds)" >&2; exit 1; }
dnsperf_args=(-c 8 -T 2 -q 200)
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
# Pinning (BENCH_PIN=1, the default with 2 or more cores): every server on core 1, dnsperf on core 0.
pin=${BENCH_PIN:-$([ "$(nproc)" -ge 2 ] && echo 1 || echo 0)}
load=()
if [ "$pin" = 1 ]; then
    command -v taskset >/dev/null || { echo "live-bench: taskset (util-linux) is missing; skipped"; exit 77; }
    LAUNCH_PREFIX=(taskset -c 1)
    load=(taskset -c 0)
fi
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
pdns_pid=$PDNS_PID
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
    timeout 30 "${load[@]}" dnsperf -s "$2" -p "$DNS_PORT" -d "$WORK/queries.txt" -l 1 "${dnsperf_args[@]}" >/dev/null 2>&1 || true
}

# tree_ticks PID: CPU time (user and system, clock ticks) of PID and all its descendants so far.
tree_ticks() {
    local total=0 queue=("$1") pid child
    while [ ${#queue[@]} -gt 0 ]; do
        pid=${queue[0]}
        queue=("${queue[@]:1}")
        [ -r "/proc/$pid/stat" ] || continue
        total=$((total + $(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
        for child in $(pgrep -P "$pid" || true); do queue+=("$child"); done
    done
    echo "$total"
}
ticks_per_second=$(getconf CLK_TCK)

# measure NAME ADDRESS PID ROUND: one measured run of seconds/rounds; WORK/NAME.ROUND.txt is
# dnsperf's report with the server's CPU use added (PID's process tree, % of one core).
measure() {
    local name=$1 address=$2 pid=$3 round=$4 report=$WORK/$1.$4.txt before cpu
    before=$(tree_ticks "$pid")
    timeout $((slice + 30)) "${load[@]}" dnsperf -s "$address" -p "$DNS_PORT" -d "$WORK/queries.txt" -l "$slice" "${dnsperf_args[@]}" \
        >"$report" 2>&1 || { cat "$report"; fail "dnsperf against $name failed"; }
    cpu=$(awk -v ticks=$(($(tree_ticks "$pid") - before)) -v hz="$ticks_per_second" \
        '/Run time \(s\):/ { printf "%.0f", 100 * ticks / hz / $4 }' "$report")
    echo "  Server CPU (%):       $cpu" >>"$report"
    printf '  round %2d %-10s %8.0f queries/s, %s completed, server CPU %s %%\n' "$round" "$name" \
        "$(awk '/Queries per second:/ { print $4 }' "$report")" "$(awk '/Queries completed:/ { print $4 }' "$report" | tr -d '()')" \
        "$cpu"
}

# result NAME VERSION: the rounds' dnsperf reports of NAME as one JSON object: counts summed,
# queries_per_second the median round's, queries_per_second_overall = completed / run time, latency
# average and standard deviation pooled over the rounds.
result() {
    local name=$1 version=$2
    awk -v version="$version" '
        /Queries sent:/ { sent += $3 }
        /Queries completed:/ { n = $3; completed += n }
        /Queries lost:/ { lost += $3 }
        /Queries per second:/ { rounds = rounds (rounds == "" ? "" : ",") sprintf("%.0f", $4); r[++nr] = $4 + 0 }
        /Server CPU/ { c[++nc] = $4 + 0 }
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
            # The median round: a round disturbed by something else on the machine does not move it.
            for (i = 2; i <= nr; i++) { v = r[i]; for (j = i - 1; j >= 1 && r[j] > v; j--) r[j + 1] = r[j]; r[j + 1] = v }
            median = nr % 2 ? r[(nr + 1) / 2] : (r[nr / 2] + r[nr / 2 + 1]) / 2
            for (i = 2; i <= nc; i++) { v = c[i]; for (j = i - 1; j >= 1 && c[j] > v; j--) c[j + 1] = c[j]; c[j + 1] = v }
            cpu = nc ? (nc % 2 ? c[(nc + 1) / 2] : (c[nc / 2] + c[nc / 2 + 1]) / 2) : 0
            avg = completed ? sum / completed : 0; var = completed ? squares / completed - avg * avg : 0
            if (var < 0) var = 0
            printf "{\"version\":\"%s\",\"queries_sent\":%d,\"queries_completed\":%d,", version, sent, completed
            printf "\"completed_percent\":%.2f,\"queries_lost\":%d,", sent ? 100 * completed / sent : 0, lost
            printf "\"run_seconds\":%.3f,\"queries_per_second\":%.0f,\"queries_per_second_overall\":%.0f,", runtime, median, runtime ? completed / runtime : 0
            printf "\"rounds_queries_per_second\":[%s],\"server_cpu_percent\":%.0f,", rounds, cpu
            printf "\"latency_ms\":{\"average\":%.3f,\"stddev\":%.3f,\"min\":%.3f,\"max\":%.3f},", avg * 1000, sqrt(var) * 1000, min * 1000, max * 1000
            printf "\"response_codes\":{"
            for (i = 1; i <= m; i++) printf "%s\"%s\":%d", (i > 1 ? "," : ""), order[i], codes[order[i]]
            printf "}}\n"
        }' "$WORK/$name".*.txt
}

pdns_version=$( (pdns_server --version 2>&1 || true) | grep -o 'Authoritative Server [0-9.]*' | head -1 | awk '{ print $3 }')
dnsdist_version=$(dnsdist --version | awk 'NR == 1 { print $2 }')
ours_version="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo '+changes')"
# name, address, the PID whose process tree is the server.
targets=(pdns "$BENCH_PDNS" "$pdns_pid" dnsdist "$BENCH_DNSDIST" "$DNSDIST_PID")
[ "$binary" = none ] || targets=(pdns "$BENCH_PDNS" "$pdns_pid" nameserver "$NS1" "$SERVE_PID"
    dnsdist "$BENCH_DNSDIST" "$DNSDIST_PID" balancer "$LB1" "$SERVE_PID")
for ((i = 0; i < ${#targets[@]}; i += 3)); do warm "${targets[i]}" "${targets[i + 1]}"; done
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "live-bench: $((slice * rounds)) s per target in $rounds rounds of $slice s: dnsperf ${dnsperf_args[*]}, UDP," \
    "$(wc -l <"$WORK/queries.txt") questions, pinned: $pin (load average before: $load_before)"
# Odd rounds in the order above, even rounds in reverse: each pair stays adjacent, neither side of
# it always first.
for ((round = 1; round <= rounds; round++)); do
    if ((round % 2)); then
        for ((i = 0; i < ${#targets[@]}; i += 3)); do measure "${targets[i]}" "${targets[i + 1]}" "${targets[i + 2]}" "$round"; done
    else
        for ((i = ${#targets[@]} - 3; i >= 0; i -= 3)); do measure "${targets[i]}" "${targets[i + 1]}" "${targets[i + 2]}" "$round"; done
    fi
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
echo "live-bench: load average after: $load_after"
[ "$binary" = none ] || stop_serve
results=(--argjson pdns "$(result pdns "$pdns_version")" --argjson dnsdist "$(result dnsdist "$dnsdist_version")")
# paired OURS PEER: per round, OURS' queries/s over PEER's measured next to it; the median of these
# ratios decides the target (a slow stretch of the machine hits both sides of a pair alike).
paired() {
    local round ratios=()
    for ((round = 1; round <= rounds; round++)); do
        ratios+=("$(awk '/Queries per second:/ { print $4 }' "$WORK/$1.$round.txt" "$WORK/$2.$round.txt" | paste -sd' ' \
            | awk '{ printf "%.3f", $1 / $2 }')")
    done
    printf '%s\n' "${ratios[@]}" | sort -n | awk -v pair="$1/$2" '
        { r[NR] = $1; list = list (NR > 1 ? "," : "") $1 }
        END {
            median = NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
            verdict = median >= 1.03 ? "faster" : median <= 0.97 ? "slower" : "tie (within 3 %)"
            printf "{\"pair\":\"%s\",\"median_ratio\":%.3f,\"verdict\":\"%s\",\"rounds_ratio_sorted\":[%s]}\n", pair, median, verdict, list
        }'
}
if [ "$binary" != none ]; then
    results+=(--argjson nameserver "$(result nameserver "ddnslab $ours_version")")
    results+=(--argjson balancer "$(result balancer "ddnslab $ours_version")")
    results+=(--argjson balancer_pair "$(paired balancer dnsdist)" --argjson nameserver_pair "$(paired nameserver pdns)")
else
    results+=(--argjson nameserver null --argjson balancer null --argjson balancer_pair null --argjson nameserver_pair null)
fi

jq -n "${results[@]}" \
    --arg dnsperf "$(dnsperf -h 2>&1 | awk '/^Version/ { print $2 }')" --arg args "${dnsperf_args[*]} -l $slice" --argjson rounds "$rounds" \
    --arg zone "$zone_source" --argjson questions "$(wc -l <"$WORK/queries.txt")" \
    --argjson cores "$(nproc)" --arg kernel "$(uname -r)" --argjson offset "$PORT_OFFSET" \
    --argjson pinned "$([ "$pin" = 1 ] && echo true || echo false)" --arg before "$load_before" --arg after "$load_after" '
    def met(pair): if pair == null then null else pair.median_ratio >= 1 end;
    {
      dnsperf: { version: $dnsperf, arguments: $args, rounds: $rounds, transport: "udp", questions: $questions,
                 question_file: "scripts/interop/queries.txt" },
      zone: $zone, port_offset: $offset,
      machine: { cores: $cores, kernel: $kernel, load_average_before: $before, load_average_after: $after,
                 pinned: (if $pinned then "servers on core 1, dnsperf on core 0" else false end) },
      targets: { balancer: $balancer, nameserver: $nameserver, dnsdist: $dnsdist, pdns: $pdns },
      comparisons: { balancer_vs_dnsdist: $balancer_pair, nameserver_vs_pdns: $nameserver_pair },
      targets_met: { balancer_at_least_dnsdist: met($balancer_pair), nameserver_at_least_pdns: met($nameserver_pair) }
    }' >"$outdir/live.json"

echo "live-bench: $outdir/live.json"
jq -r '.targets | to_entries[] | select(.value != null) |
    "  \(.key): \(.value.queries_per_second) queries/s, \(.value.completed_percent)% completed, average \(.value.latency_ms.average) ms (\(.value.version))"' \
    "$outdir/live.json"
jq -r '.comparisons | to_entries[] | select(.value != null) | "  \(.value.pair): median ratio \(.value.median_ratio) over \(.value.rounds_ratio_sorted | length) rounds: \(.value.verdict)"' \
    "$outdir/live.json"
jq -r '.targets_met | to_entries[] | "  \(.key): \(.value)"' "$outdir/live.json"
