// What a replay sends, and how its answers are judged against the capture (issue 8, replay).
//
// Theory of operation: `ReplayPlan(messages:speedPartsPerMillion:)` takes a capture's messages in capture
// order, keeps the decodable queries, numbers their clients (source addresses) in order of first
// appearance, and schedules each query at its capture time minus the first query's, divided by the speed.
// Each query keeps the first captured response with the same client endpoint, server endpoint and ID
// (as `CaptureSummary` matches them), so a host that replays the plan can judge what the simulated
// cluster answered with `ReplayVerdict.judge`, as dnsreplay and respdiff do: the same RCODE and answer
// set, a different RCODE, different answers, or no answer at all. A host runs the plan; this type only
// describes it (no I/O, no clock).

import DNSWire
import PcapDecode

/// One captured query to send again.
public struct ReplayQuery: Equatable, Sendable {
    /// Index into ``ReplayPlan/clients``.
    public var client: Int
    /// When to send it, from the start of the replay (already scaled by the speed).
    public var offsetNanoseconds: UInt64
    /// The query's bytes as captured.
    public var wire: [UInt8]
    /// How it travelled in the capture.
    public var transport: CapturedDNSMessage.Transport
    /// The response the capture holds for it, if any.
    public var capturedResponse: [UInt8]?
    /// The client's source port in the capture (a replay sends from the same port).
    public var sourcePort: UInt16 = 0
}

/// A capture's queries as a replay schedule.
public struct ReplayPlan: Equatable, Sendable {
    /// Client addresses, in order of their first query.
    public private(set) var clients: [PcapDecode.IPAddress] = []
    /// Queries ordered by offset (capture order among equal offsets).
    public private(set) var queries: [ReplayQuery] = []
    /// Messages that were not decodable queries (responses, malformed), left out of the schedule.
    public private(set) var leftOut = 0

    /// Builds the schedule; `speedPartsPerMillion` 1,000,000 keeps captured time, 2,000,000 replays twice as fast.
    public init(messages: [CapturedDNSMessage], speedPartsPerMillion: UInt64 = 1_000_000) {
        precondition(speedPartsPerMillion > 0, "a positive speed")
        var clientIndex: [PcapDecode.IPAddress: Int] = [:]
        var waiting: [CaptureSummary.PendingKey: Int] = [:]
        var first: UInt64?
        for captured in messages {
            guard let message = try? Message(wire: captured.wire) else {
                leftOut += 1
                continue
            }
            if message.flags.contains(.qr) {
                leftOut += 1
                let key = CaptureSummary.PendingKey(client: captured.destination, server: captured.source, id: message.id)
                if let index = waiting.removeValue(forKey: key) { queries[index].capturedResponse = captured.wire }
                continue
            }
            let start = first ?? captured.timestampNanoseconds
            first = start
            let elapsed = captured.timestampNanoseconds >= start ? captured.timestampNanoseconds - start : 0
            let scaled = UInt64(truncatingIfNeeded: UInt128(elapsed) * 1_000_000 / UInt128(speedPartsPerMillion))
            let client: Int
            if let known = clientIndex[captured.source.address] {
                client = known
            } else {
                client = clients.count
                clientIndex[captured.source.address] = client
                clients.append(captured.source.address)
            }
            let key = CaptureSummary.PendingKey(client: captured.source, server: captured.destination, id: message.id)
            waiting[key] = queries.count
            queries.append(ReplayQuery(
                client: client, offsetNanoseconds: scaled, wire: captured.wire, transport: captured.transport,
                capturedResponse: nil, sourcePort: captured.source.port))
        }
        // Capture order is almost time order; a stable sort fixes what is not.
        queries = queries.enumerated()
            .sorted { ($0.element.offsetNanoseconds, $0.offset) < ($1.element.offsetNanoseconds, $1.offset) }
            .map(\.element)
        assert(queries.allSatisfy { $0.client < clients.count }, "every query names a known client")
    }

    /// From the first query to the last (a loop starts again after it).
    public var spanNanoseconds: UInt64 { queries.last?.offsetNanoseconds ?? 0 }
}

/// How a replayed answer compares with the captured one (dnsreplay's and respdiff's classes).
public enum ReplayVerdict: String, CaseIterable, Equatable, Sendable {
    /// Same RCODE and the same answer records (order and TTL ignored).
    case same
    /// The RCODE differs.
    case differentRCode = "different-rcode"
    /// Same RCODE, different answer records (or one side does not decode).
    case differentAnswers = "different-answers"
    /// The simulated cluster never answered.
    case missing

    /// Compares a simulated response with the captured one; `nil` when the capture has none to compare.
    public static func judge(captured: [UInt8]?, simulated: [UInt8]?) -> ReplayVerdict? {
        guard let captured else { return nil }
        guard let simulated else { return .missing }
        guard let theirs = try? Message(wire: captured), let ours = try? Message(wire: simulated) else {
            return captured == simulated ? .same : .differentAnswers
        }
        guard theirs.rcode == ours.rcode else { return .differentRCode }
        return answerKeys(theirs) == answerKeys(ours) ? .same : .differentAnswers
    }

    /// Answer records as sortable keys: owner (lower case), type, class, RDATA in presentation form.
    public static func answerKeys(_ message: Message) -> [String] {
        message.answers.map { "\($0.name.lowercased) \($0.type.rawValue) \($0.class.rawValue) \($0.rdata)" }.sorted {
            Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8))
        }
    }
}
