# shellcheck shell=bash
# Shared by the interop checks (issue 10) and scripts/live-bench.sh: addresses, starting and stopping
# real peers (pdns_server, dnsdist) and `ddnslab serve` by PID, bounded waits, and comparing DNS
# answers. Sourced, not run. Every process started here is wrapped in coreutils `timeout`, recorded
# in `started` and stopped by the EXIT trap that `interop_init` installs.
#
# Addresses (the contract of `ddnslab serve`; N = PORT_OFFSET, default 0, also used for the peers):
#   ours:  ns1 127.0.0.10, ns2 127.0.0.11 (Do53 53+N); lb1 127.0.0.100, lb2 127.0.0.101 (Do53 53+N,
#          DoT 853+N, DoH 443+N); web server 127.0.0.200 (HTTP 80+N)
#   peers: real pdns secondary 127.0.0.30, real pdns primary 127.0.0.31, real dnsdist 127.0.0.40,
#          oracle pdns (a snapshot of our database, caches off) 127.0.0.50; the benchmark's dnsdist
#          127.0.0.41 and pdns 127.0.0.42; all on 53+N. dnsdist's console on 127.0.0.1:5199+N.
export PATH="$PATH:/usr/sbin:/sbin"

PORT_OFFSET=${PORT_OFFSET:-0}
DNS_PORT=$((53 + PORT_OFFSET))
DOT_PORT=$((853 + PORT_OFFSET))
DOH_PORT=$((443 + PORT_OFFSET))
WEB_PORT=$((80 + PORT_OFFSET))
NS1=${NS1:-127.0.0.10}
NS2=${NS2:-127.0.0.11}
LB1=${LB1:-127.0.0.100}
LB2=${LB2:-127.0.0.101}
WEB=${WEB:-127.0.0.200}
REAL_SECONDARY=${REAL_SECONDARY:-127.0.0.30}
REAL_PRIMARY=${REAL_PRIMARY:-127.0.0.31}
REAL_DNSDIST=${REAL_DNSDIST:-127.0.0.40}
ORACLE=${ORACLE:-127.0.0.50}
# scripts/live-bench.sh: dnsdist in front of pdns_server, both measured.
BENCH_DNSDIST=${BENCH_DNSDIST:-127.0.0.41}
BENCH_PDNS=${BENCH_PDNS:-127.0.0.42}
# dnsdist's console (check-dnsdist.sh reads its backends' states there).
CONSOLE_PORT=$((5199 + PORT_OFFSET))
ZONE=dyn.example
INTEROP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$INTEROP_DIR/../.." && pwd)
FIXTURE=$REPO/fixtures/zones/dyn.example.zone
QUERIES=${QUERIES:-$INTEROP_DIR/queries.txt}
PDNS_SCHEMA=/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql
# No process started here lives longer than this (seconds), whatever happens to the script.
LIFETIME=${LIFETIME:-900}

started=()
# A command put before every server started here (live-bench.sh: `taskset -c 1`).
LAUNCH_PREFIX=()

# interop_init NAME: a work folder (INTEROP_WORK, or a new temporary one removed at exit) and the
# EXIT trap that stops what was started.
interop_init() {
    CHECK=$1
    if [ -n "${INTEROP_WORK:-}" ]; then
        WORK=$INTEROP_WORK/$CHECK
        rm -rf "$WORK"
        mkdir -p "$WORK"
        own_work=0
    else
        WORK=$(mktemp -d "/tmp/ddnslab-$CHECK.XXXXXX")
        own_work=1
    fi
    trap interop_cleanup EXIT
}

interop_cleanup() {
    local status=$?
    stop_started
    [ "${own_work:-0}" -eq 1 ] && [ "${KEEP_WORK:-0}" != 1 ] && rm -rf "$WORK"
    return $status
}

say() { echo "$CHECK: $*"; }
fail() {
    echo "$CHECK: FAIL: $*" >&2
    exit 1
}

# need TOOL...: exit 77 (skipped) when a program is missing; the checks are meant to run after
# scripts/bootstrap.sh, which installs them, so run.sh turns a skip into a failure under CI.
need() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "$CHECK: $tool is not installed (scripts/bootstrap.sh installs it); skipped"; exit 77; }
    done
}

