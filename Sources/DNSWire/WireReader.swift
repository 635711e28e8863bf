/// A cursor over a whole DNS message in wire format.
///
/// `read…` consumes, `get…(at:)` peeks (STYLE.md §7). The reader keeps the whole message because
/// compression pointers (RFC 1035 §4.1.4) refer to absolute offsets in it.
public struct WireReader: Sendable {
    public let bytes: [UInt8]
    public var offset: Int
    /// Reading stops here (the end of the current RDATA while decoding one, else the message end).
    public var limit: Int
    /// Names already read, by offset, for the compression pointers that name them again.
    private var memo = NameMemo()
    /// Whether names read are remembered in `memo`. A decoder that knows no later name can point
    /// back (a query with no records but its OPT) turns it off, saving a retain and a release per
    /// name. Either way the names read are the same.
    var remembersNames = true

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
        self.limit = bytes.count
    }

    public var remaining: Int { limit - offset }
    public var isAtEnd: Bool { offset >= limit }

    @inlinable @inline(__always)
    public mutating func readUInt8() throws(DNSDecodeError) -> UInt8 {
        guard offset < limit else { throw DNSDecodeError(.truncated, at: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    @inlinable @inline(__always)
    public mutating func readUInt16() throws(DNSDecodeError) -> UInt16 {
        guard offset + 2 <= limit else { throw DNSDecodeError(.truncated, at: offset) }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    @inlinable @inline(__always)
    public mutating func readUInt32() throws(DNSDecodeError) -> UInt32 {
        guard offset + 4 <= limit else { throw DNSDecodeError(.truncated, at: offset) }
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
            | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    public mutating func readBytes(_ count: Int) throws(DNSDecodeError) -> [UInt8] {
        guard count >= 0, offset + count <= limit else { throw DNSDecodeError(.truncated, at: offset) }
        defer { offset += count }
        return copy(offset..<offset + count)
    }

    /// The rest of the current limit.
    public mutating func readRest() -> [UInt8] {
        defer { offset = limit }
        return offset < limit ? copy(offset..<limit) : []
    }

    /// The octets in `range` in an array of their own, copied through the buffer (an `ArraySlice`
    /// would retain and release the message). Traps on a range outside `bytes`, as a slice does.
    private func copy(_ range: Range<Int>) -> [UInt8] {
        bytes.withUnsafeBufferPointer { buffer in
            precondition(range.lowerBound >= 0 && range.upperBound <= buffer.count, "range outside the message")
            return range.isEmpty ? [] : Array(UnsafeBufferPointer(rebasing: buffer[range]))
        }
    }

    /// A character-string: one length octet and that many octets (RFC 1035 §3.3).
    public mutating func readCharacterString() throws(DNSDecodeError) -> [UInt8] {
        let length = try readUInt8()
        return try readBytes(Int(length))
    }

    /// A domain name, following compression pointers.
    ///
    /// RFC 1035 §4.1.4: a pointer refers to a prior occurrence of a name, so every pointer must point
    /// strictly before the pointer itself and strictly before the previous pointer's target; this
    /// rejects loops and forward pointers in linear time. Label types 0b01 and 0b10 are rejected.
    ///
    /// The octets are read through the message's buffer and copied once into the name's own array:
    /// no slice of the message (which would retain and release it per label) and no growing array.
    public mutating func readName() throws(DNSDecodeError) -> DNSName {
        // Fast path: a name without pointers is copied in one piece. Anything else (a pointer, a
        // bad label type, truncation, excess length) takes the general path, which reports it.
        let start = offset
        let end = uncompressedNameEnd(from: start)
        guard end > start else { return try readNameFollowingPointers() }
        offset = end
        if end - start == 1 { return DNSName.root }
        let name = DNSName(uncheckedWire: bytes.withUnsafeBufferPointer { buffer in
            Array(UnsafeBufferPointer(rebasing: buffer[start..<end]))
        })
        if remembersNames { memo.remember(name, at: start) }
        return name
    }

    /// Moves past a domain name without building it: the same checks as `readName` (and the same
    /// errors), without allocating when the name has no compression pointer.
    public mutating func skipName() throws(DNSDecodeError) {
        let end = uncompressedNameEnd(from: offset)
        guard end > offset else {
            _ = try readNameFollowingPointers()
            return
        }
        offset = end
    }

    /// The offset just past a name at `start` made of labels only, at most `DNSName.maxWireLength`
    /// octets and ending before `limit`; `start` itself when the name is anything else.
    private func uncompressedNameEnd(from start: Int) -> Int {
        bytes.withUnsafeBufferPointer { buffer in
            let end = min(limit, buffer.count)
            var scan = start
            while scan < end {
                let length = buffer[scan]
                if length == 0 {
                    return scan + 1 - start <= DNSName.maxWireLength ? scan + 1 : start
                }
                if length & 0xC0 != 0 { return start }
                scan += 1 + Int(length)
            }
            return start
        }
    }

    /// The general path: labels and pointers, checked and collected in a stack buffer of
    /// `maxWireLength` octets, then copied once into the name's array.
    ///
    /// A name that is one pointer to an offset a name was read from before shares that name's
    /// storage (`NameMemo`): reading it again would give the same octets and pass the same checks.
    private mutating func readNameFollowingPointers() throws(DNSDecodeError) -> DNSName {
        let start = offset
        let pointerTarget = pointerOnlyTarget(at: start)
        if let target = pointerTarget, let name = memo.name(at: target) {
            offset = start + 2
            return name
        }
        var span = NameSpan(wireLength: 0, resumeAt: start, firstTarget: Int.max)
        let name = try bytes.withUnsafeBufferPointer { (buffer) throws(DNSDecodeError) -> DNSName in
            try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: DNSName.maxWireLength) {
                (scratch) throws(DNSDecodeError) -> DNSName in
                span = try Self.collectName(in: buffer, from: start, limit: limit, into: scratch)
                if span.wireLength == 1 { return DNSName.root }
                // `Array(UnsafeBufferPointer)` is specialised in the standard library; an array
                // built with `unsafeUninitializedCapacity` looked its storage type up on every call.
                return DNSName(uncheckedWire: Array(UnsafeBufferPointer(rebasing: scratch[0..<span.wireLength])))
            }
        }
        offset = span.resumeAt
        // A name that is one pointer is the name read at its target with later pointers checked
        // below the target, as any later pointer to that target would read it. A name read at
        // `start` is what a pointer to `start` would read if its first pointer leads below `start`
        // (the check such a pointer adds); else it is not remembered.
        if remembersNames, let key = pointerTarget ?? (span.firstTarget < start ? start : nil) {
            memo.remember(name, at: key)
        }
        return name
    }

    /// The target of a compression pointer at `position` when the name there is that pointer alone
    /// and the pointer passes the checks `collectName` makes on a first pointer (in bounds,
    /// inside the limit, pointing backwards); nil otherwise.
    private func pointerOnlyTarget(at position: Int) -> Int? {
        bytes.withUnsafeBufferPointer { buffer in
            guard position >= 0, position + 1 < min(limit, buffer.count), buffer[position] & 0xC0 == 0xC0 else {
                return nil
            }
            let target = Int(buffer[position] & 0x3F) << 8 | Int(buffer[position + 1])
            return target < position ? target : nil
        }
    }

    /// What the walk learnt about a name: its uncompressed length, where reading continues, and
    /// the first pointer's target (`Int.max` if none).
    private struct NameSpan {
        var wireLength: Int
        var resumeAt: Int
        var firstTarget: Int
    }

    /// Walks the name at `start` with every check of RFC 1035 §4.1.4 (see `readName`), copying
    /// its labels into `wire`, which holds `maxWireLength` octets.
    private static func collectName(
        in bytes: UnsafeBufferPointer<UInt8>, from start: Int, limit: Int, into wire: UnsafeMutableBufferPointer<UInt8>
    ) throws(DNSDecodeError) -> NameSpan {
        var count = 0  // octets collected in `wire`
        var position = start
        var resumeAt: Int?  // where reading continues after the first pointer
        var lowestTarget = Int.max
        var firstTarget = Int.max
        while true {
            guard position >= 0, position < bytes.count, resumeAt != nil || position < limit else {
                throw DNSDecodeError(.truncated, at: position)
            }
            let length = bytes[position]
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    // count + 1 <= maxWireLength: each label was checked with room for this octet.
                    wire[count] = 0
                    return NameSpan(wireLength: count + 1, resumeAt: resumeAt ?? position + 1, firstTarget: firstTarget)
                }
                let end = position + 1 + Int(length)
                guard end <= bytes.count, resumeAt != nil || end <= limit else {
                    throw DNSDecodeError(.truncated, at: position)
                }
                guard count + Int(length) + 2 <= DNSName.maxWireLength else {
                    throw DNSDecodeError(.nameTooLong, at: position)
                }
                _ = UnsafeMutableBufferPointer(rebasing: wire[count..<(count + 1 + Int(length))])
                    .update(fromContentsOf: UnsafeBufferPointer(rebasing: bytes[position..<end]))
                count += 1 + Int(length)
                position = end
            case 0xC0:
                guard position + 1 < bytes.count, resumeAt != nil || position + 1 < limit else {
                    throw DNSDecodeError(.truncated, at: position)
                }
                let target = Int(length & 0x3F) << 8 | Int(bytes[position + 1])
                if resumeAt == nil { resumeAt = position + 2 }
                guard target < bytes.count else { throw DNSDecodeError(.pointerOutOfBounds, at: position) }
                if target >= lowestTarget { throw DNSDecodeError(.pointerLoop, at: position) }
                guard target < position else { throw DNSDecodeError(.forwardPointer, at: position) }
                if firstTarget == Int.max { firstTarget = target }
                lowestTarget = target
                position = target
            default:
                throw DNSDecodeError(.badLabelType(length & 0xC0), at: position)
            }
        }
    }

    /// Runs `body` with the limit narrowed to the next `length` octets and checks they were all used.
    public mutating func withLimit<T>(
        _ length: Int, type: RRType, _ body: (inout WireReader) throws(DNSDecodeError) -> T
    ) throws(DNSDecodeError) -> T {
        let start = offset
        guard offset + length <= limit else { throw DNSDecodeError(.truncated, at: offset) }
        let outer = limit
        limit = offset + length
        let value = try body(&self)
        guard offset == limit else { throw DNSDecodeError(.rdataLength(type), at: start) }
        limit = outer
        return value
    }
}

/// Up to eight names a reader has read, by the offset their octets were read from.
///
/// A compression pointer names an earlier offset (RFC 1035 §4.1.4), and responses point at the
/// same few names again and again (the question name, a zone's apex, NS targets for their glue).
/// A name that is only a pointer to a remembered offset shares the remembered name's array instead
/// of allocating its own: one retain instead of an allocation, a copy and a later deallocation.
/// Only offsets a pointer can reach (below 2^14) are kept; when all slots are used, later names
/// are not remembered. Fixed slots, so that a reader allocates nothing for its memo.
struct NameMemo: Sendable {
    private var offsets: (UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var names: (DNSName?, DNSName?, DNSName?, DNSName?, DNSName?, DNSName?, DNSName?, DNSName?)
    private var count = 0

    /// The name remembered for `offset`, if any. `mutating` only so that the caller's memo is
    /// read in place: a non-mutating call copied all eight slots (eight retains and releases).
    mutating func name(at offset: Int) -> DNSName? {
        guard offset < 0x4000 else { return nil }
        let key = UInt16(offset)
        for slot in 0..<count where self.offset(slot) == key {
            return name(slot)
        }
        return nil
    }

    /// Remembers `name` as the name read at `offset`, if a slot is free and a pointer can reach it.
    mutating func remember(_ name: DNSName, at offset: Int) {
        guard count < 8, offset < 0x4000 else { return }
        let key = UInt16(offset)
        for slot in 0..<count where self.offset(slot) == key { return }
        switch count {
        case 0: (offsets.0, names.0) = (key, name)
        case 1: (offsets.1, names.1) = (key, name)
        case 2: (offsets.2, names.2) = (key, name)
        case 3: (offsets.3, names.3) = (key, name)
        case 4: (offsets.4, names.4) = (key, name)
        case 5: (offsets.5, names.5) = (key, name)
        case 6: (offsets.6, names.6) = (key, name)
        default: (offsets.7, names.7) = (key, name)
        }
        count += 1
    }

    private mutating func offset(_ slot: Int) -> UInt16 {
        switch slot {
        case 0: offsets.0
        case 1: offsets.1
        case 2: offsets.2
        case 3: offsets.3
        case 4: offsets.4
        case 5: offsets.5
        case 6: offsets.6
        default: offsets.7
        }
    }

    private mutating func name(_ slot: Int) -> DNSName? {
        switch slot {
        case 0: names.0
        case 1: names.1
        case 2: names.2
        case 3: names.3
        case 4: names.4
        case 5: names.5
        case 6: names.6
        default: names.7
        }
    }
}
