import DNSWire
import DNSZone

/// Bounds of one inbound transfer (STYLE.md §5), like PowerDNS's `xfr-max-received-mbytes`.
public struct TransferReceiveLimits: Hashable, Sendable {
    /// Most answer records over the whole transfer.
    public var recordCountMax: Int
    /// Most octets of messages over the whole transfer.
    public var byteCountMax: Int

    /// 5,000,000 records or 100 MiB (PowerDNS's `xfr-max-received-mbytes` default).
    public init(recordCountMax: Int = 5_000_000, byteCountMax: Int = 100 << 20) {
        precondition(recordCountMax >= 2 && byteCountMax >= dnsHeaderLength, "a transfer holds at least two SOA records")
        self.recordCountMax = recordCountMax
        self.byteCountMax = byteCountMax
    }
}

/// What a completed transfer delivered.
public enum ZoneTransferResult: Hashable, Sendable {
    /// A whole new copy of the zone: an AXFR, or an IXFR answered with the whole zone (`style`
    /// says which).
    case wholeZone(Zone, style: TransferStyle)
    /// RFC 1995 difference sequences, oldest first, starting at the client's serial.
    case incremental([ZoneDiff])
    /// The server's SOA alone: the client is current (RFC 1995 §2).
    case upToDate(ResourceRecord)
}

/// Why an inbound transfer failed. Every case is the sending server's fault (bad or incomplete
/// data) except `tooLarge`, which is our bound; none maps to an answer, the receiver gives up.
public enum ZoneTransferError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A message did not decode.
    case malformed(DNSDecodeError)
    /// A message with another ID than the query's (RFC 5936 §2.2).
    case idMismatch(expected: UInt16, received: UInt16)
    /// A message that is not a response to a QUERY, or has TC set (there is no truncation on TCP).
    case notAResponse
    /// The server answered with an error RCODE (REFUSED, NOTAUTH, NOTIMP, …).
    case rcode(RCode)
    /// A message's question is not the one asked.
    case questionMismatch(Question)
    /// The transfer does not start with the zone's SOA (RFC 5936 §2.2, RFC 1995 §4); nil when the
    /// first message had no answer record.
    case firstRecordNotSOA(ResourceRecord?)
    /// An SOA where the sequence needs another serial: the closing SOA of an AXFR differs from the
    /// opening one, or IXFR difference sequences do not chain (RFC 1995 §4).
    case chainBroken(expected: SerialNumber, found: SerialNumber)
    /// A record whose owner is outside the zone.
    case recordOutOfZone(ResourceRecord)
    /// Records after the closing SOA.
    case recordsAfterEnd(count: Int)
    /// The stream ended (connection closed, timeout) before the closing SOA.
    case incomplete(recordsReceived: Int)
    /// The transfer crossed `TransferReceiveLimits`.
    case tooLarge(records: Int, bytes: Int)
    /// The records do not make a zone.
    case invalidZone(ZoneError)

    public var description: String {
        switch self {
        case .malformed(let error): "malformed message: \(error)"
        case .idMismatch(let expected, let received): "message ID \(received), expected \(expected)"
        case .notAResponse: "message is not a QUERY response (or has TC set)"
        case .rcode(let rcode): "server answered \(rcode)"
        case .questionMismatch(let question): "question \(question.name) \(question.type) is not the one asked"
        case .firstRecordNotSOA(let record): "transfer does not start with the SOA: \(record.map(\.description) ?? "no record")"
        case .chainBroken(let expected, let found): "SOA serial \(found) where \(expected) was expected"
        case .recordOutOfZone(let record): "record outside the zone: \(record)"
        case .recordsAfterEnd(let count): "\(count) records after the closing SOA"
        case .incomplete(let count): "transfer ended after \(count) records, before the closing SOA"
        case .tooLarge(let records, let bytes): "transfer exceeds the limits at \(records) records, \(bytes) octets"
        case .invalidZone(let error): "records do not make a zone: \(error)"
        }
    }
}