# stop PID [GRACE]: SIGTERM (GRACE seconds, default 10), then SIGKILL; waits for it. The PIDs are
# `timeout` processes, which pass the signal on to their child and exit with its status.
stop_pid() {
    local pid=$1 grace=${2:-10} i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < grace * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

stop_started() {
    local pid
    for pid in "${started[@]}"; do stop_pid "$pid"; done
    started=()
}

# forget PID: it was stopped by hand.
forget() {
    local pid keep=()
    for pid in "${started[@]}"; do [ "$pid" = "$1" ] || keep+=("$pid"); done
    started=("${keep[@]}")
}

# now_ms: milliseconds of the monotonic-enough wall clock.
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# wait_until SECONDS COMMAND...: runs COMMAND every 50 ms until it succeeds; 1 on timeout.
wait_until() {
    local limit=$(($(now_ms) + $1 * 1000))
    shift
    while ! "$@" >/dev/null 2>&1; do
        [ "$(now_ms)" -lt "$limit" ] || return 1
        sleep 0.05
    done
}

# answers ADDRESS: any DNS answer (any rcode) on ADDRESS:DNS_PORT over UDP.
answers() { dig +norec +time=1 +tries=1 -p "$DNS_PORT" @"$1" "$ZONE" SOA 2>/dev/null | grep -q 'status: '; }

# soa_serial ADDRESS [PORT]: the SOA serial ADDRESS answers for the zone, or nothing.
soa_serial() {
    dig +norec +short +time=1 +tries=1 -p "${2:-$DNS_PORT}" @"$1" "$ZONE" SOA 2>/dev/null | awk 'NF >= 7 { print $3; exit }'
}

# serial_is ADDRESS SERIAL: ADDRESS answers SERIAL for the zone's SOA (for wait_until, whose
# arguments are expanded once).
serial_is() { [ "$(soa_serial "$1")" = "$2" ]; }
# same_serial A B: both answer the same SOA serial, and one at all.
same_serial() {
    local a
    a=$(soa_serial "$1")
    [ -n "$a" ] && [ "$a" = "$(soa_serial "$2")" ]
}

# port_free ADDRESS PORT: nothing listens on ADDRESS:PORT (TCP or UDP), nor on the wildcard.
port_free() {
    ! ss -Hlntu 2>/dev/null | awk -v a="$1" -v p="$2" '
        { n = split($5, f, ":"); port = f[n]; host = substr($5, 1, length($5) - length(port) - 1) }
        port == p && (host == a || host == "0.0.0.0" || host == "*" || host == "[::]") { found = 1 }
        END { exit !found }'
}

# plan_taken: the first address:port of the plan (ours and the peers', at PORT_OFFSET) that something
# listens on; 1 when all are free.
plan_taken() {
    local address
    for address in "$NS1" "$NS2" "$LB1" "$LB2" "$REAL_SECONDARY" "$REAL_PRIMARY" "$REAL_DNSDIST" "$ORACLE" \
        "$BENCH_DNSDIST" "$BENCH_PDNS"; do
        port_free "$address" "$DNS_PORT" || { echo "$address:$DNS_PORT"; return 0; }
    done
    for address in "$LB1" "$LB2"; do
        port_free "$address" "$DOT_PORT" || { echo "$address:$DOT_PORT"; return 0; }
        port_free "$address" "$DOH_PORT" || { echo "$address:$DOH_PORT"; return 0; }
    done
    port_free "$WEB" "$WEB_PORT" || { echo "$WEB:$WEB_PORT"; return 0; }
    port_free 127.0.0.1 "$CONSOLE_PORT" || { echo "127.0.0.1:$CONSOLE_PORT"; return 0; }
    return 1
}

# --- PowerDNS --------------------------------------------------------------------------------------

# pdns_folder NAME ADDRESS DATABASE [SETTING...]: a configuration folder WORK/NAME whose pdns.conf
# serves DATABASE (gsqlite3) on ADDRESS:DNS_PORT and sends its own queries (NOTIFY, SOA, AXFR) from
# ADDRESS; nothing from /etc/powerdns is read. Settings are `key=value` lines added at the end.
pdns_folder() {
    local name=$1 address=$2 database=$3
    shift 3
    local folder=$WORK/$name
    mkdir -p "$folder"
    {
        echo "launch=gsqlite3"
        echo "gsqlite3-database=$database"
        echo "local-address=$address"
        echo "local-port=$DNS_PORT"
        echo "query-local-address=$address"
        echo "socket-dir=$folder"
        echo "daemon=no"
        echo "guardian=no"
        echo "disable-syslog=yes"
        echo "write-pid=no"
        echo "webserver=no"
        echo "api=no"
        echo "loglevel=6"
        printf '%s\n' "$@"
    } >"$folder/pdns.conf"
    echo "$folder"
}

# pdnsutil_in NAME ARGS...: pdnsutil on the instance NAME's configuration.
pdnsutil_in() {
    local name=$1
    shift
    timeout 60 pdnsutil --config-dir="$WORK/$name" "$@"
}
pdns_control_in() {
    local name=$1
    shift
    timeout 20 pdns_control --config-dir="$WORK/$name" "$@"
}

# new_pdns_database FILE: an empty gsqlite3 database.
new_pdns_database() {
    rm -f "$1"
    sqlite3 "$1" <"$PDNS_SCHEMA"
}

# fixture_database FILE: the fixture zone in a gsqlite3 database (zone2sql, then rectified through a
# throwaway configuration: zone2sql writes no rows for empty non-terminals).
fixture_database() {
    local database=$1
    new_pdns_database "$database"
    zone2sql --gsqlite --zone-name="$ZONE" --zone="$FIXTURE" >"$WORK/zone2sql.sql" 2>"$WORK/zone2sql.log"
    sqlite3 "$database" <"$WORK/zone2sql.sql"
    pdns_folder rectify 127.0.0.1 "$database" >/dev/null
    pdnsutil_in rectify rectify-zone "$ZONE" >/dev/null
}

# snapshot_database SOURCE FILE: a consistent copy of a live SQLite database (its online backup).
snapshot_database() {
    rm -f "$2"
    timeout 60 sqlite3 "$1" ".backup '$2'"
}

# start_pdns NAME: starts pdns_server on WORK/NAME/pdns.conf (made by pdns_folder), waits (bounded)
# until it answers on its address; PDNS_PID is its PID (a `timeout`).
start_pdns() {
    local name=$1 folder=$WORK/$1 address
    address=$(sed -n 's/^local-address=//p' "$folder/pdns.conf")
    timeout -s TERM "$LIFETIME" "${LAUNCH_PREFIX[@]}" pdns_server --config-dir="$folder" >"$folder/log" 2>&1 &
    PDNS_PID=$!
    started+=("$PDNS_PID")
    wait_until 15 answers "$address" || {
        tail -20 "$folder/log" >&2
        fail "pdns_server $name does not answer on $address:$DNS_PORT"
    }
}

# start_oracle DATABASE: a pdns_server with every cache off serving a copy of DATABASE on ORACLE.
# The copy is taken now (our serve may keep writing the original).
start_oracle() {
    snapshot_database "$1" "$WORK/oracle.sqlite3" || fail "cannot copy $1"
    pdns_folder oracle "$ORACLE" "$WORK/oracle.sqlite3" primary=no secondary=no cache-ttl=0 \
        query-cache-ttl=0 negquery-cache-ttl=0 >/dev/null
    start_pdns oracle
    ORACLE_PID=$PDNS_PID
}

# --- dnsdist ---------------------------------------------------------------------------------------

# start_dnsdist NAME CONFIG ADDRESS: dnsdist in the foreground on the Lua file CONFIG; waits
# (bounded) until ADDRESS:DNS_PORT answers. DNSDIST_PID is its PID.
start_dnsdist() {
    local name=$1 config=$2 address=$3
    mkdir -p "$WORK/$name"
    timeout -s TERM "$LIFETIME" "${LAUNCH_PREFIX[@]}" dnsdist --supervised --disable-syslog --config "$config" >"$WORK/$name/log" 2>&1 &
    DNSDIST_PID=$!
    started+=("$DNSDIST_PID")
    wait_until 15 answers "$address" || {
        tail -20 "$WORK/$name/log" >&2
        fail "dnsdist $name does not answer on $address:$DNS_PORT"
    }
}

# --- ddnslab serve ---------------------------------------------------------------------------------

SERVE_CONFIG=${SERVE_CONFIG:-$REPO/scenarios/live/serve.yaml}

# start_serve BINARY DATA [ARG...]: `BINARY serve SERVE_CONFIG --data DATA --port-offset N ARG...`;
# waits (bounded, 60 s) for the line containing `ready`. SERVE_PID is its PID (a `timeout`).
start_serve() {
    local binary=$1 data=$2
    shift 2
    mkdir -p "$data"
    timeout -s TERM "$LIFETIME" "${LAUNCH_PREFIX[@]}" "$binary" serve "$SERVE_CONFIG" --data "$data" --port-offset "$PORT_OFFSET" "$@" \
        >"$data/serve.log" 2>&1 &
    SERVE_PID=$!
    started+=("$SERVE_PID")
    local limit=$(($(now_ms) + 60000))
    until grep -q ready "$data/serve.log" 2>/dev/null; do
        kill -0 "$SERVE_PID" 2>/dev/null || { tail -30 "$data/serve.log" >&2; fail "ddnslab serve exited before it was ready"; }
        [ "$(now_ms)" -lt "$limit" ] || { tail -30 "$data/serve.log" >&2; fail "ddnslab serve was not ready within 60 s"; }
        sleep 0.1
    done
}

# stop_serve: SIGINT, and the contract says it stops cleanly with exit status 0 (within 15 s).
stop_serve() {
    local pid=$SERVE_PID status=0 i
    forget "$pid"
    kill -INT "$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        fail "ddnslab serve did not stop within 15 s of SIGINT"
    fi
    wait "$pid" || status=$?
    [ "$status" -eq 0 ] || fail "ddnslab serve exited with status $status after SIGINT (expected 0)"
}

# --- comparing answers -----------------------------------------------------------------------------

# ask TRANSPORT ADDRESS PORT NAME TYPE: the raw answer as dig (udp, tcp) or kdig (tls, https,
# https-get) prints it. Bounded: 2 tries of 2 s, and 10 s in all.
ask() {
    local transport=$1 address=$2 port=$3 name=$4 type=$5
    case $transport in
        udp) timeout 10 dig +norec +time=2 +tries=2 -p "$port" @"$address" "$name" "$type" ;;
        tcp) timeout 10 dig +norec +tcp +time=2 +tries=2 -p "$port" @"$address" "$name" "$type" ;;
        kdig-udp) timeout 10 kdig +norec +timeout=2 +retry=1 -p "$port" @"$address" "$name" "$type" ;;
        tls) timeout 10 kdig +norec +timeout=2 +retry=1 +tls -p "$port" @"$address" "$name" "$type" ;;
        https) timeout 10 kdig +norec +timeout=2 +retry=1 +https -p "$port" @"$address" "$name" "$type" ;;
        https-get) timeout 10 kdig +norec +timeout=2 +retry=1 +https +https-get -p "$port" @"$address" "$name" "$type" ;;
        *) fail "unknown transport $transport" ;;
    esac 2>&1
}

