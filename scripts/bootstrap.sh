#!/usr/bin/env bash
# Installs what ddnslab's build and tests need on a Debian machine with Swift, when it is missing.
# Idempotent: checks first, installs only what is absent. Used by `make demo`, `make test` and CI.
set -euo pipefail

need_apt=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
# pdns-server, pdns-backend-sqlite3 and bind9-dnsutils (dig): the PowerDNS interop test of the
# Storage target (Tests/StorageTests/PowerDNSInteropTests.swift) serves our SQLite file with them.
# dnsperf, tcpdump and sqlite3: scripts/replay-powerdns.sh (make replay-powerdns) captures dnsperf
# against a real PowerDNS and replays it; the committed capture replays without them.
# libxml2-utils (xmllint): the suite's junit.xml is validated against Jenkins' JUnit schema;
# chromium: the HTML report is rendered headless to PNG (ReportHTMLTests).
# zlib1g-dev: the CZlib system-library target (gzip-compressed backups).
# knot-dnsutils (kdig: DoT, DoH), dnsdist, ddclient, curl, jq, openssl and iproute2 (ss): make interop
# (scripts/interop/) checks `ddnslab serve` with real clients and peers; make bench's live part
# (scripts/live-bench.sh) measures dnsdist and pdns_server beside it.
for pkg in libsqlite3-dev libpcap-dev zlib1g-dev pkg-config tshark pdns-server pdns-backend-sqlite3 bind9-dnsutils \
    dnsperf tcpdump sqlite3 libxml2-utils chromium knot-dnsutils dnsdist ddclient curl jq openssl iproute2; do
    have_pkg "$pkg" || need_apt+=("$pkg")
done
# pip from Debian only where python3 has none of its own.
python3 -m pip --version >/dev/null 2>&1 || need_apt+=(python3-pip)
if [ ${#need_apt[@]} -gt 0 ]; then
    pkgs=("${need_apt[@]}")
    echo "bootstrap: installing ${pkgs[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    # The maintainer scripts of pdns-server, dnsdist and ddclient start their services (Debian's
    # configurations; pdns_server and dnsdist on port 53). The tests run their own pdns_server and
    # dnsdist, so forbid service starts while installing: invoke-rc.d (no systemd)
    # and deb-systemd-invoke (systemd) both honour /usr/sbin/policy-rc.d exiting 101. A policy that
    # is already there (Docker images ship one) is left alone; ours is removed afterwards.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\n# ddnslab bootstrap: no service starts during package installation\nexit 101\n' \
            | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
        $SUDO chmod 755 /usr/sbin/policy-rc.d
        trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi

if ! python3 -c 'import dns.version, sys; sys.exit(0 if dns.version.MAJOR >= 2 and dns.version.MINOR >= 7 else 1)' 2>/dev/null; then
    echo "bootstrap: installing dnspython"
    python3 -m pip install -q --disable-pip-version-check 'dnspython>=2.7,<3' 2>/dev/null \
        || python3 -m pip install -q --disable-pip-version-check --break-system-packages 'dnspython>=2.7,<3'
fi

command -v swift >/dev/null || { echo "bootstrap: swift is not on PATH (install Swift 6.1 or later)"; exit 1; }
