/// The fixed size of the message header (RFC 1035 §4.1.1).
public let dnsHeaderLength = 12
/// The largest message that fits in a TCP length prefix or an IP datagram.
public let dnsMaxMessageLength = 65_535

extension Message {
    /// Decodes a whole message from untrusted bytes.
    ///
    /// Every failure is a `DNSDecodeError` with the offset where it was found; nothing traps. Bytes
    /// after the last announced record are an error (`trailingBytes`).
    public init(wire bytes: consuming [UInt8]) throws(DNSDecodeError) {
        self.init()
        try Self.decode(consume bytes, into: &self)
    }

    /// The body of `init(wire:)`: fills the fields of an empty message in place.
    ///
    /// Swift 6.3 builds a `Message` value (a large struct with an optional struct field) in a
    /// temporary, copies it out and destroys the temporary, in the memberwise initialiser as in any
    /// initialiser that assigns its fields: a retain and a release of every section. Copying the
    /// empty message of `init()` costs nothing (empty arrays are not reference counted); assigning
    /// through `inout` copies nothing.
    private static func decode(_ bytes: consuming [UInt8], into message: inout Message) throws(DNSDecodeError) {
        var reader = WireReader(consume bytes)
        let id = try reader.readUInt16()
        let word = try reader.readUInt16()
        let counts = (try reader.readUInt16(), try reader.readUInt16(), try reader.readUInt16(), try reader.readUInt16())
        var names = CompressionTargets()
        var questions: [Question] = []
        if counts.0 > 0 {
            questions.reserveCapacity(Self.plausibleCount(counts.0, remaining: reader.remaining, minimumSize: 5))
        }
        for _ in 0..<counts.0 {
            let start = reader.offset
            let name: DNSName
            let shared: Bool
            if let target = reader.pointerOnlyTarget(at: start), let place = names.place(of: target),
                let known = Self.name(at: place, current: 0, questions: questions, answers: [], authority: [],
                                      records: [])
            {
                (name, shared) = (known, true)
                reader.offset = start + 2
            } else {
                (name, shared) = (try reader.readName(), false)
            }
            questions.append(Question(name: name, type: RRType(try reader.readUInt16()),
                                      class: DNSClass(try reader.readUInt16())))
            if !shared {
                let place = CompressionTargets.Place(section: 0, index: questions.count - 1)
                names.remember(reader.pointerKey(forNameAt: start), place)
            }
        }
        // The OPT record, lifted out of the additional section, and its upper RCODE bits.
        var opt = OPTRecord()
        var firstTSIG: Int?  // index in `additional`
        let answers = try Self.decodeSection(
            &reader, count: counts.1, section: 1, opt: &opt, firstTSIG: &firstTSIG, names: &names,
            questions: questions, answers: [], authority: [])
        let authority = try Self.decodeSection(
            &reader, count: counts.2, section: 2, opt: &opt, firstTSIG: &firstTSIG, names: &names,
            questions: questions, answers: answers, authority: [])
        let additional = try Self.decodeSection(
            &reader, count: counts.3, section: 3, opt: &opt, firstTSIG: &firstTSIG, names: &names,
            questions: questions, answers: answers, authority: authority)
        let rcode = RCode(rawValue: UInt16(opt.extendedRCode) << 4 | word & 0xF)
        guard reader.isAtEnd else { throw DNSDecodeError(.trailingBytes, at: reader.offset) }
        if let index = firstTSIG, index != additional.count - 1 {
            throw DNSDecodeError(.misplacedTSIG, at: dnsHeaderLength)
        }
        message.id = id
        message.flags = HeaderFlags(rawValue: word)
        message.opcode = Opcode(rawValue: UInt8(word >> 11 & 0xF))
        message.rcode = rcode
        // `consume`: the sections were lent to `decodeSection` for shared names, after which the
        // optimiser copied them here (a retain and a release each) instead of moving them.
        message.questions = consume questions
        message.answers = consume answers
        message.authority = consume authority
        message.additional = consume additional
        message.edns = opt.edns.take()
    }

    /// A capacity to reserve for `count` entries: the announced count, but no more than the rest of
    /// the message could hold at `minimumSize` octets each (the header is untrusted).
    private static func plausibleCount(_ count: UInt16, remaining: Int, minimumSize: Int) -> Int {
        min(Int(count), remaining / minimumSize + 1)
    }

