import Determinism

/// The TCP model: what matters for DNS over TCP, DoT and DoH without simulating segments one by one.
///
/// - Set-up costs a round trip (SYN, SYN-ACK); a lost SYN is sent again after 1 s, 2 s, 4 s
///   (RFC 6298 §5.7 initial RTO), then the attempt fails with `timedOut`.
/// - `tlsRoundTrips` adds handshake round trips before `connected` (hook for DoT/DoH: 1 for TLS 1.3,
///   0 for a resumed session with early data).
/// - Messages arrive in order; a lost one is retransmitted after the RTO (at least 200 ms), which
///   delays it and everything behind it (head-of-line blocking). After 5 retransmissions the
///   connection is reset.
/// - Servers enforce connection limits (refused with RST) and close idle connections.
struct Connection {
    enum State { case connecting, established, closed }

    var generation: UInt32 = 0
    var state: State = .closed
    var client = Endpoint(node: NodeID(0), port: 0)
    var server = Endpoint(node: NodeID(0), port: 0)
    var tag: UInt64 = 0
    var synAttempts = 0
    var lastDeliveryToServer: UInt64 = 0
    var lastDeliveryToClient: UInt64 = 0
    var lastActivity: UInt64 = 0
    var counted = false
    /// Closed, with a close notification still travelling to a side: the slot (and its
    /// generation) stays until the notification is delivered.
    var notifying = false
}

/// Steps of `.tcp` events, packed with the connection generation.
enum TCPStep: UInt32 {
    case synArrives = 1, synRetry, establishedAtClient, idleCheck, closedToClient, closedToServer, refusedToClient
    /// A close asked for while data was still travelling: FIN follows the last segment.
    case clientClosesAfterData, serverClosesAfterData
}

public struct TCPOptions: Sendable {
    /// Extra handshake round trips (TLS) before the connection is usable.
    public var tlsRoundTrips: Int
    public static let plain = TCPOptions(tlsRoundTrips: 0)
    public init(tlsRoundTrips: Int) { self.tlsRoundTrips = tlsRoundTrips }
}

extension Simulator {
    static var minimumRTO: Int64 { 200_000_000 }
    static var initialSYNTimeout: Int64 { 1_000_000_000 }

    private func event(_ connection: UInt32, _ step: TCPStep) -> SimEvent {
        .tcp(connection: connection, step: step.rawValue << 24 | (connections[Int(connection)].generation & 0xFF_FFFF))
    }

    mutating func tcpConnect(from: Endpoint, to: Endpoint, tag: UInt64, after delay: Int64) {
        let index: UInt32
        if let free = freeConnections.popLast() { index = free } else {
            index = UInt32(connections.count)
            connections.append(Connection())
        }
        var connection = connections[Int(index)]
        connection.generation = (connection.generation &+ 1) & 0xFF_FFFF
        connection.state = .connecting
        connection.client = from
        connection.server = to
        connection.tag = tag
        connection.synAttempts = 0
        connection.lastDeliveryToServer = 0
        connection.lastDeliveryToClient = 0
        connection.counted = false
        connection.notifying = false
        connections[Int(index)] = connection
        let id = ConnectionID(index: index, generation: connection.generation)
        host.connectionAssigned(node: from.node, id, tag: tag)
        sendSYN(index, after: delay)
    }

    private mutating func sendSYN(_ index: UInt32, after delay: Int64) {
        connections[Int(index)].synAttempts += 1
        let connection = connections[Int(index)]
        let timeout = Self.initialSYNTimeout << (connection.synAttempts - 1)
        let start = now.nanoseconds &+ UInt64(max(0, delay))
        if let oneWay = pathDelay(from: connection.client.node, to: connection.server.node) {
            queue.schedule(event(index, .synArrives), at: Instant(nanoseconds: start &+ UInt64(oneWay)))
        }
        queue.schedule(event(index, .synRetry), at: Instant(nanoseconds: start &+ UInt64(timeout)))
    }

