// The clients of a capture, replayed (issue 8): a sans-IO machine that sends a `ReplayPlan`'s queries
// and judges what comes back.
//
// Theory of operation: the plan's queries are sent in plan order, each at `startAt` plus its scaled
// offset (plus one period per loop round when `loop` is on; a period is the plan's span plus its mean
// gap between queries), never at or after `stopAt`. A wake-up emits the queries of the next millisecond,
// each with its own instant, as `ResolverPopulation` does. A UDP query goes from its client's address
// and captured source port, with its captured bytes (ID included), to server `client % serverCount`;
// the answer is matched by (client, port, ID), the oldest waiting query first. A TCP query opens a
// connection of its own, sends the framed query on `connected`, and closes after the answer. A query
// without an answer `timeout` after it was sent is finished as missing; answers after that count as
// late. Every answer is judged against the captured response with `ReplayVerdict.judge` and tallied per
// client (`ReplayClientStats`); the first differences of each client are kept as examples. Timeouts
// sit in a FIFO: sends are in time order and the timeout is one constant. Nothing here sees the
// network, a clock or a file.

import DNSWire
import Determinism

/// How a replay runs (from the scenario's `replay` item).
public struct ReplayClientsConfig: Sendable {
    public enum Transport: Sendable { case captured, udp, tcp }

    /// Servers the host can reach (the scenario's targets); client `c` uses server `c % serverCount`.
    public var serverCount: Int
    public var transport: Transport = .captured
    public var timeout: SimDuration = .seconds(2)
    public var startAt: Instant = .zero
    /// No query is sent at or after this instant.
    public var stopAt: Instant
    public var loop = false
    /// Differences kept as examples per client.
    public var examplesPerClient = 3

    public init(serverCount: Int, stopAt: Instant) {
        precondition(serverCount > 0, "a replay needs a server")
        self.serverCount = serverCount
        self.stopAt = stopAt
    }
}

/// Replays a `ReplayPlan`; the host turns its actions into packets and connections.
public struct ReplayClients: Sendable {
    public enum Action: Sendable, Equatable {
        case sendUDP(client: Int, port: UInt16, server: Int, bytes: [UInt8], at: Instant)
        case connectTCP(client: Int, server: Int, tag: UInt64)
        case sendTCP(tag: UInt64, bytes: [UInt8])
        case closeTCP(tag: UInt64)
    }

    /// A query on its way: which plan entry, when it left, and how to find it again.
    struct InFlight: Sendable {
        var query: Int
        var sentAt: Instant
        var udpKey: UDPKey?
        var tag: UInt64?
        var finished = false
    }

    struct UDPKey: Hashable, Sendable {
        var client: Int
        var port: UInt16
        var id: UInt16
    }

    public let plan: ReplayPlan
    public let config: ReplayClientsConfig
    /// Per captured client, in plan order.
    public private(set) var stats: [ReplayClientStats]
    /// Answers that came after their query's timeout, or matched nothing.
    public private(set) var late: UInt64 = 0
    public private(set) var unmatched: UInt64 = 0

    var cursor = 0
    var round: UInt64 = 0
    let periodNanoseconds: UInt64
    var inFlight: [InFlight] = []
    /// Index of the oldest entry of `inFlight` that may still be waiting (entries before it finished).
    var oldest = 0
    var waitingUDP: [UDPKey: [Int]] = [:]
    var waitingTCP: [UInt64: Int] = [:]
    var nextTag: UInt64 = 1

    public init(plan: ReplayPlan, config: ReplayClientsConfig) {
        self.plan = plan
        self.config = config
        stats = plan.clients.map { _ in ReplayClientStats() }
        let count = UInt64(plan.queries.count)
        let gap = count > 1 ? plan.spanNanoseconds / (count - 1) : 0
        periodNanoseconds = plan.spanNanoseconds + max(gap, 1_000_000)
    }

    /// The instant of the next query to send, if any is left.
    var nextSend: Instant? {
        guard cursor < plan.queries.count, round == 0 || config.loop else { return nil }
        let offset = round * periodNanoseconds + plan.queries[cursor].offsetNanoseconds
        let at = config.startAt + SimDuration(nanoseconds: Int64(clamping: offset))
        return at < config.stopAt ? at : nil
    }

    /// The earliest instant the machine wants to be woken.
    public var nextDeadline: Instant? {
        let expiry = oldest < inFlight.count ? inFlight[oldest].sentAt + config.timeout : nil
        switch (nextSend, expiry) {
        case (let send?, let expiry?): return min(send, expiry)
        case (let send?, nil): return send
        case (nil, let expiry): return expiry
        }
    }

    /// Queries sent and not yet finished.
    public var outstanding: Int { waitingUDP.values.reduce(0) { $0 + $1.count } + waitingTCP.count }

