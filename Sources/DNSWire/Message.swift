/// A question (RFC 1035 §4.1.2).
public struct Question: Hashable, Sendable {
    public var name: DNSName
    public var type: RRType
    public var `class`: DNSClass

    public init(name: DNSName, type: RRType, class: DNSClass = .in) {
        self.name = name
        self.type = type
        self.class = `class`
    }
}

/// A resource record (RFC 1035 §4.1.3). Its TYPE is the type of its RDATA.
public struct ResourceRecord: Hashable, Sendable {
    public var name: DNSName
    public var `class`: DNSClass
    public var ttl: UInt32
    public var rdata: RData

    public init(name: DNSName, class: DNSClass = .in, ttl: UInt32, rdata: RData) {
        self.name = name
        self.class = `class`
        self.ttl = ttl
        self.rdata = rdata
    }

    public var type: RRType { rdata.type }
}

/// A whole DNS message (RFC 1035 §4.1) with its OPT record lifted into `edns`.
///
/// The RCODE is the full 12-bit value: on the wire its upper 8 bits travel in the OPT record
/// (RFC 6891 §6.1.3), so an RCODE above 15 needs `edns`. A TSIG record, when present, stays the
/// last record of `additional` (RFC 8945 §5.1).
public struct Message: Hashable, Sendable {
    public var id: UInt16
    public var flags: HeaderFlags
    public var opcode: Opcode
    public var rcode: RCode
    public var questions: [Question]
    public var answers: [ResourceRecord]
    public var authority: [ResourceRecord]
    public var additional: [ResourceRecord]
    public var edns: EDNS?

    public init(
        id: UInt16 = 0, flags: HeaderFlags = [], opcode: Opcode = .query, rcode: RCode = .noError,
        questions: [Question] = [], answers: [ResourceRecord] = [], authority: [ResourceRecord] = [],
        additional: [ResourceRecord] = [], edns: EDNS? = nil
    ) {
        self.id = id
        self.flags = flags
        self.opcode = opcode
        self.rcode = rcode
        self.questions = questions
        self.answers = answers
        self.authority = authority
        self.additional = additional
        self.edns = edns
    }

    /// A query for one name and type, as a stub resolver sends it.
    public static func query(
        id: UInt16, name: DNSName, type: RRType, recursionDesired: Bool = false, edns: EDNS? = nil
    ) -> Message {
        Message(id: id, flags: recursionDesired ? .rd : [], questions: [Question(name: name, type: type)], edns: edns)
    }

    /// The first question, which every query we serve has exactly one of.
    public var question: Question? { questions.first }

    /// The TSIG record, if the message is signed.
    public var tsig: ResourceRecord? {
        guard let last = additional.last, last.type == .tsig else { return nil }
        return last
    }

    /// An empty response to this message: same ID, opcode, question and RD/CD, QR set.
    public func makeResponse(rcode: RCode = .noError) -> Message {
        Message(id: id, flags: [.qr, flags.intersection([.rd, .cd])], opcode: opcode, rcode: rcode, questions: questions)
    }
}
