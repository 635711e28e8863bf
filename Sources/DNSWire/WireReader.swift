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
        return Array(bytes[offset..<offset + count])
    }

    /// The rest of the current limit.
    public mutating func readRest() -> [UInt8] {
        defer { offset = limit }
        return offset < limit ? Array(bytes[offset..<limit]) : []
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
    public mutating func readName() throws(DNSDecodeError) -> DNSName {
        // Fast path: a name without pointers is copied in one piece. Anything else (a pointer, a
        // bad label type, truncation, excess length) takes the general path, which reports it.
        var scan = offset
        while scan < limit {
            let length = bytes[scan]
            if length == 0 {
                guard scan + 1 - offset <= DNSName.maxWireLength else { break }
                let name = Array(bytes[offset...scan])
                offset = scan + 1
                return DNSName(uncheckedWire: name)
            }
            if length & 0xC0 != 0 { break }
            scan += 1 + Int(length)
        }
        return try readNameFollowingPointers()
    }

    /// Moves past a domain name without building it: the same checks as `readName` (and the same
    /// errors), without allocating when the name has no compression pointer.
    public mutating func skipName() throws(DNSDecodeError) {
        var scan = offset
        while scan < limit {
            let length = bytes[scan]
            if length == 0 {
                guard scan + 1 - offset <= DNSName.maxWireLength else { break }
                offset = scan + 1
                return
            }
            if length & 0xC0 != 0 { break }
            scan += 1 + Int(length)
        }
        _ = try readNameFollowingPointers()
    }

    private mutating func readNameFollowingPointers() throws(DNSDecodeError) -> DNSName {
        var wire: [UInt8] = []
        wire.reserveCapacity(32)
        var position = offset
        var resumeAt: Int?  // where reading continues after the first pointer
        var lowestTarget = Int.max
        while true {
            guard position < bytes.count, resumeAt != nil || position < limit else {
                throw DNSDecodeError(.truncated, at: position)
            }
            let length = bytes[position]
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    wire.append(0)
                    offset = resumeAt ?? position + 1
                    return DNSName(uncheckedWire: wire)
                }
                let end = position + 1 + Int(length)
                guard end <= bytes.count, resumeAt != nil || end <= limit else {
                    throw DNSDecodeError(.truncated, at: position)
                }
                guard wire.count + Int(length) + 2 <= DNSName.maxWireLength else {
                    throw DNSDecodeError(.nameTooLong, at: position)
                }
                wire.append(contentsOf: bytes[position..<end])
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