    /// One-way delay of a packet, or nil when it is lost or cannot be routed.
    mutating func pathDelay(from a: NodeID, to b: NodeID) -> Int64? {
        let source = runtimes[Int(a.index)].config
        let destination = runtimes[Int(b.index)].config
        guard source.networks & destination.networks != 0 else { return nil }
        let verdict = topology.route(from: source.site, to: destination.site)
        return verdict.dropReason == nil ? verdict.delay : nil
    }

    /// Delay of a segment including retransmissions; nil when it never gets through (reset).
    private mutating func segmentDelay(from a: NodeID, to b: NodeID) -> Int64? {
        var waited: Int64 = 0
        for attempt in 0..<6 {
            if let delay = pathDelay(from: a, to: b) { return waited + delay }
            waited += Self.minimumRTO << attempt
        }
        return nil
    }

    mutating func tcpStep(connection index: UInt32, step packed: UInt32) {
        guard Int(index) < connections.count, connections[Int(index)].generation == packed & 0xFF_FFFF,
            let step = TCPStep(rawValue: packed >> 24)
        else { return }
        let connection = connections[Int(index)]
        let id = ConnectionID(index: index, generation: connection.generation)
        switch step {
        case .synArrives: synArrived(index)
        case .synRetry:
            guard connection.state == .connecting else { return }
            if connection.synAttempts >= 4 {
                finish(index, notifyClient: .timedOut, notifyServer: nil)
            } else {
                sendSYN(index, after: 0)
            }
        case .establishedAtClient:
            guard connection.state == .connecting else { return }
            connections[Int(index)].state = .established
            connections[Int(index)].lastActivity = now.nanoseconds
            trace.record(.connectionOpened, at: now, UInt64(index))
            if accepts(connection.client.node.index, size: 0) {
                invoke(connection.client.node.index, .tcp(.connected(id)), costed: false)
            }
        case .idleCheck:
            guard connection.state == .established else { return }
            let idle = runtimes[Int(connection.server.node.index)].config.idleTimeout.nanoseconds
            if connection.lastActivity &+ UInt64(idle) <= now.nanoseconds {
                finish(index, notifyClient: .idle, notifyServer: .idle)
            } else {
                queue.schedule(event(index, .idleCheck), at: Instant(nanoseconds: connection.lastActivity &+ UInt64(idle)))
            }
        case .closedToClient, .refusedToClient:
            guard connection.notifying else { return }
            release(index)
            if accepts(connection.client.node.index, size: 0) {
                let reason: TCPCloseReason = step == .refusedToClient ? .refused : .closedByPeer
                invoke(connection.client.node.index, .tcp(.closed(id, reason)), costed: false)
            }
        case .closedToServer:
            guard connection.notifying else { return }
            release(index)
            if accepts(connection.server.node.index, size: 0) {
                invoke(connection.server.node.index, .tcp(.closed(id, .closedByPeer)), costed: false)
            }
        case .clientClosesAfterData:
            finish(index, notifyClient: nil, notifyServer: .closedByPeer)
        case .serverClosesAfterData:
            finish(index, notifyClient: .closedByPeer, notifyServer: nil)
        }
    }

