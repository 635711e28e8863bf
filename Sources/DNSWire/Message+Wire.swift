/// The fixed size of the message header (RFC 1035 §4.1.1).
public let dnsHeaderLength = 12
/// The largest message that fits in a TCP length prefix or an IP datagram.
public let dnsMaxMessageLength = 65_535

extension Message {
    /// Decodes a whole message from untrusted bytes.
    ///
    /// Every failure is a `DNSDecodeError` with the offset where it was found; nothing traps. Bytes
    /// after the last announced record are an error (`trailingBytes`).
    public init(wire bytes: [UInt8]) throws(DNSDecodeError) {
        var reader = WireReader(bytes)
        let id = try reader.readUInt16()
        let word = try reader.readUInt16()
        let counts = (try reader.readUInt16(), try reader.readUInt16(), try reader.readUInt16(), try reader.readUInt16())
        // Sections are built in locals and the message is initialised once at the end, so no
        // partly built `self` is copied or destroyed on the way.
        // Names are remembered for compression pointers only when a record could point back at
        // them: not in a query whose additional section is at most its OPT record.
        reader.remembersNames = counts.1 > 0 || counts.2 > 0 || counts.3 > 1
        var questions: [Question] = []
        if counts.0 > 0 { questions.reserveCapacity(Self.plausibleCount(counts.0, remaining: reader.remaining, minimumSize: 5)) }
        for _ in 0..<counts.0 {
            let name = try reader.readName()
            questions.append(Question(name: name, type: RRType(try reader.readUInt16()),
                                      class: DNSClass(try reader.readUInt16())))
        }
        var optRecord: EDNSOnWire?
        var firstTSIG: Int?  // index in `additional`
        let answers = try Self.decodeSection(&reader, count: counts.1, section: 1, edns: &optRecord, firstTSIG: &firstTSIG)
        let authority = try Self.decodeSection(&reader, count: counts.2, section: 2, edns: &optRecord, firstTSIG: &firstTSIG)
        let additional = try Self.decodeSection(&reader, count: counts.3, section: 3, edns: &optRecord, firstTSIG: &firstTSIG)
        var rcode = RCode(rawValue: word & 0xF)
        if let opt = optRecord {
            rcode = RCode(rawValue: UInt16(opt.extendedRCode) << 4 | rcode.rawValue)
        }
        guard reader.isAtEnd else { throw DNSDecodeError(.trailingBytes, at: reader.offset) }
        if let index = firstTSIG, index != additional.count - 1 {
            throw DNSDecodeError(.misplacedTSIG, at: dnsHeaderLength)
        }
        self.id = id
        self.flags = HeaderFlags(rawValue: word)
        self.opcode = Opcode(rawValue: UInt8(word >> 11 & 0xF))
        self.rcode = rcode
        self.questions = questions
        self.answers = answers
        self.authority = authority
        self.additional = additional
        self.edns = optRecord?.edns
    }

    /// A capacity to reserve for `count` entries: the announced count, but no more than the rest of
    /// the message could hold at `minimumSize` octets each (the header is untrusted).
    private static func plausibleCount(_ count: UInt16, remaining: Int, minimumSize: Int) -> Int {
        min(Int(count), remaining / minimumSize + 1)
    }

    private static func decodeSection(
        _ reader: inout WireReader, count: UInt16, section: Int, edns: inout EDNSOnWire?, firstTSIG: inout Int?
    ) throws(DNSDecodeError) -> [ResourceRecord] {
        // Capacity is reserved at the first record kept, not before: the common additional section
        // holds only the OPT record, which is lifted out, and an empty array costs no allocation.
        var records: [ResourceRecord] = []
        for index in 0..<count {
            let start = reader.offset
            let name = try reader.readName()
            let type = RRType(try reader.readUInt16())
            let rrClass = DNSClass(try reader.readUInt16())
            let ttl = try reader.readUInt32()
            let length = Int(try reader.readUInt16())
            if type == .opt {
                guard section == 3, name.isRoot else { throw DNSDecodeError(.misplacedOPT, at: start) }
                guard edns == nil else { throw DNSDecodeError(.duplicateOPT, at: start) }
                edns = try EDNSOnWire.decode(&reader, length: length, payload: rrClass.rawValue, ttl: ttl)
                continue
            }
            // `withLimit`, written out: the closure's generic result cost a copy of every RDATA.
            guard length <= reader.remaining else { throw DNSDecodeError(.truncated, at: reader.offset) }
            let rdataStart = reader.offset
            let outer = reader.limit
            reader.limit = rdataStart + length
            let rdata = try RData.decode(type: type, class: rrClass, from: &reader)
            guard reader.offset == reader.limit else { throw DNSDecodeError(.rdataLength(type), at: rdataStart) }
            reader.limit = outer
            if records.isEmpty {
                // This record and the rest, at 11 octets or more each (root owner, no RDATA).
                records.reserveCapacity(1 + plausibleCount(count - index - 1, remaining: reader.remaining, minimumSize: 11))
            }
            // RDATA decodes to its record's TYPE, so this is the first record whose `type` is TSIG.
            if section == 3 && type == .tsig && firstTSIG == nil { firstTSIG = records.count }
            // `consume`: the optimiser otherwise copied the RDATA into the record and destroyed the original.
            records.append(ResourceRecord(name: consume name, class: rrClass, ttl: ttl, rdata: consume rdata))
        }
        return records
    }

