/// A domain name, kept in uncompressed wire form with the case it was given.
///
/// Wire form (RFC 1035 §3.1): length-prefixed labels ending with the zero-length root label.
/// Comparison and hashing ignore ASCII case (RFC 4343); the stored bytes keep it, so names print
/// and encode exactly as received. Ordering is the canonical order of RFC 4034 §6.1.
public struct DNSName: Sendable {
    /// RFC 1035 §2.3.4: at most 255 octets in wire form, labels at most 63.
    public static let maxWireLength = 255
    public static let maxLabelLength = 63

    /// The uncompressed wire form, ending with a zero octet.
    public let wire: [UInt8]

    /// The root name, ".".
    public static let root = DNSName(uncheckedWire: [0])

    /// Wraps wire bytes the caller has already validated (the reader does, label by label; a
    /// caller that kept a name's octets read earlier may rewrap them).
    public init(uncheckedWire: [UInt8]) {
        assert(uncheckedWire.last == 0 && uncheckedWire.count <= Self.maxWireLength, "invalid name wire")
        self.wire = uncheckedWire
    }

    /// Builds a name from labels (without the root label).
    public init(labels: [[UInt8]]) throws(DNSNameError) {
        var wire: [UInt8] = []
        for label in labels {
            guard !label.isEmpty else { throw DNSNameError.emptyLabel }
            guard label.count <= Self.maxLabelLength else { throw DNSNameError.labelTooLong }
            wire.append(UInt8(label.count))
            wire.append(contentsOf: label)
        }
        wire.append(0)
        guard wire.count <= Self.maxWireLength else { throw DNSNameError.nameTooLong }
        self.wire = wire
    }

    /// Validates and wraps uncompressed wire bytes.
    public init(wire: [UInt8]) throws(DNSNameError) {
        var index = 0
        while true {
            guard index < wire.count else { throw DNSNameError.badWire }
            let length = Int(wire[index])
            if length == 0 { break }
            guard length <= Self.maxLabelLength else { throw DNSNameError.labelTooLong }
            index += 1 + length
        }
        guard index == wire.count - 1 else { throw DNSNameError.badWire }
        guard wire.count <= Self.maxWireLength else { throw DNSNameError.nameTooLong }
        self.wire = wire
    }

    public var isRoot: Bool { wire.count == 1 }

    /// The number of labels, not counting the root label.
    public var labelCount: Int {
        var count = 0
        var index = 0
        while wire[index] != 0 {
            count += 1
            index += 1 + Int(wire[index])
        }
        return count
    }

    /// The labels from left to right, without the root label.
    public var labels: [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        var index = 0
        while wire[index] != 0 {
            let length = Int(wire[index])
            result.append(wire[(index + 1)..<(index + 1 + length)])
            index += 1 + length
        }
        return result
    }

    /// The name without its leftmost label; the root's parent is nil.
    public var parent: DNSName? {
        guard !isRoot else { return nil }
        return DNSName(uncheckedWire: Array(wire[(1 + Int(wire[0]))...]))
    }

    /// The leftmost label is `*` (RFC 4592 §2.1.1).
    public var isWildcard: Bool { wire.count >= 3 && wire[0] == 1 && wire[1] == UInt8(ascii: "*") }

    /// This name with `label` prepended.
    public func prepending(_ label: [UInt8]) throws(DNSNameError) -> DNSName {
        guard !label.isEmpty else { throw DNSNameError.emptyLabel }
        guard label.count <= Self.maxLabelLength else { throw DNSNameError.labelTooLong }
        guard wire.count + 1 + label.count <= Self.maxWireLength else { throw DNSNameError.nameTooLong }
        return DNSName(uncheckedWire: [UInt8(label.count)] + label + wire)
    }

    /// The suffix of this name with the given number of labels (0 gives the root).
    public func suffix(labelCount wanted: Int) -> DNSName {
        let total = labelCount
        precondition(wanted >= 0 && wanted <= total, "suffix longer than name")
        var index = 0
        for _ in 0..<(total - wanted) { index += 1 + Int(wire[index]) }
        return index == 0 ? self : DNSName(uncheckedWire: Array(wire[index...]))
    }

    /// True when this name equals `other` or lies below it (case-insensitively). Allocates nothing:
    /// it walks to the label boundary where the tails have equal length and compares the tails.
    public func isSubdomain(of other: DNSName) -> Bool {
        let tail = other.wire.count
        guard wire.count >= tail else { return false }
        var index = 0
        while wire.count - index > tail {
            index += 1 + Int(wire[index])
        }
        guard wire.count - index == tail else { return false }
        let start = index
        return wire.withUnsafeBufferPointer { mine in
            other.wire.withUnsafeBufferPointer { theirs in
                for offset in 0..<tail where mine[start + offset] != theirs[offset] {
                    if asciiLower(mine[start + offset]) != asciiLower(theirs[offset]) { return false }
                }
                return true
            }
        }
    }

    /// A copy with ASCII letters lowered, as PowerDNS stores names and RFC 4034 §6.2 canonicalises.
    public var lowercased: DNSName {
        DNSName(uncheckedWire: wire.map(asciiLower))
    }
}

/// Why a name could not be built.
public enum DNSNameError: Error, Equatable, Hashable, Sendable {
    case emptyLabel
    case labelTooLong
    case nameTooLong
    case badWire
    case badEscape
}

@inline(__always)
func asciiLower(_ byte: UInt8) -> UInt8 {
    byte &- 0x41 < 26 ? byte | 0x20 : byte
}