    /// Sends the queries of the next millisecond and finishes the ones whose time ran out.
    public mutating func wake(now: Instant, actions: inout [Action]) {
        let horizon = now + .milliseconds(1)
        while let at = nextSend, at < horizon {
            send(cursor, at: max(at, now), actions: &actions)
            cursor += 1
            if cursor == plan.queries.count, config.loop {
                cursor = 0
                round += 1
            }
        }
        expire(now: now, actions: &actions)
    }

    private mutating func send(_ index: Int, at: Instant, actions: inout [Action]) {
        let query = plan.queries[index]
        let server = query.client % config.serverCount
        stats[query.client].queries += 1
        let overTCP = config.transport == .tcp || (config.transport == .captured && query.transport == .tcp)
        let slot = inFlight.count
        if overTCP {
            let tag = nextTag
            nextTag += 1
            inFlight.append(InFlight(query: index, sentAt: at, tag: tag))
            waitingTCP[tag] = slot
            actions.append(.connectTCP(client: query.client, server: server, tag: tag))
        } else {
            let id = query.wire.count >= 2 ? UInt16(query.wire[0]) << 8 | UInt16(query.wire[1]) : 0
            let key = UDPKey(client: query.client, port: query.sourcePort, id: id)
            inFlight.append(InFlight(query: index, sentAt: at, udpKey: key))
            waitingUDP[key, default: []].append(slot)
            actions.append(.sendUDP(client: query.client, port: query.sourcePort, server: server, bytes: query.wire, at: at))
        }
    }

    private mutating func expire(now: Instant, actions: inout [Action]) {
        while oldest < inFlight.count {
            let entry = inFlight[oldest]
            if entry.finished {
                oldest += 1
                continue
            }
            guard entry.sentAt + config.timeout <= now else { break }
            finish(oldest, response: nil, now: now)
            if let tag = entry.tag { actions.append(.closeTCP(tag: tag)) }
            oldest += 1
        }
        // Keep memory bounded: drop the finished prefix now and then.
        if oldest > 4096, oldest * 2 > inFlight.count { compact() }
    }

    private mutating func compact() {
        let shift = oldest
        inFlight.removeFirst(shift)
        oldest = 0
        for key in waitingUDP.keys { waitingUDP[key] = waitingUDP[key]!.map { $0 - shift } }
        for tag in waitingTCP.keys { waitingTCP[tag]! -= shift }
    }

    /// A datagram reached client `client` on `port`.
    public mutating func received(_ bytes: [UInt8], client: Int, port: UInt16, now: Instant) {
        guard bytes.count >= 2 else {
            unmatched += 1
            return
        }
        let key = UDPKey(client: client, port: port, id: UInt16(bytes[0]) << 8 | UInt16(bytes[1]))
        guard var slots = waitingUDP[key], !slots.isEmpty else {
            late += 1
            return
        }
        let slot = slots.removeFirst()
        waitingUDP[key] = slots.isEmpty ? nil : slots
        finish(slot, response: bytes, now: now)
    }

    public mutating func tcpConnected(tag: UInt64, actions: inout [Action]) {
        guard let slot = waitingTCP[tag] else { return }
        actions.append(.sendTCP(tag: tag, bytes: plan.queries[inFlight[slot].query].wire))
    }

    public mutating func tcpReceived(_ bytes: [UInt8], tag: UInt64, now: Instant, actions: inout [Action]) {
        guard let slot = waitingTCP[tag] else {
            late += 1
            return
        }
        finish(slot, response: bytes, now: now)
        actions.append(.closeTCP(tag: tag))
    }

    /// The connection is gone (refused, reset, closed): the query stays waiting until its timeout,
    /// as a client that does not retry.
    public mutating func tcpClosed(tag: UInt64) {}

    private mutating func finish(_ slot: Int, response: [UInt8]?, now: Instant) {
        precondition(!inFlight[slot].finished, "a query finishes once")
        inFlight[slot].finished = true
        let entry = inFlight[slot]
        if let key = entry.udpKey, response == nil {
            var slots = waitingUDP[key] ?? []
            slots.removeAll { $0 == slot }
            waitingUDP[key] = slots.isEmpty ? nil : slots
        }
        if let tag = entry.tag { waitingTCP[tag] = nil }
        let query = plan.queries[entry.query]
        let latency = response == nil ? nil : UInt64((now - entry.sentAt).nanoseconds)
        let verdict = ReplayVerdict.judge(captured: query.capturedResponse, simulated: response)
        stats[query.client].record(query: query, response: response, verdict: verdict, latencyNanoseconds: latency,
                                   sentAt: entry.sentAt, examples: config.examplesPerClient)
    }
}