/// Consumes the response messages of one AXFR or IXFR, split in any way, and yields a whole zone
/// or the differences (sans-IO: messages in, result out).
///
/// Theory of operation. The first record must be the zone's SOA (the new version). For AXFR, every
/// record up to an SOA with the same serial is the zone (RFC 5936 §2.2). For IXFR (RFC 1995 §4):
/// the SOA alone with a serial not newer than ours means we are current; a second record that is
/// an SOA at our serial starts difference sequences `SOA(old) removed… SOA(next) added…`, each
/// starting where the previous ended, until an SOA at the new serial follows an addition set that
/// led to it; any other second record means the server sent the whole zone in IXFR form. Only SOA
/// records at the origin frame the stream. The closing SOA must end its message.
public struct ZoneTransferReceiver: Sendable {
    /// What was asked.
    public enum Request: Hashable, Sendable {
        case axfr
        /// IXFR from our copy at `serial` (RFC 1995 §3).
        case ixfr(from: SerialNumber)
    }

    enum State: Sendable {
        case awaitingFirst, afterFirst, wholeZone, deleting, adding, finished
    }

    public let origin: DNSName
    public let queryID: UInt16
    public let request: Request
    public let limits: TransferReceiveLimits
    private var state = State.awaitingFirst
    private var newSOA: ResourceRecord?
    private var records: [ResourceRecord] = []
    private var diffs: [ZoneDiff] = []
    private var diffOld: ResourceRecord?
    private var diffNew: ResourceRecord?
    private var removed: [ResourceRecord] = []
    private var added: [ResourceRecord] = []
    private var result: ZoneTransferResult?
    /// Answer records received so far.
    public private(set) var recordCount = 0
    /// Message octets received so far.
    public private(set) var byteCount = 0
    /// Messages received so far.
    public private(set) var messageCount = 0

    public init(origin: DNSName, queryID: UInt16, request: Request, limits: TransferReceiveLimits = TransferReceiveLimits()) {
        self.origin = origin
        self.queryID = queryID
        self.request = request
        self.limits = limits
    }

    /// The query this receiver expects answers to: AXFR, or IXFR with our SOA in the authority
    /// section (RFC 1995 §3).
    public static func query(id: UInt16, origin: DNSName, request: Request, currentSOA: ResourceRecord?) -> Message {
        switch request {
        case .axfr:
            return Message.query(id: id, name: origin, type: .axfr)
        case .ixfr:
            var message = Message.query(id: id, name: origin, type: .ixfr)
            if let currentSOA { message.authority = [currentSOA] }
            return message
        }
    }

    /// True once the closing SOA arrived.
    public var isFinished: Bool { result != nil }

    /// Decodes and consumes one message; a result when the transfer is complete, nil while more is
    /// needed. After an error the receiver must not be used again.
    public mutating func receive(_ bytes: [UInt8]) throws(ZoneTransferError) -> ZoneTransferResult? {
        byteCount += bytes.count
        guard byteCount <= limits.byteCountMax else { throw .tooLarge(records: recordCount, bytes: byteCount) }
        let message: Message
        do {
            message = try Message(wire: bytes)
        } catch {
            throw .malformed(error)
        }
        return try receive(message)
    }

    /// Consumes one decoded message.
    public mutating func receive(_ message: Message) throws(ZoneTransferError) -> ZoneTransferResult? {
        try checkHeader(message)
        messageCount += 1
        for (index, record) in message.answers.enumerated() {
            guard state != .finished else { throw .recordsAfterEnd(count: message.answers.count - index) }
            recordCount += 1
            guard recordCount <= limits.recordCountMax else { throw .tooLarge(records: recordCount, bytes: byteCount) }
            try consume(record)
        }
        if state == .afterFirst, case .ixfr(let ours) = request, let soa = newSOA,
            !soa.soaSerial.isGreater(than: ours)
        {
            // RFC 1995 §2: the SOA alone, not newer than ours: nothing to transfer.
            state = .finished
            result = .upToDate(soa)
        }
        if messageCount == 1 && newSOA == nil { throw .firstRecordNotSOA(nil) }
        return result
    }

