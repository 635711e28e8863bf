import DNSWire
import DNSZone

/// Bounds of one transfer response message (STYLE.md §5).
public struct TransferMessageLimits: Hashable, Sendable {
    /// Most answer records in one message.
    public var recordsPerMessageMax: Int
    /// Most octets in one message (before the TCP length prefix). A record larger than this on its
    /// own still goes, alone in its message, up to the 65,535-octet message limit.
    public var bytesPerMessageMax: Int

    /// 500 records or 16 KiB per message, whichever comes first (BIND packs up to its 20,480-octet
    /// `transfer-message-size`; smaller messages let a receiver see progress sooner).
    public init(recordsPerMessageMax: Int = 500, bytesPerMessageMax: Int = 16_384) {
        precondition(recordsPerMessageMax >= 1, "a message carries at least one record")
        precondition((512...dnsMaxMessageLength).contains(bytesPerMessageMax), "512 ... 65,535 octets per message")
        self.recordsPerMessageMax = recordsPerMessageMax
        self.bytesPerMessageMax = bytesPerMessageMax
    }
}

/// How a server answers IXFR.
public enum IXFRServing: String, Hashable, Sendable {
    /// From the journal when it reaches back far enough, else the whole zone (RFC 1995 §4).
    case incremental
    /// Always the whole zone (in IXFR form), or the SOA alone for a current client: what PowerDNS
    /// does, since it cannot serve incremental IXFR (issues #6679, #2192).
    case wholeZoneOnly = "whole-zone-only"
}

/// How a server answers zone transfers.
public struct TransferPolicy: Hashable, Sendable {
    public var ixfr: IXFRServing
    /// Condense a run of diffs into one difference sequence (RFC 1995 §5), so a record changed
    /// many times since the client's serial travels once.
    public var condense: Bool
    public var limits: TransferMessageLimits

    public init(ixfr: IXFRServing = .incremental, condense: Bool = true, limits: TransferMessageLimits = TransferMessageLimits()) {
        self.ixfr = ixfr
        self.condense = condense
        self.limits = limits
    }
}

/// The messages answering one transfer request.
public struct TransferAnswer: Hashable, Sendable {
    /// The response messages, in order; the first carries the question.
    public var messages: [Message]
    /// What kind of answer it is; nil for an error response (`rcode` says which).
    public var style: TransferStyle?
    /// The RCODE of the (first) response.
    public var rcode: RCode
    /// Answer records over all messages.
    public var recordCount: Int
}

/// Builds AXFR (RFC 5936) and IXFR (RFC 1995) responses from a zone and its journal (pure).
///
/// AXFR: the SOA, every other record in canonical order, the SOA again (RFC 5936 §2.2), split
/// over messages within `TransferMessageLimits`; the question is copied into the first message
/// only (§2.2.1). IXFR: a client at or past the current serial gets the SOA alone (RFC 1995 §2);
/// else the difference sequences SOA(new) [SOA(old) removed… SOA(next) added…]… SOA(new) (§4)
/// when the journal reaches back to the client's serial, and the whole zone in IXFR form when
/// it does not. An IXFR query without the client's SOA in its authority section is FORMERR (§3).
public enum ZoneTransferResponder {
    /// The answer to `request` (over TCP) for `zone`, using `journal` for IXFR.
    public static func answer(
        _ request: TransferRequest, zone: Zone, journal: ZoneJournal?, policy: TransferPolicy
    ) -> TransferAnswer {
        precondition(zone.origin == request.zone, "the request is for another zone")
        guard let soa = zone.soaRecord, let current = soa.soaData else {
            return error(request.query, .servFail)
        }
        var packer = MessagePacker(query: request.query, limits: policy.limits)
        let style: TransferStyle
        if request.type == .axfr {
            style = .axfr
            packWholeZone(zone, soa: soa, into: &packer)
        } else {
            guard let clientSerial = clientSerial(of: request.query, zone: zone.origin) else {
                return error(request.query, .formErr)
            }
            style = ixfrStyle(client: clientSerial, current: SerialNumber(current.serial), journal: journal, policy: policy)
            switch style {
            case .upToDate: packer.append(soa)
            case .ixfrIncremental:
                guard let diffs = incrementalDiffs(from: clientSerial, current: current, journal: journal, policy: policy)
                else { return error(request.query, .servFail) }
                packIncremental(diffs, soa: soa, into: &packer)
            case .ixfrFullZone, .axfr: packWholeZone(zone, soa: soa, into: &packer)
            }
        }
        let messages = packer.finish()
        return TransferAnswer(messages: messages, style: style, rcode: .noError, recordCount: packer.recordCount)
    }

    /// The answer to an IXFR over UDP: the whole response when it fits in one message of `limit`
    /// octets, else the SOA alone to tell the client to use TCP (RFC 1995 §2). AXFR over UDP is not
    /// defined (RFC 5936 §4.2) and is REFUSED, as before transfers existed here.
    public static func answerOverUDP(
        _ request: TransferRequest, zone: Zone, journal: ZoneJournal?, policy: TransferPolicy, limit: Int
    ) -> TransferAnswer {
        guard request.type == .ixfr else { return error(request.query, .refused) }
        var single = policy
        single.limits = TransferMessageLimits(recordsPerMessageMax: Int.max, bytesPerMessageMax: max(512, min(limit, dnsMaxMessageLength)))
        let full = answer(request, zone: zone, journal: journal, policy: single)
        guard full.messages.count > 1, let soa = zone.soaRecord else { return full }
        var packer = MessagePacker(query: request.query, limits: single.limits)
        packer.append(soa)
        return TransferAnswer(messages: packer.finish(), style: .upToDate, rcode: .noError, recordCount: 1)
    }

