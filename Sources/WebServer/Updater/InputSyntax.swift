import DNSWire

/// Host names as updater clients send them: ASCII letters, digits and hyphens (RFC 1123 §2.1),
/// labels of 1…63 octets, at most 253 characters, one optional trailing dot; stored lowercase.
///
/// Refused as bad syntax (HTTP 400, body `notfqdn`): empty labels (`a..b`, a leading dot), a label
/// that starts or ends with a hyphen, an over-long label or name, anything outside the ASCII LDH
/// set (raw UTF-8 — an IDN must arrive as punycode, RFC 5891 §4.4), wildcards, and labels with
/// `--` in the third and fourth position other than a well-formed `xn--` A-label prefix
/// (RFC 5891 §4.2.3.1). A syntactically valid name of one label is not refused here: the
/// protocol answers it `notfqdn` (dyndns2 §1.2).
enum HostnameSyntax {
    /// The longest host name in text form (RFC 1035 §2.3.4 with the trailing dot's octet).
    static let maxNameLength = 253

    /// The name in `text`, lowercase, or nil when it breaks the syntax above.
    static func parse(_ text: Substring) -> DNSName? {
        var body = text
        if body.hasSuffix(".") { body = body.dropLast() }
        guard !body.isEmpty, body.utf8.count <= maxNameLength else { return nil }
        var labels: [[UInt8]] = []
        for label in body.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard let checked = checkedLabel(label) else { return nil }
            labels.append(checked)
        }
        return try? DNSName(labels: labels)
    }

    /// One or more labels to put before a domain (IPv64 `praefix`), e.g. `ddns` or `a.b`.
    static func parsePrefix(_ text: Substring) -> [[UInt8]]? {
        guard !text.isEmpty, !text.hasSuffix("."), text.utf8.count <= maxNameLength else { return nil }
        var labels: [[UInt8]] = []
        for label in text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard let checked = checkedLabel(label) else { return nil }
            labels.append(checked)
        }
        return labels
    }

    /// The label lowercased, or nil when it is not an LDH label of 1…63 octets.
    static func checkedLabel(_ label: some Collection<UInt8>) -> [UInt8]? {
        guard (1...DNSName.maxLabelLength).contains(label.count) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(label.count)
        for byte in label {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                out.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                out.append(byte | 0x20)
            default:
                return nil
            }
        }
        guard out.first != UInt8(ascii: "-"), out.last != UInt8(ascii: "-") else { return nil }
        if out.count >= 4, out[2] == UInt8(ascii: "-"), out[3] == UInt8(ascii: "-") {
            // Only an A-label may have hyphens in positions 3 and 4, and it needs a body.
            guard out[0] == UInt8(ascii: "x"), out[1] == UInt8(ascii: "n"), out.count > 4 else { return nil }
        }
        return out
    }
}

/// Which addresses may be stored: the policy behind HTTP 400 `badip`.
///
/// Always refused: text that is not a dotted quad or RFC 4291 IPv6 (zone indexes `%eth0`,
/// prefixes, leading zeros), and IPv4-mapped/-compatible IPv6 (`::ffff:a.b.c.d`: an A record's
/// job). Refused unless `WebServerConfig.allowPrivateAddresses`: addresses nobody on the Internet
/// can reach — IPv4 0/8, 10/8, 100.64/10 (shared CGN space), 127/8, 169.254/16, 172.16/12,
/// 192.0.0/24, 192.168/16, 224/4 (multicast), 240/4 (reserved, broadcast); IPv6 ::/128, ::1,
/// fe80::/10, fc00::/7 (ULA), ff00::/8 (multicast), 100::/64 (discard).
/// Always allowed: the documentation ranges 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32
/// and benchmarking 198.18/15, which the simulator's clients use (RFC 5737, RFC 3849, RFC 2544).
enum AddressPolicy {
    /// Whether `address` may be stored under the policy.
    static func permits(_ address: IPAddress, allowPrivate: Bool) -> Bool {
        switch address {
        case .v4(let v4): return allowPrivate || isPublic(v4)
        case .v6(let v6): return !isMappedV4(v6) && (allowPrivate || isPublic(v6))
        }
    }

    static func isPublic(_ address: IPv4Address) -> Bool {
        let refused: [(UInt32, Int)] = [
            (0x0000_0000, 8), (0x0A00_0000, 8), (0x6440_0000, 10), (0x7F00_0000, 8), (0xA9FE_0000, 16),
            (0xAC10_0000, 12), (0xC000_0000, 24), (0xC0A8_0000, 16), (0xE000_0000, 4), (0xF000_0000, 4),
        ]
        return !refused.contains { network, length in
            address.value >> UInt32(32 - length) == network >> UInt32(32 - length)
        }
    }

    static func isPublic(_ address: IPv6Address) -> Bool {
        let high = address.high
        if high == 0 && (address.low == 0 || address.low == 1) { return false }  // :: and ::1
        if high >> 54 == 0x3FA { return false }  // fe80::/10
        if high >> 57 == 0x7E { return false }  // fc00::/7
        if high >> 56 == 0xFF { return false }  // ff00::/8
        if high == 0x0100_0000_0000_0000 { return false }  // 100::/64
        return true
    }

    /// `::ffff:a.b.c.d` and the deprecated `::a.b.c.d`.
    static func isMappedV4(_ address: IPv6Address) -> Bool {
        address.high == 0 && (address.low >> 32 == 0xFFFF || (address.low >> 32 == 0 && address.low > 1))
    }
}

/// An IPv6 prefix (`2001:db8:1:2::/64`) whose bits replace the leading bits of AAAA records,
/// keeping each record's host bits (IPv64 `ipv6prefix`, dynv6 `ipv6prefix`).
struct IPv6Prefix: Hashable, Sendable, CustomStringConvertible {
    var address: IPv6Address
    /// 1…127 bits.
    var length: Int

    /// Parses `address/length` (length 1…127; without `/length`, 64).
    init?(_ text: Substring) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPv6Address(String(parts[0])) else { return nil }
        var length = 64
        if parts.count == 2 {
            guard parts[1].utf8.count <= 3, parts[1].utf8.allSatisfy({ (48...57).contains($0) }),
                  let value = Int(parts[1]), (1...127).contains(value) else { return nil }
            length = value
        }
        self.init(address: address, length: length)
    }

    init(address: IPv6Address, length: Int) {
        precondition((1...127).contains(length), "a prefix leaves host bits")
        self.address = address
        self.length = length
    }

    /// `address` with its first `length` bits replaced by the prefix's.
    func applied(to address: IPv6Address) -> IPv6Address {
        let (maskHigh, maskLow) = Self.mask(length)
        return IPv6Address(high: (self.address.high & maskHigh) | (address.high & ~maskHigh),
                           low: (self.address.low & maskLow) | (address.low & ~maskLow))
    }

    static func mask(_ length: Int) -> (UInt64, UInt64) {
        if length >= 64 {
            let lowBits = length - 64
            return (.max, lowBits == 0 ? 0 : ~(UInt64.max >> UInt64(lowBits)))
        }
        return (~(UInt64.max >> UInt64(length)), 0)
    }

    var description: String {
        let (maskHigh, maskLow) = Self.mask(length)
        return IPv6Address(high: address.high & maskHigh, low: address.low & maskLow).description + "/\(length)"
    }
}
