/// An IPv4 address as its four octets in network order.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    public var octets: [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    public var description: String { octets.map { String($0) }.joined(separator: ".") }

    /// Dotted quad, exactly four decimal parts 0...255 without leading zeros (as dnspython accepts).
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.utf8.allSatisfy(isDigit),
                part.count == 1 || part.first != "0", let octet = UInt8(part)
            else { return nil }
            value = value << 8 | UInt32(octet)
        }
        self.value = value
    }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }
}

/// An IPv6 address as two 64-bit halves in network order.
public struct IPv6Address: Hashable, Comparable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public init(octets: some Collection<UInt8>) {
        precondition(octets.count == 16, "IPv6 address is 16 octets")
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in octets.enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self.high = high
        self.low = low
    }

    public var octets: [UInt8] {
        (0..<16).map { index in
            index < 8 ? UInt8(truncatingIfNeeded: high >> (56 - 8 * index))
                : UInt8(truncatingIfNeeded: low >> (56 - 8 * (index - 8)))
        }
    }

    var groups: [UInt16] {
        (0..<8).map { index in
            let word = index < 4 ? high : low
            return UInt16(truncatingIfNeeded: word >> (48 - 16 * (index % 4)))
        }
    }

    /// RFC 5952 text: lowercase hex, no leading zeros, the longest run (two or more) of zero groups
    /// as "::" (the first on a tie); `::ffff:a.b.c.d` and `::a.b.c.d` keep the dotted quad as dnspython does.
    public var description: String {
        let groups = groups
        var bestStart = -1
        var bestLength = 0
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else { index += 1; continue }
            var end = index
            while end < 8 && groups[end] == 0 { end += 1 }
            if end - index > bestLength { (bestStart, bestLength) = (index, end - index) }
            index = end
        }
        if bestStart == 0 && (bestLength == 6 || (bestLength == 5 && groups[5] == 0xFFFF)) {
            let v4 = IPv4Address(UInt32(truncatingIfNeeded: low))
            return (bestLength == 6 ? "::" : "::ffff:") + v4.description
        }
        let hex = groups.map { String($0, radix: 16) }
        guard bestLength > 1 else { return hex.joined(separator: ":") }
        let head = hex[0..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }

    /// Parses RFC 4291 §2.2 text, including "::" and a trailing dotted quad.
    public init?(_ text: String) {
        var text = Substring(text)
        var tailV4: [UInt16] = []
        if let lastColon = text.lastIndex(of: ":"), text[lastColon...].contains(".") {
            guard let v4 = IPv4Address(String(text[text.index(after: lastColon)...])) else { return nil }
            tailV4 = [UInt16(v4.value >> 16), UInt16(v4.value & 0xFFFF)]
            text = text[...lastColon]
            if text.hasSuffix(":") && !text.hasSuffix("::") { text = text.dropLast() }
        }
        let halves = text.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
        guard halves.count <= 2 else { return nil }
        func parseGroups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            for piece in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard !piece.isEmpty, piece.count <= 4, let group = UInt16(piece, radix: 16) else { return nil }
                result.append(group)
            }
            return result
        }
        guard var head = parseGroups(halves[0]) else { return nil }
        var groups: [UInt16]
        if halves.count == 2 {
            guard let tail = parseGroups(halves[1]) else { return nil }
            let tailAll = tail + tailV4
            let missing = 8 - head.count - tailAll.count
            guard missing >= 1 else { return nil }
            groups = head + Array(repeating: 0, count: missing) + tailAll
        } else {
            head += tailV4
            groups = head
        }
        guard groups.count == 8 else { return nil }
        var octets: [UInt8] = []
        for group in groups { octets += [UInt8(group >> 8), UInt8(group & 0xFF)] }
        self.init(octets: octets)
    }

    public static func < (lhs: IPv6Address, rhs: IPv6Address) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

/// An IP address of either family.
public enum IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    case v4(IPv4Address)
    case v6(IPv6Address)

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text.
    public init?(_ text: String) {
        if let v4 = IPv4Address(text) {
            self = .v4(v4)
        } else if let v6 = IPv6Address(text) {
            self = .v6(v6)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .v4(let address): address.description
        case .v6(let address): address.description
        }
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        switch (lhs, rhs) {
        case (.v4(let a), .v4(let b)): a < b
        case (.v6(let a), .v6(let b)): a < b
        case (.v4, .v6): true
        case (.v6, .v4): false
        }
    }
}
