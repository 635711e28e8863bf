#!/usr/bin/env bash
# Issue 10, point 2: real updaters change a host through our web server, and dig through our
# balancer lb1 sees the new address within 1 s of the updater's answer.
#
#   scripts/interop/check-updaters.sh DDNSLAB
#
# For the first customer of DATA/customers.json, in turn:
# 1. ddclient 3.10 (Debian's): protocol=dyndns2, plain HTTP to the web server, Basic auth
#    account:domain-token, the address from `use=cmd` (3.10's dyndns2 still reads the legacy `use`;
#    its `usev4` does not reach the dyndns2 request), run once in the foreground;
# 2. curl against the IPv64-style URL: GET /update.php?key=DOMAIN-TOKEN&domain=HOST&ip=ADDRESS;
# 3. curl against the REST API: PUT /api/v1/domains/HOST/rrsets/@/A with the account token.
# Before each, lb1 is asked for the host (so a cached old answer would show); after each, lb1 is
# asked every 50 ms until it answers the new address. The delay from the updater's answer is
# printed; more than 1000 ms fails. The new addresses are documentation addresses (203.0.113.0/24),
# which the web server accepts without allowing private ones.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
binary=${1:?usage: check-updaters.sh DDNSLAB}
interop_init updaters
need dig ddclient curl jq

start_serve "$binary" "$WORK/data"
customers=$WORK/data/customers.json
[ -s "$customers" ] || fail "serve wrote no $customers"
jq -e 'type == "array" and length > 0 and (.[0] | has("account") and has("domain") and has("token") and has("account_token"))' \
    "$customers" >/dev/null || fail "$customers is not an array of {account, domain, token, account_token, ipv4}"
account=$(jq -r '.[0].account' "$customers")
domain=$(jq -r '.[0].domain' "$customers")
token=$(jq -r '.[0].token' "$customers")
account_token=$(jq -r '.[0].account_token' "$customers")
say "customer $account, host $domain"
web=http://$WEB:$WEB_PORT

lb1_a() { dig +short +norec +time=1 +tries=1 -p "$DNS_PORT" @"$LB1" "$domain" A 2>/dev/null; }

# sees ADDRESS START_MS LABEL: polls lb1 every 50 ms (at most 5 s) until it answers ADDRESS.
status=0
sees() {
    local address=$1 start=$2 label=$3 limit delay
    limit=$((start + 5000))
    while [ "$(lb1_a)" != "$address" ]; do
        if [ "$(now_ms)" -ge "$limit" ]; then
            echo "  $label: lb1 still answers '$(lb1_a)' for $domain A 5 s after the update (expected $address)"
            status=1
            return
        fi
        sleep 0.05
    done
    delay=$(($(now_ms) - start))
    if [ "$delay" -le 1000 ]; then
        say "$label: lb1 answers $address ${delay} ms after the update's answer"
    else
        echo "  $label: lb1 answered $address only after $delay ms (limit 1000 ms)"
        status=1
    fi
}

before=$(lb1_a)
say "lb1 answers $domain A: ${before:-nothing}"

# 1. ddclient.
address=203.0.113.10
cat >"$WORK/ddclient.conf" <<EOF
daemon=0
syslog=no
ssl=no
use=cmd, cmd='echo $address'
protocol=dyndns2
server=$WEB:$WEB_PORT
login=$account
password='$token'
$domain
EOF
chmod 600 "$WORK/ddclient.conf"
lb1_a >/dev/null
timeout 60 ddclient -daemon=0 -foreground -file "$WORK/ddclient.conf" -cache "$WORK/ddclient.cache" -verbose \
    >"$WORK/ddclient.log" 2>&1 || true
answered=$(now_ms)
if grep -q "SUCCESS: *updating $domain: good: IP address set to $address" "$WORK/ddclient.log"; then
    say "ddclient: $(grep -m1 '^SENDING: *GET' "$WORK/ddclient.log" | sed 's/^SENDING: *//') -> good"
    sees "$address" "$answered" ddclient
else
    sed 's/^/    | /' "$WORK/ddclient.log"
    echo "  ddclient: no 'good' for $domain (its log above)"
    status=1
fi

# 2. The IPv64-style URL.
address=203.0.113.11
lb1_a >/dev/null
response=$(timeout 15 curl -sS -m 10 -w '\n%{http_code}' "$web/update.php?key=$token&domain=$domain&ip=$address") \
    || response=$'curl failed\n000'
answered=$(now_ms)
code=${response##*$'\n'}
body=${response%$'\n'*}
if [ "$code" = 200 ] && jq -e '.status == "success"' <<<"$body" >/dev/null 2>&1 && [[ $body == *"good $address"* ]]; then
    say "ipv64: GET /update.php?key=…&domain=$domain&ip=$address -> $code $body"
    sees "$address" "$answered" ipv64
else
    echo "  ipv64: GET /update.php answered $code: $body"
    status=1
fi

# 3. The REST API.
address=203.0.113.12
lb1_a >/dev/null
response=$(timeout 15 curl -sS -m 10 -w '\n%{http_code}' -X PUT -H "Authorization: Bearer $account_token" \
    -H 'Content-Type: application/json' -d "{\"ttl\": 60, \"records\": [\"$address\"]}" \
    "$web/api/v1/domains/$domain/rrsets/@/A") || response=$'curl failed\n000'
answered=$(now_ms)
code=${response##*$'\n'}
body=${response%$'\n'*}
if [ "$code" = 200 ] && jq -e --arg a "$address" '.records == [$a]' <<<"$body" >/dev/null 2>&1; then
    say "rest: PUT /api/v1/domains/$domain/rrsets/@/A -> $code $body"
    sees "$address" "$answered" rest
else
    echo "  rest: PUT /api/v1/domains/$domain/rrsets/@/A answered $code: $body"
    status=1
fi

stop_serve
[ $status -eq 0 ] || fail "an update did not reach the balancer in time (see above)"
say "passed"