    private mutating func synArrived(_ index: UInt32) {
        let connection = connections[Int(index)]
        guard connection.state == .connecting, !connection.counted else { return }
        let server = Int(connection.server.node.index)
        // A SYN dropped at the edge is like a lost one: the client's SYN timer retries.
        guard edgeAdmits(UInt32(server), from: connection.client, datagram: false, size: 0) else { return }
        guard runtimes[server].up, runtimes[server].hungUntil <= now.nanoseconds else { return }
        let clientKey = connection.client.node.index << 20 ^ connection.client.addressIndex
        let perClient = runtimes[server].connectionsPerClient[clientKey, default: 0]
        if runtimes[server].openConnections >= runtimes[server].config.maxConnections
            || perClient >= runtimes[server].config.maxConnectionsPerClient
        {
            drop(UInt32(server), reason: .connectionRefused, size: 0)
            connections[Int(index)].state = .closed
            if let back = pathDelay(from: connection.server.node, to: connection.client.node) {
                // The RST travels back; a lost one leaves the client to its SYN timeout.
                connections[Int(index)].notifying = true
                queue.schedule(event(index, .refusedToClient), at: now + .nanoseconds(back))
            } else {
                release(index)
            }
            return
        }
        connections[Int(index)].counted = true
        tapConnection(index, .tcpOpen)
        runtimes[server].openConnections += 1
        runtimes[server].connectionsPerClient[clientKey] = perClient + 1
        // SYN-ACK back, then TLS round trips if any; losses cost a retransmission each.
        var total: Int64 = segmentDelay(from: connection.server.node, to: connection.client.node) ?? Self.initialSYNTimeout
        let tlsRoundTrips = tlsRoundTripsFor(connection)
        for _ in 0..<tlsRoundTrips {
            total += (segmentDelay(from: connection.client.node, to: connection.server.node) ?? Self.initialSYNTimeout)
            total += (segmentDelay(from: connection.server.node, to: connection.client.node) ?? Self.initialSYNTimeout)
        }
        let id = ConnectionID(index: index, generation: connection.generation)
        invoke(UInt32(server), .tcp(.accepted(id, peer: connection.client, local: connection.server)), costed: false)
        queue.schedule(event(index, .establishedAtClient), at: now + .nanoseconds(total))
        let idle = runtimes[server].config.idleTimeout
        connections[Int(index)].lastActivity = now.nanoseconds
        queue.schedule(event(index, .idleCheck), at: now + idle)
    }

    /// TLS round trips: servers listening on 853 (DoT) or 443 (DoH) use one (TLS 1.3).
    private func tlsRoundTripsFor(_ connection: Connection) -> Int {
        connection.server.port == 853 || connection.server.port == 443 ? 1 : 0
    }

    mutating func tcpSend(_ id: ConnectionID, bytes: [UInt8], from node: UInt32, after delay: Int64) {
        let index = Int(id.index)
        guard index < connections.count, connections[index].generation == id.generation,
            connections[index].state == .established
        else { return }
        let connection = connections[index]
        let toServer = connection.client.node.index == node && !(connection.server.node.index == node)
        let (from, to) = toServer ? (connection.client.node, connection.server.node) : (connection.server.node, connection.client.node)
        guard let travel = segmentDelay(from: from, to: to) else {
            finish(id.index, notifyClient: .reset, notifyServer: .reset)
            return
        }
        var arrival = now.nanoseconds &+ UInt64(max(0, delay)) &+ UInt64(travel)
        if toServer {
            arrival = max(arrival, connections[index].lastDeliveryToServer)
            connections[index].lastDeliveryToServer = arrival
        } else {
            arrival = max(arrival, connections[index].lastDeliveryToClient)
            connections[index].lastDeliveryToClient = arrival
        }
        runtimes[Int(node)].counters.sent &+= 1
        schedule(.segment(connection: id.index, toServer: toServer, bytes: bytes), at: arrival)
    }

    mutating func deliverSegment(connection index: UInt32, toServer: Bool, bytes: [UInt8]) {
        let connection = connections[Int(index)]
        guard connection.state == .established else { return }
        let node = toServer ? connection.server.node.index : connection.client.node.index
        guard accepts(node, size: bytes.count) else { return }
        connections[Int(index)].lastActivity = now.nanoseconds
        trace.record(.delivered, at: now, UInt64(index) << 1 | (toServer ? 1 : 0), UInt64(bytes.count), Trace.hash(bytes))
        tapConnection(index, .tcpData(toServer: toServer), payload: bytes)
        let id = ConnectionID(index: index, generation: connection.generation)
        if toServer { offer(node, .tcp(.received(id, bytes))) } else { invoke(node, .tcp(.received(id, bytes)), costed: false) }
    }

