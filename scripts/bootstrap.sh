#!/usr/bin/env bash
# Installs what ddnslab's build and tests need on a Debian machine with Swift, when it is missing.
# Idempotent: checks first, installs only what is absent. Used by `make demo`, `make test` and CI.
set -euo pipefail

need_apt=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for pkg in libsqlite3-dev libpcap-dev pkg-config tshark; do
    have_pkg "$pkg" || need_apt+=("$pkg")
done
# pip from Debian only where python3 has none of its own.
python3 -m pip --version >/dev/null 2>&1 || need_apt+=(python3-pip)
if [ ${#need_apt[@]} -gt 0 ]; then
    pkgs=("${need_apt[@]}")
    echo "bootstrap: installing ${pkgs[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi

if ! python3 -c 'import dns.version, sys; sys.exit(0 if dns.version.MAJOR >= 2 and dns.version.MINOR >= 7 else 1)' 2>/dev/null; then
    echo "bootstrap: installing dnspython"
    python3 -m pip install -q --disable-pip-version-check 'dnspython>=2.7,<3' 2>/dev/null \
        || python3 -m pip install -q --disable-pip-version-check --break-system-packages 'dnspython>=2.7,<3'
fi

command -v swift >/dev/null || { echo "bootstrap: swift is not on PATH (install Swift 6.1 or later)"; exit 1; }
