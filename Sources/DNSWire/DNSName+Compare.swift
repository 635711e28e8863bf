extension DNSName: Equatable, Hashable {
    /// Case-insensitive equality (RFC 4343 §3). Length octets are never letters, so a byte-wise
    /// comparison of lowered bytes compares label structure as well. Eight octets at a time (zone
    /// lookups confirm every hash hit with it); words that differ are compared lowered.
    public static func == (lhs: DNSName, rhs: DNSName) -> Bool {
        guard lhs.wireCount == rhs.wireCount else { return false }
        return lhs.withWireBytes { left in
            rhs.withWireBytes { right in equalWires(left, right) }
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
        withWireBytes { Self.foldedDigest(ofWire: UnsafeRawBufferPointer($0)) }
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
    public func isIdentical(to other: DNSName) -> Bool {
        withWireBytes { mine in other.withWireBytes { theirs in mine.elementsEqual(theirs) } }
    }
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
        if lhs.wireCount == rhs.wireCount && lhs == rhs { return 0 }
        return lhs.withWireBytes { leftWire in
            rhs.withWireBytes { rightWire in canonicalCompare(leftWire, rightWire) }
        }
    }

    /// `canonicalCompare` of two names' wire octets, which differ.
    private static func canonicalCompare(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Int {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { left in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { right in
                let leftCount = collectLabelOffsets(of: lhs, into: left)
                let rightCount = collectLabelOffsets(of: rhs, into: right)
                var i = leftCount - 1
                var j = rightCount - 1
                while i >= 0 && j >= 0 {
                    let order = compareLabel(lhs, at: Int(left[i]), rhs, at: Int(right[j]))
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
    private static func collectLabelOffsets(
        of bytes: UnsafeBufferPointer<UInt8>, into buffer: UnsafeMutableBufferPointer<UInt8>
    ) -> Int {
        var count = 0
        var index = 0
        while bytes[index] != 0 {
            buffer[count] = UInt8(index)
            count += 1
            index += 1 + Int(bytes[index])
        }
        return count
    }

    private static func compareLabel(
        _ a: UnsafeBufferPointer<UInt8>, at i: Int, _ b: UnsafeBufferPointer<UInt8>, at j: Int
    ) -> Int {
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
