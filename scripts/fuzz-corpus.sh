#!/usr/bin/env bash
# Seeds a fuzzing corpus folder with every DNS message in fixtures/pcap (UDP payloads, and TCP
# payloads without their length prefix), as tshark extracts them. Idempotent.
set -euo pipefail
out=${1:?usage: fuzz-corpus.sh DIR}
mkdir -p "$out"
for f in ${PCAP_DIR:-fixtures/pcap}/*.pcap; do
    tshark -r "$f" -Y dns -T fields -e udp.payload -e tcp.payload 2>/dev/null
done | python3 -c '
import sys, hashlib, os
out = sys.argv[1]
for line in sys.stdin:
    for field in line.strip().split("\t"):
        if not field:
            continue
        data = bytes.fromhex(field.replace(":", ""))
        if len(data) > 2 and (data[0] << 8 | data[1]) == len(data) - 2:
            data = data[2:]
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
' "$out"
echo "fuzz corpus: $(ls "$out" | wc -l) seeds in $out"