    mutating func tcpClose(_ id: ConnectionID, from node: UInt32, after delay: Int64) {
        let index = Int(id.index)
        guard index < connections.count, connections[index].generation == id.generation,
            connections[index].state != .closed
        else { return }
        let byClient = connections[index].client.node.index == node
        // Data already sent arrives before the FIN (an orderly close, not a reset).
        let lastData = byClient ? connections[index].lastDeliveryToServer : connections[index].lastDeliveryToClient
        if lastData > now.nanoseconds {
            queue.schedule(event(id.index, byClient ? .clientClosesAfterData : .serverClosesAfterData),
                           at: Instant(nanoseconds: lastData))
            return
        }
        finish(id.index, notifyClient: byClient ? nil : .closedByPeer, notifyServer: byClient ? .closedByPeer : nil)
    }

    /// Closes a connection and tells the named sides after a one-way delay.
    mutating func finish(_ index: UInt32, notifyClient: TCPCloseReason?, notifyServer: TCPCloseReason?) {
        let connection = connections[Int(index)]
        guard connection.state != .closed else { return }
        connections[Int(index)].state = .closed
        trace.record(.connectionClosed, at: now, UInt64(index))
        if connection.counted {
            tapConnection(index, .tcpClose(byClient: notifyClient == nil))
            let server = Int(connection.server.node.index)
            runtimes[server].openConnections -= 1
            let clientKey = connection.client.node.index << 20 ^ connection.client.addressIndex
            runtimes[server].connectionsPerClient[clientKey, default: 1] -= 1
            if runtimes[server].connectionsPerClient[clientKey] == 0 { runtimes[server].connectionsPerClient[clientKey] = nil }
        }
        let id = ConnectionID(index: index, generation: connection.generation)
        var notifying = false
        if let reason = notifyClient {
            if reason == .closedByPeer {
                notifying = true
                // The FIN takes the path's one-way delay (a lost one: the RTO's worth).
                let delay = pathDelay(from: connection.server.node, to: connection.client.node) ?? Self.minimumRTO
                queue.schedule(event(index, .closedToClient), at: now + .nanoseconds(delay))
            } else if runtimes[Int(connection.client.node.index)].up {
                invoke(connection.client.node.index, .tcp(.closed(id, reason)), costed: false)
            }
        }
        if let reason = notifyServer, reason != .closedByPeer, runtimes[Int(connection.server.node.index)].up {
            invoke(connection.server.node.index, .tcp(.closed(id, reason)), costed: false)
        } else if notifyServer == .closedByPeer {
            notifying = true
            let delay = pathDelay(from: connection.client.node, to: connection.server.node) ?? Self.minimumRTO
            queue.schedule(event(index, .closedToServer), at: now + .nanoseconds(delay))
        }
        if notifying {
            connections[Int(index)].notifying = true
        } else {
            release(index)
        }
    }

    /// The slot is reused only after pending events of this generation are stale.
    private mutating func release(_ index: UInt32) {
        connections[Int(index)].notifying = false
        connections[Int(index)].generation = (connections[Int(index)].generation &+ 1) & 0xFF_FFFF
        freeConnections.append(index)
    }

    /// A crashed node's connections are reset; peers learn it when they next hear nothing (here: at once).
    mutating func resetConnections(of node: NodeID) {
        for index in connections.indices where connections[index].state != .closed {
            let connection = connections[index]
            guard connection.client.node == node || connection.server.node == node else { continue }
            let clientCrashed = connection.client.node == node
            finish(UInt32(index), notifyClient: clientCrashed ? nil : .reset, notifyServer: clientCrashed ? .reset : nil)
        }
    }
}
