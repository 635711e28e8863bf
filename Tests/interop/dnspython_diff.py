#!/usr/bin/env python3
"""Differential test of ddnslab's DNS codec against dnspython.

Direction 1: ddnslab generates N random messages (wirecheck generate); dnspython parses each one and
prints its canonical text; ddnslab decodes the same bytes and prints the same form (wirecheck print).
The two texts must be equal: what we encode, dnspython parses to the same content, and our
presentation format of every record equals dnspython's.

Direction 2: dnspython builds N random messages from presentation text with a seeded RNG and
encodes them (with name compression, EDNS options, TSIG); ddnslab decodes them and prints the text,
which must equal dnspython's for the same bytes. We then re-encode them and dnspython must read the
re-encoded bytes to the same text.

Usage: dnspython_diff.py WIRECHECK SEED COUNT WORKDIR
"""
import base64
import os
import random
import subprocess
import sys

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.tsigkeyring

TYPED = {"A", "NS", "CNAME", "SOA", "PTR", "MX", "TXT", "AAAA", "SRV", "DS", "RRSIG", "NSEC",
         "DNSKEY", "NSEC3", "SVCB", "HTTPS", "TSIG", "CAA"}


def read_frames(path):
    data = open(path, "rb").read()
    frames, i = [], 0
    while i + 2 <= len(data):
        n = data[i] << 8 | data[i + 1]
        frames.append(data[i + 2:i + 2 + n])
        i += 2 + n
    return frames


def write_frames(path, frames):
    with open(path, "wb") as f:
        for w in frames:
            f.write(len(w).to_bytes(2, "big") + w)


def rdata_text(rd):
    name = dns.rdatatype.to_text(rd.rdtype)
    if name not in TYPED:
        wire = rd.to_wire()
        return "\\# %d %s" % (len(wire), wire.hex()) if wire else "\\# 0"
    return rd.to_text(chunksize=0).strip()


def rr_lines(section_name, rrsets):
    lines = []
    for rrset in rrsets:
        cls = dns.rdataclass.to_text(rrset.rdclass)
        typ = dns.rdatatype.to_text(rrset.rdtype)
        deleting = getattr(rrset, "deleting", None)
        if deleting is not None:
            cls = dns.rdataclass.to_text(deleting)
        head = f"{section_name} {rrset.name.to_text()} {rrset.ttl} {cls} {typ} "
        if len(rrset) == 0:
            lines.append(head + "\\# 0")
        for rd in rrset:
            lines.append(head + rdata_text(rd))
    return lines


def canonical(msg):
    flags = msg.flags & 0x87F0
    lines = [f"header id={msg.id} opcode={dns.opcode.from_flags(msg.flags)} rcode={msg.rcode()} flags={flags:x}"]
    if msg.edns >= 0:
        lines.append(f"edns version={msg.edns} flags={msg.ednsflags & 0xFFFF:x} payload={msg.payload}")
        for opt in msg.options:
            lines.append(f"option {int(opt.otype)} {opt.to_wire().hex()}")
    else:
        lines.append("edns none")
    for rrset in msg.sections[0]:
        lines.append(f"question {rrset.name.to_text()} {dns.rdataclass.to_text(rrset.rdclass)} "
                     f"{dns.rdatatype.to_text(rrset.rdtype)}")
    lines += rr_lines("answer", msg.sections[1])
    lines += rr_lines("authority", msg.sections[2])
    lines += rr_lines("additional", msg.sections[3])
    if msg.tsig:
        lines += rr_lines("additional", [msg.tsig])
    return lines


def python_text(frames):
    out = []
    for i, w in enumerate(frames):
        out.append(f"message {i}")
        try:
            out += canonical(dns.message.from_wire(w, keyring=False, one_rr_per_rrset=True))
        except Exception as e:  # noqa: BLE001 - any parse failure is a difference to report
            out.append(f"error dnspython {type(e).__name__}: {e}")
    return out


def swift_text(wirecheck, path):
    result = subprocess.run([wirecheck, "print", path], capture_output=True, text=True, check=True)
    return result.stdout.splitlines()


def blocks(lines):
    result, current = [], None
    for line in lines:
        if line.startswith("message "):
            current = []
            result.append(current)
        elif current is not None:
            current.append(line)
    return result


