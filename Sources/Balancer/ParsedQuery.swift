import DNSWire

/// The parts of a query the balancer needs, read straight from the wire without decoding the
/// whole message (dnsdist parses the header and question the same way and leaves the rest as
/// bytes). Anything that does not parse is a non-compliant query: dropped and counted.
public struct ParsedQuery: Sendable {
    public var id: UInt16
    public var flags: HeaderFlags
    public var opcode: Opcode
    /// The qname's octets: the query's own bytes (an uncompressed qname at offset 12), or the
    /// name's wire when the qname held a compression pointer.
    var qnameStorage: [UInt8]
    var qnameStart: Int
    var qnameWireLength: Int
    public var qtype: RRType
    public var qclass: DNSClass
    public var dnssecOK: Bool
    public var ednsPayloadSize: UInt16?
    /// Offset just after the question, where a cache key may continue (EDNS options).
    public var questionEnd: Int

    /// The query, or nil for anything non-compliant (dnsdist's `noncompliant-queries`): shorter
    /// than a header, a response, not exactly one question, or malformed records.
    public static func parse(_ bytes: [UInt8]) -> ParsedQuery? {
        guard bytes.count >= 12 else { return nil }
        let id = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        let rawFlags = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        if rawFlags & 0x8000 != 0 { return nil }
        let qdcount = UInt16(bytes[4]) << 8 | UInt16(bytes[5])
        guard qdcount == 1 else { return nil }
        let ancount = Int(UInt16(bytes[6]) << 8 | UInt16(bytes[7]))
        let nscount = Int(UInt16(bytes[8]) << 8 | UInt16(bytes[9]))
        let arcount = Int(UInt16(bytes[10]) << 8 | UInt16(bytes[11]))
        var reader = WireReader(bytes, offset: 12)
        do {
            // The qname stays in the query's bytes; only a compressed one is built apart.
            let qnameStorage: [UInt8]
            let qnameStart: Int
            let qnameWireLength: Int
            if let end = Self.uncompressedNameEnd(bytes, from: 12) {
                qnameStorage = bytes
                qnameStart = 12
                qnameWireLength = end - 12
                reader.offset = end
            } else {
                // A pointer, or an error that `readName` reports.
                qnameStorage = try reader.readName().wire
                qnameStart = 0
                qnameWireLength = qnameStorage.count
            }
            let qtype = RRType(rawValue: try reader.readUInt16())
            let qclass = DNSClass(rawValue: try reader.readUInt16())
            let questionEnd = reader.offset
            var dnssecOK = false
            var payload: UInt16?
            if arcount > 0 {
                for _ in 0..<(ancount + nscount) { try skipRecord(&reader) }
                for _ in 0..<arcount {
                    try reader.skipName()
                    let type = try reader.readUInt16()
                    let klass = try reader.readUInt16()
                    let ttl = try reader.readUInt32()
                    let length = Int(try reader.readUInt16())
                    guard reader.remaining >= length else { return nil }
                    reader.offset += length
                    if type == RRType.opt.rawValue {
                        payload = klass
                        dnssecOK = ttl & 0x8000 != 0
                    }
                }
            }
            return ParsedQuery(
                id: id, flags: HeaderFlags(rawValue: rawFlags & 0x87F0), opcode: Opcode(rawValue: UInt8((rawFlags >> 11) & 0xF)),
                qnameStorage: qnameStorage, qnameStart: qnameStart, qnameWireLength: qnameWireLength,
                qtype: qtype, qclass: qclass, dnssecOK: dnssecOK, ednsPayloadSize: payload,
                questionEnd: questionEnd)
        } catch {
            return nil
        }
    }

    /// The query name (case as received).
    public var qname: DNSName {
        qnameStorage.withUnsafeBufferPointer { storage in
            DNSName(uncheckedWire: UnsafeBufferPointer(rebasing: storage[qnameStart..<qnameStart + qnameWireLength]))
        }
    }

    /// The offset just past the name at `start` when it is uncompressed, ends inside `bytes` and
    /// fits `DNSName.maxWireLength` (exactly the names `WireReader.readName` reads without
    /// following pointers), else nil.
    @inline(__always)
    private static func uncompressedNameEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var scan = start
        while scan < bytes.count {
            let length = bytes[scan]
            if length == 0 { return scan + 1 - start <= DNSName.maxWireLength ? scan + 1 : nil }
            if length & 0xC0 != 0 { return nil }
            scan += 1 + Int(length)
        }
        return nil
    }

    private static func skipRecord(_ reader: inout WireReader) throws(DNSDecodeError) {
        try reader.skipName()
        reader.offset += 8
        guard reader.remaining >= 0 else { throw DNSDecodeError(.truncated, at: reader.offset) }
        let length = Int(try reader.readUInt16())
        guard reader.remaining >= length else { throw DNSDecodeError(.truncated, at: reader.offset) }
        reader.offset += length
    }
}

extension [UInt8] {
    /// The message ID (the first two octets); the caller has checked the length.
    @inline(__always)
    var messageID: UInt16 { UInt16(self[0]) << 8 | UInt16(self[1]) }

    @inline(__always)
    mutating func setMessageID(_ id: UInt16) {
        self[0] = UInt8(id >> 8)
        self[1] = UInt8(id & 0xFF)
    }

    /// RCODE of a response (the low four bits of octet 3).
    @inline(__always)
    var responseCode: RCode { RCode(rawValue: UInt16(self[3] & 0x0F)) }
}
