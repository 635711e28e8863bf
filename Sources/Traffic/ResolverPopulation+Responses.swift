import DNSWire
import Determinism
import LabMetrics

extension ResolverPopulation {
    /// A UDP response for `client` arrived on `port`.
    public mutating func received(_ bytes: [UInt8], client: UInt32, port: UInt16, now: Instant, actions: inout [Action]) {
        guard bytes.count >= 2 else {
            metrics.unmatched &+= 1
            metrics.unmatchedBytes &+= UInt64(bytes.count)
            return
        }
        let id = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        let key = Self.key(client: client, port: port, id: id)
        guard let query = pending[key], query.tcpTag == 0 else {
            metrics.unmatchedBytes &+= UInt64(bytes.count)
            metrics.unmatched &+= 1  // late, duplicated, or never asked: a real stub drops it too
            return
        }
        let verdictKey = query.template == 0 ? 0 : Verdict.key(bytes, template: query.template)
        if verdictKey != 0, let verdict = verdicts[verdictKey], verdict.matches(bytes, template: query.template) {
            pending[key] = nil
            if verdict.nxdomain { metrics.nxdomain &+= 1 }
            finish(query, outcome: verdict.outcome, now: now)
            return
        }
        guard let response = try? Message(wire: bytes) else {
            pending[key] = nil
            finish(query, outcome: .wrong, now: now)
            metrics.malformed &+= 1
            return
        }
        if response.flags.contains(.tc) && config.tcpFallback && Self.isValid(response, for: query) {
            pending[key] = nil
            fallBackToTCP(query, now: now, actions: &actions)
            return
        }
        pending[key] = nil
        let outcome = classify(response, for: query)
        finish(query, outcome: outcome, now: now)
        if verdictKey != 0 {
            if verdicts.count >= 100_000 { verdicts.removeAll() }
            verdicts[verdictKey] = Verdict(template: query.template, bytes: Array(bytes[2...]), outcome: outcome,
                                           nxdomain: outcome == .correct && response.rcode == .nxDomain)
        }
    }

    private mutating func fallBackToTCP(_ query: Pending, now: Instant, actions: inout [Action]) {
        var query = query
        query.tcpTag = nextTCPTag
        nextTCPTag += 1
        metrics.tcpFallbacks &+= 1
        let key = UInt64(1) << 63 | query.tcpTag
        pending[key] = query
        deadlines.append((now.nanoseconds &+ UInt64(config.timeout.nanoseconds), key, query.attempt))
        tcpByConnection[query.tcpTag] = key
        actions.append(.connectTCP(client: query.client, server: query.server, tag: query.tcpTag))
    }

    /// The TCP connection for `tag` is up: send the query on it.
    public mutating func tcpConnected(tag: UInt64, now: Instant, actions: inout [Action]) {
        if streamConnected(tag: tag, now: now, actions: &actions) { return }
        guard let key = tcpByConnection[tag], let query = pending[key] else {
            actions.append(.closeTCP(tag: tag))
            return
        }
        let message = Message.query(id: UInt16(truncatingIfNeeded: random.next()), name: query.name, type: query.type)
        guard let bytes = try? message.wire() else { return }
        actions.append(.sendTCP(tag: tag, bytes: bytes))
    }

    /// A message arrived on the TCP connection for `tag`.
    public mutating func tcpReceived(_ bytes: [UInt8], tag: UInt64, now: Instant, actions: inout [Action]) {
        if streamReceived(bytes, tag: tag, now: now) { return }
        guard let key = tcpByConnection[tag], let query = pending[key] else { return }
        pending[key] = nil
        tcpByConnection[tag] = nil
        actions.append(.closeTCP(tag: tag))
        score(bytes, for: query, now: now)
    }

    /// Scores a response that came over a connection (no verdict cache, no truncation).
    mutating func score(_ bytes: [UInt8], for query: Pending, now: Instant) {
        guard let response = try? Message(wire: bytes) else {
            metrics.malformed &+= 1
            finish(query, outcome: .wrong, now: now)
            return
        }
        finish(query, outcome: classify(response, for: query), now: now)
    }

    /// The TCP connection for `tag` failed or closed before an answer: the retry deadline handles it.
    public mutating func tcpClosed(tag: UInt64, now: Instant) {
        if streamClosed(tag: tag, now: now) { return }
        tcpByConnection[tag] = nil
    }

    static func isValid(_ response: Message, for query: Pending) -> Bool {
        guard response.flags.contains(.qr), response.opcode == .query, response.questions.count == 1 else { return false }
        let question = response.questions[0]
        return question.name == query.name && question.type == query.type && question.class == .in
    }