def compare(label, ours, theirs):
    """Compares message by message; returns the number of messages that differ."""
    a, b = blocks(ours), blocks(theirs)
    if len(a) != len(b):
        print(f"  {label}: {len(a)} messages vs {len(b)}")
        return max(1, abs(len(a) - len(b)))
    differing = 0
    for index, (x, y) in enumerate(zip(a, b)):
        if x == y:
            continue
        differing += 1
        if differing <= 8:
            print(f"  {label} message {index}:")
            for left, right in zip(x + [""] * (len(y) - len(x)), y + [""] * (len(x) - len(y))):
                if left != right:
                    print(f"    ddnslab:   {left}\n    dnspython: {right}")
    return differing


# ---- direction 2: dnspython generates ------------------------------------------------------

LABEL_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def name(self):
        labels = []
        for _ in range(self.r.randint(0, 4)):
            label = "".join(self.r.choice(LABEL_CHARS) for _ in range(self.r.randint(1, 10)))
            if self.r.random() < 0.05:
                label += "\\%03d" % self.r.randint(0, 255)
            labels.append(label)
        return dns.name.from_text(".".join(labels) + "." if labels else ".")

    def b64(self, lo, hi):
        return base64.b64encode(bytes(self.r.randint(0, 255) for _ in range(self.r.randint(lo, hi)))).decode()

    def hexs(self, n):
        return bytes(self.r.randint(0, 255) for _ in range(n)).hex()

    def qs(self):
        chars = [chr(self.r.randint(0x20, 0x7E)) for _ in range(self.r.randint(0, 20))]
        return '"' + "".join("\\" + c if c in '"\\' else c for c in chars) + '"'

    def rdata(self, names):
        r = self.r
        n = lambda: r.choice(names).to_text()  # noqa: E731
        kinds = [
            ("A", lambda: "%d.%d.%d.%d" % tuple(r.randint(0, 255) for _ in range(4))),
            ("AAAA", lambda: ":".join("%x" % (0 if r.random() < 0.4 else r.randint(0, 65535)) for _ in range(8))),
            ("NS", n), ("CNAME", n), ("PTR", n),
            ("SOA", lambda: f"{n()} {n()} {r.randint(0, 2**32-1)} {r.randint(0, 99999)} {r.randint(0, 9999)} "
                            f"{r.randint(0, 9999999)} {r.randint(0, 86400)}"),
            ("MX", lambda: f"{r.randint(0, 65535)} {n()}"),
            ("TXT", lambda: " ".join(self.qs() for _ in range(r.randint(1, 3)))),
            ("SRV", lambda: f"{r.randint(0, 65535)} {r.randint(0, 65535)} {r.randint(0, 65535)} {n()}"),
            ("CAA", lambda: f"{r.choice([0, 128])} {r.choice(['issue', 'issuewild', 'iodef'])} {self.qs()}"),
            ("DS", lambda: f"{r.randint(0, 65535)} {r.choice([8, 13, 15])} 2 {self.hexs(32)}"),
            ("DNSKEY", lambda: f"{r.choice([256, 257])} 3 {r.choice([8, 13])} {self.b64(16, 64)}"),
            ("RRSIG", lambda: f"{r.choice(['A', 'AAAA', 'TXT', 'SOA'])} 13 {r.randint(0, 5)} {r.randint(0, 86400)} "
                              f"{r.randint(0, 2**32-1)} {r.randint(0, 2**32-1)} {r.randint(0, 65535)} {n()} "
                              f"{self.b64(16, 64)}"),
            ("NSEC", lambda: f"{n()} " + " ".join(sorted(set(r.choice(['A', 'NS', 'SOA', 'MX', 'TXT', 'AAAA',
                                                                          'RRSIG', 'NSEC', 'TYPE1234', 'CAA'])
                                                                for _ in range(r.randint(0, 5)))))),
            ("NSEC3", lambda: f"1 {r.randint(0, 1)} {r.randint(0, 100)} "
                              f"{self.hexs(r.randint(1, 8)) if r.random() < 0.7 else '-'} "
                              f"{base64.b32hexencode(bytes(r.randint(0, 255) for _ in range(20))).decode().lower()} A RRSIG"),
            ("HTTPS", lambda: r.choice(["1 . alpn=h2,h3 port=443", "0 svc.example.", "2 . ipv4hint=192.0.2.1,192.0.2.9",
                                        "1 . alpn=h2 no-default-alpn ipv6hint=2001:db8::1 dohpath=/q{?dns}",
                                        "3 . mandatory=alpn alpn=h3 key65001=\"xy\""])),
            ("SVCB", lambda: r.choice(["1 . port=853", "0 foo.example.", "1 . alpn=dot ohttp"])),
            ("TLSA", lambda: f"3 1 1 {self.hexs(32)}"),
            ("HINFO", lambda: f"{self.qs()} {self.qs()}"),
            ("SSHFP", lambda: f"4 2 {self.hexs(32)}"),
        ]
        typ, make = r.choice(kinds)
        return typ, make()

    def message(self):
        r = self.r
        names = [self.name() for _ in range(r.randint(1, 5))]
        qname = r.choice(names)
        msg = dns.message.make_query(qname, r.choice(["A", "AAAA", "MX", "TXT", "ANY", "SOA", "HTTPS"]))
        msg.id = r.randint(0, 65535)
        msg.flags = r.randint(0, 65535) & 0x87F0
        msg.set_opcode(r.choice([0, 0, 0, 4]))
        if r.random() < 0.6:
            opts = []
            for _ in range(r.randint(0, 2)):
                k = r.randint(0, 2)
                if k == 0:
                    opts.append(dns.edns.ECSOption("192.0.2.0", r.choice([0, 8, 16, 24, 32])))
                elif k == 1:
                    opts.append(dns.edns.GenericOption(10, bytes(r.randint(0, 255) for _ in range(r.choice([8, 16, 24])))))
                else:
                    opts.append(dns.edns.GenericOption(65001, bytes(r.randint(0, 255) for _ in range(r.randint(0, 6)))))
            msg.use_edns(0, r.choice([0, dns.flags.DO]), r.randint(512, 4096), options=opts)
            msg.set_rcode(r.choice([0, 0, 3, 5, 16, 23, 300]))
        else:
            msg.set_rcode(r.choice([0, 2, 3, 5]))
        for section in (msg.answer, msg.authority, msg.additional):
            for _ in range(r.randint(0, 3)):
                typ, text = self.rdata(names)
                rrset = dns.rrset.from_text(r.choice(names), r.randint(0, 2**31 - 1), "IN", typ, text)
                if not any(x.name == rrset.name and x.rdtype == rrset.rdtype for x in section):
                    section.append(rrset)
        if r.random() < 0.1:
            keyring = dns.tsigkeyring.from_text({"key.example.": base64.b64encode(b"0123456789abcdef").decode()})
            msg.use_tsig(keyring, "key.example.")
        try:
            return msg.to_wire(max_size=65535)
        except dns.exception.TooBig:
            return self.message()


