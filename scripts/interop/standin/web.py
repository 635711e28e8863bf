#!/usr/bin/env python3
"""The stand-in's web server (see serve.sh): just enough of ddnslab's updater endpoints and REST API
for the interop checks to drive a real PowerDNS primary. Not a model of ddnslab's web server: no
limits, no logs, no validation beyond what the checks need.

  GET /nic/update?hostname=H&myip=A       Basic auth account:domain-token   -> "good A" / "nochg A"
  GET /update.php?key=T&domain=H&ip=A     domain token                      -> {"info": ..., "status": "success"}
  PUT /api/v1/domains/H/rrsets/@/A        Bearer account token, {"ttl": N, "records": [A]}

A change runs `pdnsutil replace-rrset` and `increase-serial` on the primary's configuration, then
`pdns_control purge` and `notify`, as an operator of a real PowerDNS would.
Environment: STANDIN_CUSTOMERS (customers.json), STANDIN_PDNS (the primary's configuration folder),
STANDIN_ZONE, STANDIN_ADDRESS, STANDIN_PORT.
"""
import base64
import json
import os
import subprocess
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ZONE = os.environ["STANDIN_ZONE"]
CONFIG = os.environ["STANDIN_PDNS"]
with open(os.environ["STANDIN_CUSTOMERS"]) as f:
    CUSTOMERS = json.load(f)
LOCK = threading.Lock()


def run(*args):
    subprocess.run(args, check=True, timeout=30, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def current(domain):
    out = subprocess.run(["pdnsutil", f"--config-dir={CONFIG}", "list-zone", ZONE], check=True, timeout=30,
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 5 and fields[0].rstrip(".").lower() == domain and fields[3] == "A":
            return fields[4]
    return None


def set_address(domain, address, ttl=60):
    """Returns 'good' or 'nochg'."""
    with LOCK:
        if current(domain) == address:
            return "nochg"
        pdnsutil = ["pdnsutil", f"--config-dir={CONFIG}"]
        # pdnsutil takes the owner relative to the zone.
        run(*pdnsutil, "replace-rrset", ZONE, domain[: -len(ZONE) - 1], "A", str(ttl), address)
        run(*pdnsutil, "increase-serial", ZONE)
        run("pdns_control", f"--config-dir={CONFIG}", "purge", ZONE + "$")
        run("pdns_control", f"--config-dir={CONFIG}", "notify", ZONE)
        return "good"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, status, body, content_type="text/plain"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        sys.stderr.write("web: " + (format % args) + "\n")

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/nic/update":
            auth = self.headers.get("Authorization", "")
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":") if auth.startswith("Basic ") else ("", "", "")
            host = query.get("hostname", "").lower()
            if not any(c["account"] == user and c["token"] == password and c["domain"] == host for c in CUSTOMERS):
                return self.answer(200, "badauth\n")
            address = query["myip"]
            return self.answer(200, f"{set_address(host, address)} {address}\n")
        if url.path == "/update.php":
            host = query.get("domain", "").lower()
            if not any(c["token"] == query.get("key") and c["domain"] == host for c in CUSTOMERS):
                return self.answer(401, json.dumps({"info": "badauth", "status": "401 Unauthorized"}), "application/json")
            address = query["ip"]
            code = set_address(host, address)
            return self.answer(200, json.dumps({"info": f"{code} {address}", "status": "success"}), "application/json")
        self.answer(404, "notfound\n")

    def do_PUT(self):
        parts = urllib.parse.urlsplit(self.path).path.split("/")
        # ['', 'api', 'v1', 'domains', H, 'rrsets', '@', 'A']
        if len(parts) != 8 or parts[1:4] != ["api", "v1", "domains"] or parts[5:] != ["rrsets", "@", "A"]:
            return self.answer(404, '{"error": "not found"}', "application/json")
        host = parts[4].lower()
        bearer = self.headers.get("Authorization", "")[7:]
        if not any(c["account_token"] == bearer and c["domain"] == host for c in CUSTOMERS):
            return self.answer(401, '{"error": "unauthorized"}', "application/json")
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        set_address(host, body["records"][0], body["ttl"])
        rrset = {"subname": "@", "type": "A", "ttl": body["ttl"], "records": body["records"]}
        self.answer(200, json.dumps(rrset), "application/json")


ThreadingHTTPServer((os.environ["STANDIN_ADDRESS"], int(os.environ["STANDIN_PORT"])), Handler).serve_forever()
