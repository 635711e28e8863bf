/// A cursor over a whole DNS message in wire format.
///
/// `read…` consumes, `get…(at:)` peeks (STYLE.md §7). The reader keeps the whole message because
/// compression pointers (RFC 1035 §4.1.4) refer to absolute offsets in it.
public struct WireReader: Sendable {
    public let bytes: [UInt8]
    public var offset: Int
    /// Reading stops here (the end of the current RDATA while decoding one, else the message end).
    public var limit: Int

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
    /// The octets are read through the message's buffer and copied once into the name (inline, or
    /// its own array when longer than `DNSName.inlineCapacity`): no slice of the message (which would
    /// retain and release it per label) and no growing array.
    public mutating func readName() throws(DNSDecodeError) -> DNSName {
        // Fast path: a name without pointers is copied in one piece. Anything else (a pointer, a
        // bad label type, truncation, excess length) takes the general path, which reports it.
        let start = offset
        let end = uncompressedNameEnd(from: start)
        guard end > start else { return try readNameFollowingPointers() }
        offset = end
        if end - start == 1 { return DNSName.root }
        return bytes.withUnsafeBufferPointer { buffer in
            DNSName(uncheckedWire: UnsafeBufferPointer(rebasing: buffer[start..<end]))
        }
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
    /// `maxWireLength` octets, then copied once into the name.
    private mutating func readNameFollowingPointers() throws(DNSDecodeError) -> DNSName {
        let start = offset
        var resumeAt = start
        let name = try bytes.withUnsafeBufferPointer { (buffer) throws(DNSDecodeError) -> DNSName in
            try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: DNSName.maxWireLength) {
                (scratch) throws(DNSDecodeError) -> DNSName in
                let span = try Self.collectName(in: buffer, from: start, limit: limit, into: scratch)
                resumeAt = span.resumeAt
                if span.wireLength == 1 { return DNSName.root }
                return DNSName(uncheckedWire: UnsafeBufferPointer(UnsafeMutableBufferPointer(rebasing: scratch[0..<span.wireLength])))
            }
        }
        offset = resumeAt
        return name
    }

    /// The target of a compression pointer at `position` when the name there is that pointer alone
    /// and the pointer passes the checks `readName` makes on a first pointer (in bounds, inside the
    /// limit, pointing backwards); nil otherwise.
    func pointerOnlyTarget(at position: Int) -> Int? {
        bytes.withUnsafeBufferPointer { buffer in
            guard position >= 0, position + 1 < min(limit, buffer.count), buffer[position] & 0xC0 == 0xC0 else {
                return nil
            }
            let target = Int(buffer[position] & 0x3F) << 8 | Int(buffer[position + 1])
            return target < position ? target : nil
        }
    }

    /// For a name `readName` read successfully from `start`: the offset a later compression pointer
    /// would name to read the very same name, or nil if there is none.
    ///
    /// A name that is one pointer is the name read at its target with later pointers checked below
    /// that target, exactly as any later pointer to the target reads it: the key is the target. A
    /// name of labels (perhaps ending in a pointer) is what a pointer to `start` reads if its first
    /// pointer leads below `start`, the one check such a pointer adds: the key is `start`. Names
    /// are not keyed where a pointer cannot reach (offsets from 2^14).
    func pointerKey(forNameAt start: Int) -> Int? {
        bytes.withUnsafeBufferPointer { buffer in
            var position = start
            while position >= 0, position < buffer.count {
                let length = buffer[position]
                if length == 0 { return start < 0x4000 ? start : nil }
                if length & 0xC0 == 0xC0 {
                    guard position + 1 < buffer.count else { return nil }
                    let target = Int(length & 0x3F) << 8 | Int(buffer[position + 1])
                    if position == start { return target }
                    return target < start && start < 0x4000 ? start : nil
                }
                guard length & 0xC0 == 0 else { return nil }
                position += 1 + Int(length)
            }
            return nil
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