    /// Encodes the message, compressing names (RFC 1035 §4.1.4).
    public func wire() throws(DNSEncodeError) -> [UInt8] {
        var writer = WireWriter()
        try encode(into: &writer)
        return writer.bytes
    }

    /// Appends the encoded message to `writer`, which must be empty (compression offsets start at 0).
    public func encode(into writer: inout WireWriter) throws(DNSEncodeError) {
        precondition(writer.count == 0, "a message starts at offset 0 of its writer")
        guard rcode.rawValue < 16 || edns != nil else { throw DNSEncodeError.extendedRCodeWithoutEDNS }
        writer.writeUInt16(id)
        writer.writeUInt16(flags.rawValue | UInt16(opcode.rawValue) << 11 | rcode.rawValue & 0xF)
        let additionalCount = additional.count + (edns == nil ? 0 : 1)
        for count in [questions.count, answers.count, authority.count, additionalCount] {
            guard count <= 0xFFFF else { throw DNSEncodeError.messageTooLarge }
            writer.writeUInt16(UInt16(count))
        }
        for question in questions {
            writer.writeName(question.name)
            writer.writeUInt16(question.type.rawValue)
            writer.writeUInt16(question.class.rawValue)
        }
        for record in answers { try record.encode(into: &writer) }
        for record in authority { try record.encode(into: &writer) }
        // OPT goes before a TSIG, which must stay last (RFC 8945 §5.1).
        let signed = tsig != nil
        for record in additional.dropLast(signed ? 1 : 0) { try record.encode(into: &writer) }
        if let edns { try encodeOPT(edns, into: &writer) }
        if signed, let last = additional.last { try last.encode(into: &writer) }
        guard writer.count <= dnsMaxMessageLength else { throw DNSEncodeError.messageTooLarge }
    }

    private func encodeOPT(_ edns: EDNS, into writer: inout WireWriter) throws(DNSEncodeError) {
        writer.writeUInt8(0)
        writer.writeUInt16(RRType.opt.rawValue)
        writer.writeUInt16(edns.udpPayloadSize)
        writer.writeUInt8(UInt8(rcode.rawValue >> 4))
        writer.writeUInt8(edns.version)
        writer.writeUInt16(edns.flags)
        let lengthAt = writer.count
        writer.writeUInt16(0)
        for option in edns.options {
            let data = option.data
            guard data.count <= 0xFFFF else { throw DNSEncodeError.rdataTooLarge(.opt) }
            writer.writeUInt16(option.code)
            writer.writeUInt16(UInt16(data.count))
            writer.writeBytes(data)
        }
        let length = writer.count - lengthAt - 2
        guard length <= 0xFFFF else { throw DNSEncodeError.rdataTooLarge(.opt) }
        writer.setUInt16(UInt16(length), at: lengthAt)
    }
}

extension ResourceRecord {
    func encode(into writer: inout WireWriter) throws(DNSEncodeError) {
        writer.writeName(name)
        writer.writeUInt16(type.rawValue)
        writer.writeUInt16(self.class.rawValue)
        writer.writeUInt32(ttl)
        let lengthAt = writer.count
        writer.writeUInt16(0)
        try rdata.encode(into: &writer)
        let length = writer.count - lengthAt - 2
        guard length <= 0xFFFF else { throw DNSEncodeError.rdataTooLarge(type) }
        writer.setUInt16(UInt16(length), at: lengthAt)
    }
}

/// The OPT record as read, before its extended RCODE bits are merged into the message RCODE.
struct EDNSOnWire {
    var edns: EDNS
    var extendedRCode: UInt8

    static func decode(
        _ reader: inout WireReader, length: Int, payload: UInt16, ttl: UInt32
    ) throws(DNSDecodeError) -> EDNSOnWire {
        var edns = EDNS(udpPayloadSize: payload, version: UInt8(truncatingIfNeeded: ttl >> 16))
        edns.flags = UInt16(truncatingIfNeeded: ttl)
        edns.options = try reader.withLimit(length, type: .opt) { (inner) throws(DNSDecodeError) in
            var options: [EDNSOption] = []
            while !inner.isAtEnd {
                let code = try inner.readUInt16()
                let size = Int(try inner.readUInt16())
                options.append(try EDNSOption.decode(code: code, size: size, from: &inner))
            }
            return options
        }
        return EDNSOnWire(edns: edns, extendedRCode: UInt8(truncatingIfNeeded: ttl >> 24))
    }
}