extension DNSName: Equatable, Hashable {
    /// Case-insensitive equality (RFC 4343 §3). Length octets are never letters, so a byte-wise
    /// comparison of lowered bytes compares label structure as well. Eight octets at a time (zone
    /// lookups confirm every hash hit with it); words that differ are compared lowered.
    public static func == (lhs: DNSName, rhs: DNSName) -> Bool {
        guard lhs.wire.count == rhs.wire.count else { return false }
        return lhs.wire.withUnsafeBufferPointer { left in
            rhs.wire.withUnsafeBufferPointer { right in equalWires(left, right) }
        }
    }

    /// `==` on two names' wire octets wherever they are kept (a name inside a packet, say).
    /// Eight octets at a time; a word that differs is compared again with its letters lowered.
    public static func equalWires(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = left.count
        guard count == right.count else { return false }
        guard count > 0, let leftBase = left.baseAddress, let rightBase = right.baseAddress else { return true }
        let l = UnsafeRawPointer(leftBase)
        let r = UnsafeRawPointer(rightBase)
        var offset = 0
        while offset + 8 <= count {
            let x = l.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let y = r.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            if x != y && lowered(x) != lowered(y) { return false }
            offset += 8
        }
        while offset < count {
            if left[offset] != right[offset] && asciiLower(left[offset]) != asciiLower(right[offset]) { return false }
            offset += 1
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(foldedDigest)
    }

    /// The lowered octets folded into one 64-bit word (multiply-xorshift per octet), so that a
    /// hash table lookup costs one `Hasher` combine whatever the name's length.
    public var foldedDigest: UInt64 {
        wire.withUnsafeBytes { Self.foldedDigest(ofWire: $0) }
    }

    /// `foldedDigest` of a name's wire octets wherever they are kept.
    public static func foldedDigest(ofWire raw: UnsafeRawBufferPointer) -> UInt64 {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(raw.count)
        var offset = 0
        while offset + 8 <= raw.count {
            let word = Self.lowered(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            state = (state ^ word) &* 0x0000_0100_0000_01B3
            state ^= state >> 29
            offset += 8
        }
        while offset < raw.count {
            state = (state ^ UInt64(asciiLower(raw[offset]))) &* 0x0000_0100_0000_01B3
            offset += 1
        }
        return state ^ (state >> 32)
    }

    /// ASCII letters A-Z of eight octets lowered at once (SWAR): the high bit of each octet marks
    /// "at least 'A'" and "above 'Z'" from two additions, and 0x20 is or-ed where the first holds
    /// and neither the second nor the octet's own high bit does.
    @inline(__always)
    static func lowered(_ word: UInt64) -> UInt64 {
        let high: UInt64 = 0x8080_8080_8080_8080
        let low7 = word & 0x7F7F_7F7F_7F7F_7F7F
        let atLeastA = low7 &+ 0x3F3F_3F3F_3F3F_3F3F  // 0x80 - 0x41 per octet
        let aboveZ = low7 &+ 0x2525_2525_2525_2525  // 0x80 - 0x5B per octet
        let letters = atLeastA & ~aboveZ & ~word & high
        return word | (letters >> 2)
    }

    /// True when the names are equal including case.
    public func isIdentical(to other: DNSName) -> Bool { wire == other.wire }
}

extension DNSName: Comparable {
    /// Canonical DNS name order (RFC 4034 §6.1): compare labels from the rightmost, each as a
    /// lowercased octet string, a shorter label sorting first when it is a prefix of the other.
    public static func < (lhs: DNSName, rhs: DNSName) -> Bool {
        canonicalCompare(lhs, rhs) < 0
    }

    /// -1, 0 or 1 in canonical order.
    ///
    /// Label offsets are collected in stack buffers (a name has at most 127 labels), so a
    /// comparison allocates nothing: zone lookups do several per query.
    public static func canonicalCompare(_ lhs: DNSName, _ rhs: DNSName) -> Int {
        if lhs.wire.count == rhs.wire.count && lhs == rhs { return 0 }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { left in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { right in
                let leftCount = lhs.collectLabelOffsets(into: left)
                let rightCount = rhs.collectLabelOffsets(into: right)
                var i = leftCount - 1
                var j = rightCount - 1
                while i >= 0 && j >= 0 {
                    let order = compareLabel(lhs.wire, at: Int(left[i]), rhs.wire, at: Int(right[j]))
                    if order != 0 { return order }
                    i -= 1
                    j -= 1
                }
                return i < 0 ? (j < 0 ? 0 : -1) : 1
            }
        }
    }

    /// Writes the offset of each label's length octet (left to right) and returns the label count.
    /// Offsets fit in a byte: a name is at most 255 octets.
    private func collectLabelOffsets(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var count = 0
        var index = 0
        wire.withUnsafeBufferPointer { bytes in
            while bytes[index] != 0 {
                buffer[count] = UInt8(index)
                count += 1
                index += 1 + Int(bytes[index])
            }
        }
        return count
    }

    private static func compareLabel(_ a: [UInt8], at i: Int, _ b: [UInt8], at j: Int) -> Int {
        let lengthA = Int(a[i])
        let lengthB = Int(b[j])
        let common = min(lengthA, lengthB)
        var k = 1
        while k <= common {
            let x = asciiLower(a[i + k])
            let y = asciiLower(b[j + k])
            if x != y { return x < y ? -1 : 1 }
            k += 1
        }
        return lengthA == lengthB ? 0 : (lengthA < lengthB ? -1 : 1)
    }
}