# The sections compare_queries compares (besides RCODE and the AA and TC flags).
SECTIONS=${SECTIONS:-ANSWER AUTHORITY ADDITIONAL}

# normalise: dig's or kdig's output on stdin as comparable lines: each record of the SECTIONS as
# `SECTION name class type rdata<TAB>ttl`, sorted, then `rcode X` and `flags aa|- tc|-`; names and
# rdata lowercased, blanks collapsed; OPT and comments left out. Prints `noanswer` when no response
# header was seen (a timeout, a refused connection).
normalise() {
    awk -v sections=" $SECTIONS " '
        /->>HEADER<<-/ {
            s = $0; sub(/.*status: /, "", s); sub(/[,;].*/, "", s); rcode = s; seen = 1; next
        }
        /^;; [Ff]lags:/ {
            f = $0; sub(/^;; [Ff]lags: */, "", f); sub(/;.*/, "", f)
            aa = (f ~ /(^| )aa( |$)/) ? "aa" : "-"; tc = (f ~ /(^| )tc( |$)/) ? "tc" : "-"; next
        }
        /^;; [A-Z]+ (PSEUDO)?SECTION:$/ { section = $2; next }
        /^;/ || NF == 0 { next }
        section != "" && index(sections, " " section " ") > 0 {
            if ($4 == "OPT") next
            rdata = ""
            for (i = 5; i <= NF; i++) rdata = rdata " " $i
            print section, tolower($1), $3, $4 tolower(rdata) "\t" $2 | "sort"
        }
        END {
            close("sort")
            if (!seen) { print "noanswer"; exit }
            print "rcode " rcode
            print "flags " aa " " tc
        }
    '
}

