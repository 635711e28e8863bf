#!/usr/bin/env bash
# Serves a ddnslab/PowerDNS SQLite database with a real pdns_server on loopback, in the foreground,
# with the flags of Tests/StorageTests/PowerDNSInteropTests.swift, for looking at it by hand:
#
#   scripts/pdns-interop.sh path/to/db.sqlite3 [port]      (default port 5300; Ctrl-C stops it)
#   dig @127.0.0.1 -p 5300 +norec alice.dyn.example A
#
# Needs pdns-server and pdns-backend-sqlite3 (scripts/bootstrap.sh installs them). Nothing from
# /etc/powerdns is read: the server gets an empty configuration folder of its own.
set -euo pipefail
database=${1:?usage: scripts/pdns-interop.sh DATABASE [PORT]}
port=${2:-5300}
[ -f "$database" ] || { echo "pdns-interop: no database file $database" >&2; exit 2; }
server=$(command -v pdns_server || echo /usr/sbin/pdns_server)
[ -x "$server" ] || { echo "pdns-interop: pdns_server is not installed; run scripts/bootstrap.sh" >&2; exit 2; }
folder=$(mktemp -d)
trap 'rm -rf "$folder"' EXIT
mkdir "$folder/config" && : >"$folder/config/pdns.conf"
"$server" --config-dir="$folder/config" --socket-dir="$folder" \
    --launch=gsqlite3 --gsqlite3-database="$(realpath "$database")" \
    --local-address=127.0.0.1 --local-port="$port" \
    --daemon=no --guardian=no --disable-syslog --write-pid=no --webserver=no --api=no \
    --primary=no --secondary=no --cache-ttl=0 --query-cache-ttl=0 --negquery-cache-ttl=0