    /// The stream ended (the connection closed or timed out): an error unless the result is in.
    public func finish() throws(ZoneTransferError) -> ZoneTransferResult {
        guard let result else { throw .incomplete(recordsReceived: recordCount) }
        return result
    }

    private func checkHeader(_ message: Message) throws(ZoneTransferError) {
        guard message.id == queryID else { throw .idMismatch(expected: queryID, received: message.id) }
        guard message.flags.contains(.qr), !message.flags.contains(.tc), message.opcode == .query else {
            throw .notAResponse
        }
        guard message.rcode == .noError else { throw .rcode(message.rcode) }
        let type: RRType = if case .axfr = request { .axfr } else { .ixfr }
        for question in message.questions where question.name != origin || question.type != type {
            throw .questionMismatch(question)
        }
    }

    private func isFraming(_ record: ResourceRecord) -> Bool { record.type == .soa && record.name == origin }

    private mutating func consume(_ record: ResourceRecord) throws(ZoneTransferError) {
        guard record.name.isSubdomain(of: origin) else { throw .recordOutOfZone(record) }
        switch state {
        case .awaitingFirst:
            guard isFraming(record) else { throw .firstRecordNotSOA(record) }
            newSOA = record
            state = .afterFirst
        case .afterFirst:
            try consumeSecond(record)
        case .wholeZone:
            guard isFraming(record) else {
                records.append(record)
                return
            }
            try expectSerial(of: record, equalTo: newSerial)
            try finishWholeZone()
        case .deleting:
            guard isFraming(record) else {
                removed.append(record)
                return
            }
            diffNew = record
            state = .adding
        case .adding:
            guard isFraming(record) else {
                added.append(record)
                return
            }
            try closeDiff(next: record)
        case .finished:
            preconditionFailure("records after the end are rejected before consume")
        }
    }

    /// The record after the opening SOA decides the form of the response.
    private mutating func consumeSecond(_ record: ResourceRecord) throws(ZoneTransferError) {
        guard isFraming(record) else {
            records.append(record)
            state = .wholeZone
            return
        }
        let serial = record.soaSerial
        if serial == newSerial {
            try finishWholeZone()  // a zone holding only its SOA
        } else if case .ixfr(let ours) = request, serial == ours {
            diffOld = record
            state = .deleting
        } else {
            throw .chainBroken(expected: newSerial, found: serial)
        }
    }

    /// An SOA after an addition set: the end when the set led to the new serial, else the start of
    /// the next sequence, which must begin where the set ended.
    private mutating func closeDiff(next record: ResourceRecord) throws(ZoneTransferError) {
        guard let old = diffOld, let new = diffNew else { preconditionFailure("an addition set has both SOA records") }
        try expectSerial(of: record, equalTo: new.soaSerial)
        diffs.append(ZoneDiff(origin: origin, oldSOA: old, newSOA: new, removed: removed, added: added))
        removed = []
        added = []
        if new.soaSerial == newSerial {
            state = .finished
            result = .incremental(diffs)
        } else {
            diffOld = record
            diffNew = nil
            state = .deleting
        }
    }

    private var newSerial: SerialNumber {
        guard let newSOA else { preconditionFailure("the opening SOA is known after the first record") }
        return newSOA.soaSerial
    }

    private func expectSerial(of record: ResourceRecord, equalTo expected: SerialNumber) throws(ZoneTransferError) {
        let found = record.soaSerial
        guard found == expected else { throw .chainBroken(expected: expected, found: found) }
    }

    private mutating func finishWholeZone() throws(ZoneTransferError) {
        guard let newSOA else { preconditionFailure("the opening SOA is known after the first record") }
        records.append(newSOA)
        let zone: Zone
        do {
            zone = try Zone(origin: origin, records: records)
        } catch {
            throw .invalidZone(error)
        }
        records = []
        state = .finished
        let style: TransferStyle = if case .axfr = request { .axfr } else { .ixfrFullZone }
        result = .wholeZone(zone, style: style)
        assert(zone.soa?.serial == newSerial.rawValue, "the copy must carry the transferred serial")
    }
}