# same_answers SUT ORACLE TTL_RULE: compares two normalised answers (files). Records must be the
# same set; TTL_RULE `exact` wants equal TTLs, `atmost` a TTL no larger than the oracle's (a cache
# counts them down; RFC 1035 §4.1.3), `ignore` does not look. Prints what differs.
same_answers() {
    local sut=$1 oracle=$2 rule=$3
    if ! diff <(cut -f1 "$oracle") <(cut -f1 "$sut") >/dev/null; then
        diff -u --label oracle --label answer <(cut -f1 "$oracle") <(cut -f1 "$sut") | tail -n +3
        return 1
    fi
    [ "$rule" = ignore ] && return 0
    paste "$oracle" "$sut" | awk -F'\t' -v rule="$rule" '
        NF >= 4 && $2 != "" {
            o = $2 + 0; s = $4 + 0
            if ((rule == "exact" && s != o) || (rule == "atmost" && (s > o || (o > 0 && s == 0)))) {
                print "TTL " s " (oracle " o "): " $1; bad = 1
            }
        }
        END { exit bad }'
}

# compare_queries LABEL SUT_TRANSPORT SUT_ADDRESS SUT_PORT ORACLE_TRANSPORT ORACLE_ADDRESS ORACLE_PORT
#                 TTL_RULE [QUERY_FILE]: asks every `name type` line of QUERY_FILE (default QUERIES)
# both ways and compares; prints each difference, a summary line, and returns 1 on any difference.
compare_queries() {
    local label=$1 st=$2 sa=$3 sp=$4 ot=$5 oa=$6 op=$7 rule=$8 file=${9:-$QUERIES}
    local name type total=0 bad=0 silent=0 dir
    dir=$WORK/compare-$label
    mkdir -p "$dir"
    while read -r name type _; do
        case $name in '' | '#'*) continue ;; esac
        total=$((total + 1))
        ask "$st" "$sa" "$sp" "$name" "$type" >"$dir/$total.raw"
        ask "$ot" "$oa" "$op" "$name" "$type" >"$dir/$total.oracle.raw"
        normalise <"$dir/$total.raw" >"$dir/$total.txt"
        normalise <"$dir/$total.oracle.raw" >"$dir/$total.oracle.txt"
        grep -qx noanswer "$dir/$total.oracle.txt" && fail "$label: the reference $oa:$op ($ot) did not answer $name $type"
        if grep -qx noanswer "$dir/$total.txt"; then
            bad=$((bad + 1))
            silent=$((silent + 1))
            echo "  $label: no answer to $name $type from $sa:$sp ($st):"
            sed 's/^/    | /' "$dir/$total.raw" | head -6
            if [ "$silent" -ge 3 ]; then
                say "$label: $sa:$sp ($st) does not answer; the other questions are not asked"
                return 1
            fi
        elif ! same_answers "$dir/$total.txt" "$dir/$total.oracle.txt" "$rule" >"$dir/$total.diff"; then
            bad=$((bad + 1))
            if [ "$bad" -le 10 ]; then
                echo "  $label: $name $type: $sa:$sp ($st) answers differently from $oa:$op ($ot):"
                sed 's/^/    /' "$dir/$total.diff"
            fi
        fi
    done <"$file"
    if [ "$bad" -eq 0 ]; then
        say "$label: $total/$total answers alike"
    else
        say "$label: $bad of $total answers differ (the first 10 above; raw answers in $dir)"
        return 1
    fi
}