    /// A one-message error response with the question copied.
    static func error(_ query: Message, _ rcode: RCode) -> TransferAnswer {
        var response = query.makeResponse(rcode: rcode)
        response.flags.insert(.aa)
        return TransferAnswer(messages: [response], style: nil, rcode: rcode, recordCount: 0)
    }

    /// The serial of the client's SOA in the authority section of an IXFR query (RFC 1995 §3).
    public static func clientSerial(of query: Message, zone: DNSName) -> SerialNumber? {
        for record in query.authority where record.name == zone {
            if let soa = record.soaData { return SerialNumber(soa.serial) }
        }
        return nil
    }

    private static func ixfrStyle(
        client: SerialNumber, current: SerialNumber, journal: ZoneJournal?, policy: TransferPolicy
    ) -> TransferStyle {
        switch client.compare(to: current) {
        case .equal, .greater: return .upToDate
        case .less, .undefined: break
        }
        guard policy.ixfr == .incremental, let journal else { return .ixfrFullZone }
        if case .changes = journal.changes(from: client, to: current) { return .ixfrIncremental }
        return .ixfrFullZone
    }

    private static func incrementalDiffs(
        from client: SerialNumber, current: SOA, journal: ZoneJournal?, policy: TransferPolicy
    ) -> [ZoneDiff]? {
        guard case .changes(let diffs)? = journal?.changes(from: client, to: SerialNumber(current.serial)) else {
            return nil
        }
        guard policy.condense else { return diffs }
        guard let condensed = try? ZoneDiff.condensing(diffs) else { return nil }
        return [condensed]
    }

    private static func packWholeZone(_ zone: Zone, soa: ResourceRecord, into packer: inout MessagePacker) {
        packer.append(soa)
        for node in zone.nodes {
            for rrset in node.rrsets where !(rrset.type == .soa && rrset.owner == zone.origin) {
                for record in rrset.records { packer.append(record) }
            }
        }
        packer.append(soa)
    }

    private static func packIncremental(_ diffs: [ZoneDiff], soa: ResourceRecord, into packer: inout MessagePacker) {
        packer.append(soa)
        for diff in diffs {
            packer.append(diff.oldSOA)
            for record in diff.removed { packer.append(record) }
            packer.append(diff.newSOA)
            for record in diff.added { packer.append(record) }
        }
        packer.append(soa)
    }
}

/// Splits a stream of answer records into response messages within the limits.
///
/// Sizes are counted uncompressed (owner + 10 + RDATA), an upper bound of the compressed size, so
/// a message never exceeds `bytesPerMessageMax` unless one record alone does.
struct MessagePacker {
    let query: Message
    let limits: TransferMessageLimits
    private(set) var messages: [Message] = []
    private(set) var recordCount = 0
    private var pending: [ResourceRecord] = []
    private var pendingBytes = 0

    init(query: Message, limits: TransferMessageLimits) {
        self.query = query
        self.limits = limits
        pendingBytes = overhead
    }

    /// Header, question in the first message, OPT when the query had EDNS (RFC 5936 §2.2.5).
    private var overhead: Int {
        let question = messages.isEmpty ? query.questions.reduce(0) { $0 + $1.name.wireCount + 4 } : 0
        return dnsHeaderLength + question + (query.edns == nil ? 0 : 11)
    }

    mutating func append(_ record: ResourceRecord) {
        let size = Self.uncompressedSize(record)
        if !pending.isEmpty && (pending.count >= limits.recordsPerMessageMax || pendingBytes + size > limits.bytesPerMessageMax) {
            flush()
        }
        pending.append(record)
        pendingBytes += size
        recordCount += 1
    }

    private mutating func flush() {
        var message = Message(id: query.id, flags: [.qr, .aa], opcode: query.opcode, rcode: .noError,
                              questions: messages.isEmpty ? query.questions : [], answers: pending)
        if query.edns != nil { message.edns = EDNS() }
        assert(pending.count <= limits.recordsPerMessageMax, "record bound crossed")
        messages.append(message)
        pending.removeAll(keepingCapacity: true)
        pendingBytes = overhead
    }

    mutating func finish() -> [Message] {
        if !pending.isEmpty || messages.isEmpty { flush() }
        return messages
    }

    /// Owner, TYPE, CLASS, TTL, RDLENGTH and RDATA without compression (RFC 1035 §4.1.3).
    static func uncompressedSize(_ record: ResourceRecord) -> Int {
        if let length = rdataLength(record.rdata) { return record.name.wireCount + 10 + length }
        var writer = WireWriter(capacity: 512, compression: false)
        guard (try? Message(answers: [record]).encode(into: &writer)) != nil else { return dnsMaxMessageLength }
        return writer.count - dnsHeaderLength
    }

    private static func rdataLength(_ rdata: RData) -> Int? {
        switch rdata {
        case .a: 4
        case .aaaa: 16
        case .ns(let name), .cname(let name), .ptr(let name): name.wireCount
        case .soa(let soa): soa.mname.wireCount + soa.rname.wireCount + 20
        case .mx(_, let exchange): 2 + exchange.wireCount
        case .txt(let strings): strings.reduce(0) { $0 + 1 + $1.count }
        case .srv(let srv): 6 + srv.target.wireCount
        case .unknown(_, let bytes): bytes.count
        default: nil
        }
    }
}