def main():
    wirecheck, seed, count, workdir = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    os.makedirs(workdir, exist_ok=True)
    failures = 0

    ours_path = os.path.join(workdir, "ddnslab-generated.bin")
    subprocess.run([wirecheck, "generate", str(seed), str(count), ours_path], check=True)
    frames = read_frames(ours_path)
    assert len(frames) == count, f"wirecheck wrote {len(frames)} messages, expected {count}"
    m = compare("ddnslab-encoded", swift_text(wirecheck, ours_path), python_text(frames))
    print(f"ddnslab -> dnspython: {count} messages, {m} differing messages")
    failures += m

    gen = Gen(seed)
    theirs_path = os.path.join(workdir, "dnspython-generated.bin")
    write_frames(theirs_path, [gen.message() for _ in range(count)])
    frames = read_frames(theirs_path)
    theirs_text = python_text(frames)
    m = compare("dnspython-encoded", swift_text(wirecheck, theirs_path), theirs_text)
    print(f"dnspython -> ddnslab: {count} messages, {m} differing messages")
    failures += m

    again_path = os.path.join(workdir, "dnspython-reencoded.bin")
    subprocess.run([wirecheck, "reencode", theirs_path, again_path], check=True)
    m = compare("re-encoded", python_text(read_frames(again_path)), theirs_text)
    print(f"dnspython -> ddnslab -> dnspython: {count} messages, {m} differing messages")
    failures += m

    print(f"dnspython differential: {0 if failures else 3} passed, {1 if failures else 0} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
