import DNSWire
import Determinism

/// Queries over connections (TCP, DoT, DoH) and the slow/idle connection attack.
///
/// A connection transport keeps one connection per (client, server) and pipelines queries on it;
/// answers are matched by ID on that connection. A connection the server closes takes nothing
/// with it: its unanswered queries are retried by their deadlines, on a new connection to the
/// next server, as for UDP.
extension ResolverPopulation {
    struct Stream: Sendable {
        var tag: UInt64
        var open = false
        /// Queries written before the handshake finished.
        var queued: [[UInt8]] = []
    }

    struct HoldState: Sendable {
        var started = false
        var stopped = false
        /// Held connections by tag: (client, server, open).
        var connections = UInt64Map<HeldConnection>()
        /// Tags in the order they were opened (closing at the end walks this, not the map).
        var order: [UInt64] = []
        /// Both queues are FIFO: each appends at now plus a fixed delay.
        var sends: [(at: UInt64, tag: UInt64)] = []
        var sendHead = 0
        var reconnects: [(at: UInt64, client: UInt32, server: Int)] = []
        var reconnectHead = 0
    }

    struct HeldConnection: Sendable {
        var client: UInt32
        var server: Int
        var open = false
    }

    static func streamKey(client: UInt32, server: Int) -> UInt64 { UInt64(client) << 16 | UInt64(server & 0xFFFF) }

    /// Pending-query key of an answer expected on stream connection `tag` (bit 62 keeps it apart
    /// from UDP keys and from TCP-fallback keys, which use bit 63).
    static func streamQueryKey(tag: UInt64, id: UInt16) -> UInt64 { 1 << 62 | (tag & 0xFFFF_FFFF) << 16 | UInt64(id) }

    mutating func sendOnStream(_ query: Pending, bytes: [UInt8], id: UInt16, now: Instant, actions: inout [Action]) {
        let streamKey = Self.streamKey(client: query.client, server: query.server)
        var stream: Stream
        if let existing = streams[streamKey] {
            stream = existing
        } else {
            stream = Stream(tag: nextTCPTag)
            nextTCPTag += 1
            streamByTag[stream.tag] = streamKey
            metrics.connectionsOpened &+= 1
            actions.append(.connectTCP(client: query.client, server: query.server, tag: stream.tag))
        }
        let key = Self.streamQueryKey(tag: stream.tag, id: id)
        pending[key] = query
        deadlines.append((now.nanoseconds &+ UInt64(config.timeout.nanoseconds), key, query.attempt))
        if stream.open {
            actions.append(.sendTCP(tag: stream.tag, bytes: bytes))
        } else {
            stream.queued.append(bytes)
        }
        streams[streamKey] = stream
    }

    /// A connection for `tag` is up. True when it was one of ours (a stream or a held connection).
    mutating func streamConnected(tag: UInt64, now: Instant, actions: inout [Action]) -> Bool {
        if let streamKey = streamByTag[tag], var stream = streams[streamKey] {
            stream.open = true
            for bytes in stream.queued { actions.append(.sendTCP(tag: tag, bytes: bytes)) }
            stream.queued = []
            streams[streamKey] = stream
            return true
        }
        if var held = hold.connections[tag] {
            held.open = true
            hold.connections[tag] = held
            metrics.heldConnectionsOpen &+= 1
            metrics.heldConnectionsPeak = max(metrics.heldConnectionsPeak, metrics.heldConnectionsOpen)
            if let every = config.hold?.sendEvery {
                hold.sends.append((now.nanoseconds &+ UInt64(every.nanoseconds), tag))
            }
            return true
        }
        return false
    }

    /// A message arrived on `tag`. True when it was one of ours.
    mutating func streamReceived(_ bytes: [UInt8], tag: UInt64, now: Instant) -> Bool {
        if streamByTag[tag] != nil {
            guard bytes.count >= 2 else {
                metrics.unmatched &+= 1
                return true
            }
            let key = Self.streamQueryKey(tag: tag, id: UInt16(bytes[0]) << 8 | UInt16(bytes[1]))
            guard let query = pending[key] else {
                metrics.unmatched &+= 1
                return true
            }
            pending[key] = nil
            score(bytes, for: query, now: now)
            return true
        }
        if hold.connections[tag] != nil {
            metrics.heldAnswers &+= 1
            return true
        }
        return false
    }