    mutating func classify(_ response: Message, for query: Pending) -> QueryOutcome {
        guard Self.isValid(response, for: query) else {
            metrics.invalid &+= 1
            return .wrong
        }
        switch response.rcode {
        case .servFail: return .servfail
        case .refused: return .refused
        default: break
        }
        let expected = oracle.expected(for: query.name, type: query.type)
        if AnswerOracle.matches(response, expected) {
            if response.rcode == .nxDomain { metrics.nxdomain &+= 1 }
            return .correct
        }
        return .wrong
    }

    mutating func finish(_ query: Pending, outcome: QueryOutcome, now: Instant) {
        let latency = now.nanoseconds - min(now.nanoseconds, query.firstSent)
        // The series files an outcome under the second the query was first sent, so a fault's
        // effect lines up with the fault's own window on the chart.
        metrics.record(outcome, latencyNanoseconds: outcome == .timeout ? nil : latency,
                       atSecond: Int(query.firstSent / 1_000_000_000))
    }

    /// Queries still waiting for an answer (reported as unfinished at the end of a run).
    public var outstanding: Int { pending.count }
}

/// A scored response, kept to score identical responses to the same query template.
struct Verdict: Sendable {
    var template: UInt64
    /// The response without its ID.
    var bytes: [UInt8]
    var outcome: QueryOutcome
    var nxdomain: Bool

    /// A 64-bit key from the response bytes after the ID and the query template; 0 is never used.
    static func key(_ bytes: [UInt8], template: UInt64) -> UInt64 {
        guard bytes.count > 2 else { return 0 }
        return StableHash.words64(bytes, from: 2, seed: template) | 1
    }

    func matches(_ response: [UInt8], template: UInt64) -> Bool {
        guard template == self.template, response.count == bytes.count + 2 else { return false }
        return response.withUnsafeBytes { raw in
            bytes.withUnsafeBytes { stored in
                stored.count == 0 || memcmpEqual(raw.baseAddress! + 2, stored.baseAddress!, stored.count)
            }
        }
    }
}

/// Byte equality of two buffers without the generic sequence machinery.
@inline(__always)
func memcmpEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
    var offset = 0
    while offset + 8 <= count {
        if a.loadUnaligned(fromByteOffset: offset, as: UInt64.self) != b.loadUnaligned(fromByteOffset: offset, as: UInt64.self) {
            return false
        }
        offset += 8
    }
    while offset < count {
        if a.load(fromByteOffset: offset, as: UInt8.self) != b.load(fromByteOffset: offset, as: UInt8.self) { return false }
        offset += 1
    }
    return true
}

/// What a population measured.
public struct PopulationMetrics: Sendable, Equatable {
    public var sent: UInt64 = 0
    public var outcomes = [UInt64](repeating: 0, count: QueryOutcome.allCases.count)
    public var latency = LatencyHistogram()
    public var series = OutcomeSeries()
    public var retries: UInt64 = 0
    public var tcpFallbacks: UInt64 = 0
    public var nxdomain: UInt64 = 0
    public var unmatched: UInt64 = 0
    public var malformed: UInt64 = 0
    public var invalid: UInt64 = 0
    /// Random-byte datagrams sent instead of queries (`malformed:` share).
    public var malformedSent: UInt64 = 0
    /// Octets of answers nobody here asked for: what a reflection victim receives.
    public var unmatchedBytes: UInt64 = 0
    /// Connection transports: connections opened, refused or failed before the handshake ended,
    /// and closed by the server (idle timeout, query budget, lifetime).
    public var connectionsOpened: UInt64 = 0
    public var connectionsFailed: UInt64 = 0
    public var connectionsClosedByServer: UInt64 = 0
    /// Slow/idle connection attack: attempts, refusals, closes by the server, queries and answers
    /// on held connections, and how many were open at once.
    public var heldConnectionAttempts: UInt64 = 0
    public var heldConnectionsRefused: UInt64 = 0
    public var heldConnectionsClosedByServer: UInt64 = 0
    public var heldQueries: UInt64 = 0
    public var heldAnswers: UInt64 = 0
    public var heldConnectionsOpen: UInt64 = 0
    public var heldConnectionsPeak: UInt64 = 0
    /// When the servers first refused or closed a held connection (the attack met a limit).
    public var firstHeldRejection: Instant?

    public init() {}

    mutating func record(_ outcome: QueryOutcome, latencyNanoseconds: UInt64?, atSecond second: Int) {
        outcomes[outcome.rawValue] &+= 1
        if let latency = latencyNanoseconds { self.latency.record(latency) }
        series.record(outcome, latencyNanoseconds: latencyNanoseconds, atSecond: second)
    }

    /// Queries with a final outcome.
    public var completed: UInt64 { outcomes.reduce(0, +) }
    public func count(_ outcome: QueryOutcome) -> UInt64 { outcomes[outcome.rawValue] }
}
