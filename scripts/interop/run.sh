#!/usr/bin/env bash
# `make interop` (issue 10, "What must hold" 1-4): `ddnslab serve` on loopback, checked by real
# clients (dig, kdig, curl, ddclient) and real peers (PowerDNS 4.7 as secondary and as primary,
# dnsdist 1.7 in front).
#
#   scripts/interop/run.sh DDNSLAB
#
# Runs each check-*.sh of this folder in turn; each starts its own `DDNSLAB serve
# scenarios/live/serve.yaml` on a fresh data folder with the flags it needs, its own peers, and
# stops all of them by PID (every process under `timeout`, at most 300 s per check). Exit 0 when
# all passed, 1 when one failed (its messages say why), 77 (skipped) only when not root: the
# contract's addresses use port 53.
#
# Ports: N = PORT_OFFSET (environment), else 0 when every port of the plan (lib.sh) is free on its
# address, else 10000. Work files go to a temporary folder, kept when a check fails (the path is
# printed) or when KEEP_WORK=1.
#
# scripts/interop/standin/serve.sh stands in for DDNSLAB (real PowerDNS and dnsdist in our places):
# `SERVE_CONFIG=/dev/null scripts/interop/run.sh scripts/interop/standin/serve.sh` tests the checks
# themselves without a Swift build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
binary=${1:?usage: scripts/interop/run.sh DDNSLAB}
[ -x "$binary" ] || { echo "interop: $binary is not an executable" >&2; exit 1; }
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
[ "$(id -u)" -eq 0 ] || { echo "interop: needs root (our servers and the real peers listen on port 53 of 127.0.0.x); skipped"; exit 77; }

plan_free() { ! (PORT_OFFSET=$1 && source "$here/lib.sh" && plan_taken); }
command -v ss >/dev/null || { echo "interop: ss (iproute2) is missing: run scripts/bootstrap.sh" >&2; exit 1; }
if [ -z "${PORT_OFFSET:-}" ]; then
    if plan_free 0 >/dev/null; then
        PORT_OFFSET=0
    elif plan_free 10000 >/dev/null; then
        echo "interop: $(plan_free 0) is taken; using port offset 10000"
        PORT_OFFSET=10000
    else
        echo "interop: $(plan_free 0) and, with offset 10000, $(plan_free 10000) are taken; set PORT_OFFSET" >&2
        exit 1
    fi
elif ! plan_free "$PORT_OFFSET" >/dev/null; then
    echo "interop: $(plan_free "$PORT_OFFSET") is taken (PORT_OFFSET=$PORT_OFFSET)" >&2
    exit 1
fi
export PORT_OFFSET

source "$here/lib.sh"
if [ ! -f "$SERVE_CONFIG" ] && [ "$SERVE_CONFIG" != /dev/null ]; then
    echo "interop: the serve configuration $SERVE_CONFIG is missing" >&2
    exit 1
fi
export SERVE_CONFIG
INTEROP_WORK=$(mktemp -d /tmp/ddnslab-interop.XXXXXX)
export INTEROP_WORK
echo "interop: $binary, port offset $PORT_OFFSET, work files in $INTEROP_WORK"
echo "interop: peers: $(pdns_server --version 2>&1 | grep -o 'PowerDNS Authoritative Server [0-9.]*' | head -1 || true)," \
    "$(dnsdist --version 2>/dev/null | head -1 | cut -d' ' -f1,2 || true)," \
    "$(kdig --version 2>/dev/null | head -1 || true)," \
    "ddclient $(dpkg-query -W -f='${Version}' ddclient 2>/dev/null || echo '?')," \
    "$(dig -v 2>&1 | head -1 || true)"

checks=(check-dns check-updaters check-pdns-secondary check-pdns-primary check-dnsdist check-parity)
results=()
failed=0
for check in "${checks[@]}"; do
    echo
    echo "== $check"
    start=$(date +%s)
    code=0
    timeout -s TERM 300 "$here/$check.sh" "$binary" || code=$?
    seconds=$(($(date +%s) - start))
    case $code in
        0) results+=("  pass  $check (${seconds} s)") ;;
        77) results+=("  FAIL  $check: skipped, a program is missing (scripts/bootstrap.sh installs it)"); failed=1 ;;
        124) results+=("  FAIL  $check: did not finish within 300 s"); failed=1 ;;
        *) results+=("  FAIL  $check (exit $code, ${seconds} s)"); failed=1 ;;
    esac
done

echo
echo "interop results:"
printf '%s\n' "${results[@]}"
if ! plan_free "$PORT_OFFSET" >/dev/null; then
    echo "interop: FAIL: $(plan_free "$PORT_OFFSET") is still taken after the checks (a process they started outlived them)"
    failed=1
fi
if [ $failed -eq 0 ]; then
    [ "${KEEP_WORK:-0}" = 1 ] || rm -rf "$INTEROP_WORK"
    echo "interop: all passed"
else
    echo "interop: FAILED (work files kept in $INTEROP_WORK)"
fi
exit $failed