    /// `tag` closed (refused, timed out, or closed by the server). True when it was one of ours.
    mutating func streamClosed(tag: UInt64, now: Instant) -> Bool {
        if let streamKey = streamByTag[tag] {
            streamByTag[tag] = nil
            if let stream = streams[streamKey] {
                if stream.open { metrics.connectionsClosedByServer &+= 1 } else { metrics.connectionsFailed &+= 1 }
                streams[streamKey] = nil
            }
            return true
        }
        if let held = hold.connections[tag] {
            hold.connections[tag] = nil
            if metrics.firstHeldRejection == nil { metrics.firstHeldRejection = now }
            if held.open {
                metrics.heldConnectionsOpen &-= 1
                metrics.heldConnectionsClosedByServer &+= 1
            } else {
                metrics.heldConnectionsRefused &+= 1
            }
            if !hold.stopped, let delay = config.hold?.reconnectDelay {
                hold.reconnects.append((now.nanoseconds &+ UInt64(delay.nanoseconds), held.client, held.server))
            }
            return true
        }
        return false
    }

    // MARK: Slow and idle connections

    var holdDeadline: UInt64? {
        guard config.hold != nil, !hold.stopped else { return nil }
        guard hold.started else { return config.startAt.nanoseconds }
        var next = config.stopAt.nanoseconds
        if hold.sendHead < hold.sends.count { next = min(next, hold.sends[hold.sendHead].at) }
        if hold.reconnectHead < hold.reconnects.count { next = min(next, hold.reconnects[hold.reconnectHead].at) }
        return next
    }

    mutating func wakeHold(now: Instant, actions: inout [Action]) {
        guard let settings = config.hold, !hold.stopped, now >= config.startAt else { return }
        if now >= config.stopAt {
            // The attack ends: its connections close, in the order they were opened.
            hold.stopped = true
            for tag in hold.order where hold.connections[tag] != nil {
                if hold.connections[tag]!.open { metrics.heldConnectionsOpen &-= 1 }
                hold.connections[tag] = nil
                actions.append(.closeTCP(tag: tag))
            }
            hold.order = []
            return
        }
        if !hold.started {
            hold.started = true
            for client in 0..<UInt32(config.clientCount) {
                for index in 0..<settings.perClient {
                    openHeld(client: client, server: (Int(client) + index) % config.serverCount, actions: &actions)
                }
            }
        }
        while hold.reconnectHead < hold.reconnects.count, hold.reconnects[hold.reconnectHead].at <= now.nanoseconds {
            let entry = hold.reconnects[hold.reconnectHead]
            hold.reconnectHead += 1
            openHeld(client: entry.client, server: entry.server, actions: &actions)
        }
        while hold.sendHead < hold.sends.count, hold.sends[hold.sendHead].at <= now.nanoseconds {
            let entry = hold.sends[hold.sendHead]
            hold.sendHead += 1
            guard let held = hold.connections[entry.tag], held.open, let every = settings.sendEvery else { continue }
            let (name, _) = pickName()
            let message = Message.query(id: UInt16(truncatingIfNeeded: random.next()), name: name, type: .a)
            if let bytes = try? message.wire() {
                metrics.heldQueries &+= 1
                actions.append(.sendTCP(tag: entry.tag, bytes: bytes))
            }
            hold.sends.append((now.nanoseconds &+ UInt64(every.nanoseconds), entry.tag))
        }
        compactHoldQueues()
    }

    private mutating func openHeld(client: UInt32, server: Int, actions: inout [Action]) {
        let tag = nextTCPTag
        nextTCPTag += 1
        hold.connections[tag] = HeldConnection(client: client, server: server)
        hold.order.append(tag)
        metrics.heldConnectionAttempts &+= 1
        actions.append(.connectTCP(client: client, server: server, tag: tag))
    }

    private mutating func compactHoldQueues() {
        if hold.sendHead > 4096 && hold.sendHead * 2 > hold.sends.count {
            hold.sends.removeFirst(hold.sendHead)
            hold.sendHead = 0
        }
        if hold.reconnectHead > 4096 && hold.reconnectHead * 2 > hold.reconnects.count {
            hold.reconnects.removeFirst(hold.reconnectHead)
            hold.reconnectHead = 0
        }
        if hold.order.count > 2 * max(64, hold.connections.count) {
            hold.order.removeAll { hold.connections[$0] == nil }
        }
    }
}
