// What a capture holds, the way dnsscope-like tools summarise it: messages decoded and malformed,
// queries and responses, RCODEs, QTYPEs, top clients and names, how fast queries were answered, and which
// were not.
//
// Theory of operation: `add` takes the message candidates PcapDecode extracted, in capture order, and
// decodes each with DNSWire. A query waits in a table keyed by (client endpoint, server endpoint, ID)
// until a response with the same key arrives; the response's capture time minus the query's goes into a
// latency bucket. `finish` counts what is still waiting as unanswered. Tables are hashed while counting,
// but every figure leaves through `table(...)` sorted by count, then key: no hash order reaches output.

import DNSWire
import PcapDecode

/// Counts and tables describing the DNS messages of one capture.
public struct CaptureSummary: Sendable {
    /// Bounds and buckets.
    public struct Configuration: Equatable, Sendable {
        /// Upper bounds of the answered-within buckets, in nanoseconds (a response slower than the last
        /// bound is counted as `later`).
        public var latencyBucketsNanoseconds: [UInt64] = [1_000_000, 10_000_000, 100_000_000, 1_000_000_000]
        /// Queries waiting for a response at once; more are counted as `untracked`.
        public var maximumPendingQueries = 1_000_000

        /// The defaults.
        public init() {}
    }

    /// One row of a count table.
    public struct Row: Equatable, Sendable {
        /// The key as text (an RCODE mnemonic, a type, an address, a name).
        public var key: String
        /// How many.
        public var count: Int

        /// Creates a row.
        public init(key: String, count: Int) {
            self.key = key
            self.count = count
        }
    }

    /// Where a query waits for its response.
    struct PendingKey: Hashable, Sendable {
        var client: IPEndpoint
        var server: IPEndpoint
        var id: UInt16
    }

    public let configuration: Configuration
    /// Messages seen (decoded plus malformed).
    public private(set) var messages = 0
    /// Messages DNSWire decoded.
    public private(set) var decoded = 0
    /// Messages DNSWire rejected, by decode error reason.
    public private(set) var malformedReasons: [String: Int] = [:]
    /// Decoded messages with QR clear.
    public private(set) var queries = 0
    /// Decoded messages with QR set.
    public private(set) var responses = 0
    /// Messages carried over UDP / TCP.
    public private(set) var udp = 0, tcp = 0
    /// Responses by RCODE (extended RCODE included).
    var rcodes: [UInt16: Int] = [:]
    /// Queries by QTYPE of the first question.
    var qtypes: [UInt16: Int] = [:]
    /// Queries by client address.
    var clients: [PcapDecode.IPAddress: Int] = [:]
    /// Queries by QNAME (case-insensitive).
    var names: [DNSName: Int] = [:]
    /// Answered queries per latency bucket, plus one for `later`.
    public private(set) var answeredWithin: [Int]
    /// Queries never answered in the capture.
    public private(set) var unanswered = 0
    /// Responses that match no query seen before them.
    public private(set) var unmatchedResponses = 0
    /// Queries repeating the (client, server, ID) of a query still waiting; the first one is kept.
    public private(set) var duplicateQueries = 0
    /// Queries not tracked because the pending table was full.
    public private(set) var untracked = 0
    /// Capture time of the first and last message, nanoseconds since the Unix epoch.
    public private(set) var firstTimestamp: UInt64?, lastTimestamp: UInt64?
    var pending: [PendingKey: UInt64] = [:]

    /// An empty summary.
    public init(configuration: Configuration = Configuration()) {
        precondition(configuration.latencyBucketsNanoseconds == configuration.latencyBucketsNanoseconds.sorted(),
                     "bucket bounds ascend")
        self.configuration = configuration
        answeredWithin = [Int](repeating: 0, count: configuration.latencyBucketsNanoseconds.count + 1)
    }

    /// Messages DNSWire rejected.
    public var malformed: Int { messages - decoded }

    /// Counts one message (in capture order).
    public mutating func add(_ captured: CapturedDNSMessage) {
        messages += 1
        if captured.transport == .udp { udp += 1 } else { tcp += 1 }
        if firstTimestamp == nil { firstTimestamp = captured.timestampNanoseconds }
        lastTimestamp = captured.timestampNanoseconds
        let message: Message
        do {
            message = try Message(wire: captured.wire)
        } catch {
            malformedReasons[error.reasonName, default: 0] += 1
            return
        }
        decoded += 1
        if message.flags.contains(.qr) {
            addResponse(message, captured: captured)
        } else {
            addQuery(message, captured: captured)
        }
        assert(decoded == queries + responses, "every decoded message is a query or a response")
    }

    /// Ends the capture: queries still waiting are unanswered.
    public mutating func finish() {
        unanswered += pending.count
        pending.removeAll()
    }

    private mutating func addQuery(_ message: Message, captured: CapturedDNSMessage) {
        queries += 1
        clients[captured.source.address, default: 0] += 1
        if let question = message.question {
            qtypes[question.type.rawValue, default: 0] += 1
            names[question.name, default: 0] += 1
        }
        let key = PendingKey(client: captured.source, server: captured.destination, id: message.id)
        if pending[key] != nil {
            duplicateQueries += 1
        } else if pending.count >= configuration.maximumPendingQueries {
            untracked += 1
        } else {
            pending[key] = captured.timestampNanoseconds
        }
    }

    private mutating func addResponse(_ message: Message, captured: CapturedDNSMessage) {
        responses += 1
        rcodes[message.rcode.rawValue, default: 0] += 1
        let key = PendingKey(client: captured.destination, server: captured.source, id: message.id)
        guard let sent = pending.removeValue(forKey: key) else {
            unmatchedResponses += 1
            return
        }
        let latency = captured.timestampNanoseconds >= sent ? captured.timestampNanoseconds - sent : 0
        let bucket =
            configuration.latencyBucketsNanoseconds.firstIndex { latency <= $0 }
            ?? configuration.latencyBucketsNanoseconds.count
        answeredWithin[bucket] += 1
    }

    /// Queries answered (a response with the same client, server and ID followed).
    public var answered: Int { answeredWithin.reduce(0, +) }

    /// Malformed messages by reason, sorted by count (descending), then reason.
    public var malformedTable: [Row] { Self.table(malformedReasons.map { ($0.key, $0.value) }) }
    /// Responses by RCODE mnemonic.
    public var rcodeTable: [Row] { Self.table(rcodes.map { (RCode(rawValue: $0.key).description, $0.value) }) }
    /// Queries by QTYPE mnemonic.
    public var qtypeTable: [Row] { Self.table(qtypes.map { (RRType($0.key).description, $0.value) }) }
    /// The `limit` clients that sent the most queries.
    public func topClients(_ limit: Int) -> [Row] {
        Array(Self.table(clients.map { ($0.key.description, $0.value) }).prefix(limit))
    }
    /// The `limit` most queried names (lower case).
    public func topNames(_ limit: Int) -> [Row] {
        Array(Self.table(names.map { ($0.key.lowercased.description, $0.value) }).prefix(limit))
    }
    /// Distinct client addresses that sent a query.
    public var clientCount: Int { clients.count }
    /// Distinct names queried.
    public var nameCount: Int { names.count }

    /// Rows sorted by count (descending), then by key's bytes: a total order, so output is stable.
    static func table(_ pairs: [(String, Int)]) -> [Row] {
        pairs.map { Row(key: $0.0, count: $0.1) }.sorted {
            $0.count != $1.count ? $0.count > $1.count : Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8))
        }
    }
}