    /// Decodes the records of section 1, 2 or 3; the sections before it are given so that an owner
    /// name that is one compression pointer to a name already read can share it (`CompressionTargets`).
    private static func decodeSection(
        _ reader: inout WireReader, count: UInt16, section: Int, opt: inout OPTRecord, firstTSIG: inout Int?,
        names: inout CompressionTargets, questions: [Question], answers: [ResourceRecord], authority: [ResourceRecord]
    ) throws(DNSDecodeError) -> [ResourceRecord] {
        // Capacity is reserved at the first record kept, not before: the common additional section
        // holds only the OPT record, which is lifted out, and an empty array costs no allocation.
        var records: [ResourceRecord] = []
        for index in 0..<count {
            let start = reader.offset
            let name: DNSName
            let shared: Bool
            if let target = reader.pointerOnlyTarget(at: start), let place = names.place(of: target),
                let known = Self.name(at: place, current: section, questions: questions, answers: answers,
                                      authority: authority, records: records)
            {
                (name, shared) = (known, true)
                reader.offset = start + 2
            } else {
                (name, shared) = (try reader.readName(), false)
            }
            let type = RRType(try reader.readUInt16())
            let rrClass = DNSClass(try reader.readUInt16())
            let ttl = try reader.readUInt32()
            let length = Int(try reader.readUInt16())
            if type == .opt {
                guard section == 3, name.isRoot else { throw DNSDecodeError(.misplacedOPT, at: start) }
                guard opt.edns == nil else { throw DNSDecodeError(.duplicateOPT, at: start) }
                opt.edns = try EDNS.decode(&reader, length: length, payload: rrClass.rawValue, ttl: ttl)
                opt.extendedRCode = UInt8(truncatingIfNeeded: ttl >> 24)
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
                let rest = plausibleCount(count - index - 1, remaining: reader.remaining, minimumSize: 11)
                records.reserveCapacity(1 + rest)
            }
            // RDATA decodes to its record's TYPE, so this is the first record whose `type` is TSIG.
            if section == 3 && type == .tsig && firstTSIG == nil { firstTSIG = records.count }
            // `consume`: the optimiser otherwise copied the RDATA into the record and destroyed the original.
            records.append(ResourceRecord(name: consume name, class: rrClass, ttl: ttl, rdata: consume rdata))
            let place = CompressionTargets.Place(section: section, index: records.count - 1)
            if !shared { names.remember(reader.pointerKey(forNameAt: start), place) }
            // The names that glue and other owners point at: NS, CNAME and PTR targets, MX exchanges.
            switch type {
            case .ns, .cname, .ptr: names.remember(reader.pointerKey(forNameAt: rdataStart), place.inRDataName)
            case .mx where length > 2: names.remember(reader.pointerKey(forNameAt: rdataStart + 2), place.inRDataName)
            default: break
            }
        }
        return records
    }

    /// The name at `place`, from the question section or the record sections decoded so far
    /// (`records` is section `current`, still being decoded); nil if there is none.
    private static func name(
        at place: CompressionTargets.Place, current: Int, questions: [Question], answers: [ResourceRecord],
        authority: [ResourceRecord], records: [ResourceRecord]
    ) -> DNSName? {
        switch place.section {
        case 0: place.index < questions.count ? questions[place.index].name : nil
        case current: name(in: records, at: place)
        case 1: name(in: answers, at: place)
        case 2: name(in: authority, at: place)
        default: nil
        }
    }

    private static func name(in records: [ResourceRecord], at place: CompressionTargets.Place) -> DNSName? {
        // Through the buffer, which borrows the record: subscripting the array copied it whole.
        records.withUnsafeBufferPointer { buffer in
            guard place.index < buffer.count else { return nil }
            guard place.inRData else { return buffer[place.index].name }
            switch buffer[place.index].rdata {
            case .ns(let name), .cname(let name), .ptr(let name): return name
            case .mx(_, let name): return name
            default: return nil
            }
        }
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

/// The OPT record as read, before its extended RCODE bits are merged into the message RCODE
/// (RFC 6891 §6.1.3): both zero-valued until one is read. Two fields rather than an optional pair,
/// so the EDNS value moves into the message without a copy.
struct OPTRecord {
    var edns: EDNS?
    var extendedRCode: UInt8 = 0
}

extension EDNS {
    /// The EDNS of an OPT record whose RDATA of `length` octets starts at the reader's offset.
    static func decode(
        _ reader: inout WireReader, length: Int, payload: UInt16, ttl: UInt32
    ) throws(DNSDecodeError) -> EDNS {
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
        return edns
    }
}

/// Where the names decoded so far sit in the message, by the offset a compression pointer names
/// them at (`WireReader.pointerKey`): up to sixteen of them, in fixed slots of plain integers.
///
/// Responses point at the same few names again and again: answers at the question name, NS
/// owners at the zone, glue at the NS targets (RFC 1035 §4.1.4). An owner name that is one pointer
/// to a name in the index shares that name's array (one retain) instead of being read into a new
/// one: the same octets, as reading it passes the same checks (see `pointerKey`). The index holds
/// no references, so remembering a name costs nothing; when its slots are full, later names are
/// read as usual.
struct CompressionTargets {
    /// A question (section 0) or a record of section 1, 2 or 3, by index: its owner name, or the
    /// name its RDATA holds (NS, CNAME, PTR, MX).
    struct Place {
        var section: Int
        var index: Int
        var inRData = false

        /// The same record's RDATA name.
        var inRDataName: Place { Place(section: section, index: index, inRData: true) }
    }

    private static let capacity = 16
    private var slots: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
        = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    private var count = 0

    /// Slot layout: key in bits 32-47, section in 24-25, the RDATA flag in bit 23, index in 0-15.
    /// `mutating` only so that the slots are read in place rather than copied first.
    mutating func place(of key: Int) -> Place? {
        let used = min(count, Self.capacity)
        return withUnsafeMutableBytes(of: &slots) { raw in
            for slot in 0..<used {
                let entry = raw.load(fromByteOffset: slot * 8, as: UInt64.self)
                if Int(entry >> 32) == key {
                    let inRData = entry & 1 << 23 != 0
                    return Place(section: Int(entry >> 24 & 0x3), index: Int(entry & 0xFFFF), inRData: inRData)
                }
            }
            return nil
        }
    }

    /// Records `place` under `key`, unless the key is nil or known, the place does not fit the
    /// layout, or the slots are full.
    mutating func remember(_ key: Int?, _ place: Place) {
        guard let key, key < 0x4000, count < Self.capacity, place.index <= 0xFFFF, place.section <= 3,
            self.place(of: key) == nil
        else { return }
        let flag: UInt64 = place.inRData ? 1 << 23 : 0
        let entry = UInt64(key) << 32 | UInt64(place.section) << 24 | flag | UInt64(place.index)
        let slot = count
        withUnsafeMutableBytes(of: &slots) { $0.storeBytes(of: entry, toByteOffset: slot * 8, as: UInt64.self) }
        count += 1
    }
}
