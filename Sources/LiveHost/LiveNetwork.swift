import DNSWire
import Determinism
import NIOCore
import NIOPosix
import NIOSSL
import SimNet
import Simulation
#if canImport(Glibc)
import Glibc
#endif

/// Drives the cluster's `ClusterHost` from real sockets and the real clock: the live counterpart of
/// the simulator's event loop. Everything runs on one NIO event loop (one thread, as in the
/// simulator); socket events become `NodeInput`s, `NodeAction`s become socket operations and
/// timers. No DNS or HTTP decision is made here: framing (the two-octet length of DNS over TCP)
/// and address translation only.
final class LiveNetwork: @unchecked Sendable {
    let loop: any EventLoop
    var cluster: LiveCluster
    let layout: LiveLayout
    /// The host's instant zero (`Instant` is nanoseconds since then).
    let startedAt: NIODeadline
    /// TLS for the DoT frontends (nil: no DoT listener).
    let dotContext: NIOSSLContext?
    var counters = LiveCounters()
    /// The backup schedule, if the scenario has one (`schedule`).
    var backups: LiveBackups?

    /// Bound UDP sockets by node and simulator port, and datagrams waiting for a bind to finish.
    /// The nodes' UDP sockets (outside NIO: batches without the channel pipeline) by node and
    /// simulator port, and the other way round.
    private let datagrams = RawDatagrams()
    private var socketIndex: [SocketKey: Int] = [:]
    private var socketKeys: [SocketKey] = []
    private var listeners: [any Channel] = []
    private var connections: [UInt32: LiveConnection] = [:]
    private var nextConnection: UInt32 = 1
    private var actionBuffers: [[NodeAction]] = []
    private var stopping = false
    /// Inside a batch of datagrams read at once: writes are flushed when the batch ends (one
    /// `sendmmsg` for many answers), not after each.
    private var readingBatch = false

    struct SocketKey: Hashable {
        var node: UInt32
        var port: UInt16
    }

    /// A connection the nodes see: a real TCP connection, or one HTTP exchange (a web request or
    /// a DoH query handed over by Hummingbird) whose answer completes a promise.
    enum LiveConnection {
        case socket(node: NodeID, channel: (any Channel)?, waiting: [[UInt8]])
        case exchange(node: NodeID, promise: EventLoopPromise<[UInt8]>)
    }

    init(loop: any EventLoop, cluster: LiveCluster, layout: LiveLayout,
         dotContext: NIOSSLContext?) {
        self.loop = loop
        self.cluster = cluster
        self.layout = layout
        self.dotContext = dotContext
        startedAt = .now()
    }

    var now: Instant {
        Instant(nanoseconds: UInt64(max(0, (NIODeadline.now() - startedAt).nanoseconds)))
    }

    // MARK: - Start and stop

    /// Binds every listener (UDP and TCP on the nodes' ports, DoT on the balancers) and the UDP
    /// sockets nodes send from, then starts every node.
    func start() -> EventLoopFuture<Void> {
        loop.assertInEventLoop()
        var binds: [EventLoopFuture<Void>] = []
        for address in layout.addresses {
            for port in udpPorts(address) {
                let key = SocketKey(node: address.node.index, port: port)
                guard bindUDP(key) != nil else {
                    let reason = String(cString: strerror(errno))
                    return loop.makeFailedFuture(LiveError.bind("\(address.ip):\(layout.realPort(port))/udp: \(reason)"))
                }
            }
            for (port, tls) in tcpPorts(address) { binds.append(listenTCP(node: address.node, port: port, tls: tls)) }
        }
        return EventLoopFuture.andAllSucceed(binds, on: loop).map {
            let loop = self.loop
            self.datagrams.start(execute: { body in loop.execute(body) }, deliver: { batch in self.receivedBatch(batch) })
            for address in self.layout.addresses { self.deliver(address.node, .started) }
        }
    }

    /// Closes the listeners and sockets; nodes keep their memory until the process ends.
    func stop() -> EventLoopFuture<Void> {
        loop.assertInEventLoop()
        stopping = true
        datagrams.stop()
        let channels = listeners + connections.values.compactMap { connection -> (any Channel)? in
            if case .socket(_, let channel, _) = connection { return channel }
            return nil
        }
        for connection in connections.values {
            if case .exchange(_, let promise) = connection { promise.fail(LiveError.stopping) }
        }
        connections.removeAll()
        return EventLoopFuture.andAllComplete(channels.map { $0.close() }, on: loop)
    }

    private func udpPorts(_ address: LiveLayout.Address) -> [UInt16] {
        switch address.role {
        case .nameserver, .primary, .secondary: return [53]
        case .balancer:
            let backends = cluster.host.balancers.first.map { $0.machine.backends.count } ?? 0
            return [53, BalancerNode.consolePort]
                + (0..<backends).flatMap { [BalancerNode.queryPortBase + UInt16($0), BalancerNode.probePortBase + UInt16($0)] }
        case .web: return [WebNode.pushPort, WebNode.purgePort]
        }
    }

    private func tcpPorts(_ address: LiveLayout.Address) -> [(UInt16, Bool)] {
        switch address.role {
        case .nameserver, .primary, .secondary: return [(53, false)]
        case .balancer: return dotContext == nil ? [(53, false)] : [(53, false), (853, true)]
        case .web: return []
        }
    }

    // MARK: - Delivering inputs

    /// Hands `input` to `node` and carries out what it asks.
    func deliver(_ node: NodeID, _ input: NodeInput) {
        loop.assertInEventLoop()
        var actions = actionBuffers.popLast() ?? []
        actions.removeAll(keepingCapacity: true)
        cluster.host.handle(node: node, input, now: now, actions: &actions)
        perform(actions, from: node)
        actionBuffers.append(actions)
    }

    private func perform(_ actions: [NodeAction], from node: NodeID) {
        for action in actions {
            switch action {
            case .send(let datagram):
                send(datagram, from: node)
            case .sendAt(let datagram, let at):
                if at <= now {
                    send(datagram, from: node)
                } else {
                    loop.scheduleTask(deadline: startedAt + .nanoseconds(Int64(at.nanoseconds))) {
                        self.send(datagram, from: node)
                        self.datagrams.flush()
                    }
                }
            case .armTimer(let at, let token):
                loop.scheduleTask(deadline: startedAt + .nanoseconds(Int64(at.nanoseconds))) {
                    guard !self.stopping else { return }
                    self.deliver(node, .timer(token: token))
                }
            case .cost:
                break
            case .tcpConnect(let from, let to, let tag):
                connect(node: node, from: from, to: to, tag: tag)
            case .tcpSend(let connection, let bytes):
                tcpSend(connection, bytes)
            case .tcpClose(let connection):
                tcpClose(connection)
            }
        }
        if !readingBatch && datagrams.hasQueued { datagrams.flush() }
    }

    // MARK: - Addresses

    /// The node-side endpoint of a real address.
    func endpoint(of address: SocketAddress) -> Endpoint? {
        guard let ip = IPAddress(address), let port = address.port else { return nil }
        return endpoint(ip: ip, port: UInt16(port))
    }

    func endpoint(ip: IPAddress, port: UInt16) -> Endpoint {
        if case .v4(let v4) = ip, let node = layout.node(at: v4) {
            return Endpoint(node: node, addressIndex: 0, port: layout.simulatorPort(port))
        }
        return cluster.endpoint(outside: ip, port: port)
    }

    /// The IPv4 address and real port of a node-side endpoint (nil: IPv6 or unknown).
    func destination(of endpoint: Endpoint) -> (UInt32, UInt16)? {
        if endpoint.node == cluster.outside {
            let addresses = cluster.outsideAddresses
            guard Int(endpoint.addressIndex) < addresses.count, case .v4(let v4) = addresses[Int(endpoint.addressIndex)] else {
                return nil
            }
            return (v4.value, endpoint.port)
        }
        guard let ip = layout.ip(of: endpoint.node) else { return nil }
        return (ip.value, layout.realPort(endpoint.port))
    }

    /// The real address of a node-side endpoint.
    func socketAddress(of endpoint: Endpoint) -> SocketAddress? {
        if endpoint.node == cluster.outside {
            let addresses = cluster.outsideAddresses
            guard Int(endpoint.addressIndex) < addresses.count else { return nil }
            return addresses[Int(endpoint.addressIndex)].socketAddress(port: endpoint.port)
        }
        guard let ip = layout.ip(of: endpoint.node) else { return nil }
        return IPAddress.v4(ip).socketAddress(port: layout.realPort(endpoint.port))
    }

    // MARK: - UDP

    /// Datagrams the kernel refused on send.
    var datagramSendFailures: UInt64 { datagrams.sendFailures }

    /// Queues `datagram` on the node's socket for its source port (bound on first use).
    private func send(_ datagram: Datagram, from node: NodeID) {
        guard let (address, port) = destination(of: datagram.destination) else {
            counters.unroutable += 1
            return
        }
        let key = SocketKey(node: node.index, port: datagram.source.port)
        guard let index = socketIndex[key] ?? bindUDP(key) else {
            counters.unroutable += 1
            return
        }
        datagrams.queue(datagram.payload, from: index, to: address, port: port)
        counters.datagramsSent += 1
    }

    /// Binds the node's UDP socket for a simulator port: its index, nil when it cannot.
    private func bindUDP(_ key: SocketKey) -> Int? {
        guard let ip = layout.ip(of: NodeID(Int(key.node))),
              let index = datagrams.bind(address: ip.value, port: layout.realPort(key.port)) else { return nil }
        socketIndex[key] = index
        socketKeys.append(key)
        return index
    }

    /// A batch of datagrams read at once: each to its node, then the answers leave together.
    func receivedBatch(_ batch: [RawDatagrams.Received]) {
        guard !stopping else { return }
        readingBatch = true
        for item in batch {
            let key = socketKeys[item.socket]
            let node = NodeID(Int(key.node))
            let source = endpoint(ip: .v4(IPv4Address(item.source)), port: item.port)
            counters.datagramsReceived += 1
            deliver(node, .datagram(Datagram(source: source, destination: Endpoint(node: node, port: key.port), payload: item.payload)))
        }
        readingBatch = false
        datagrams.flush()
    }

    // MARK: - TCP

    private func allocateConnection() -> ConnectionID {
        defer { nextConnection &+= 1 }
        return ConnectionID(index: nextConnection, generation: 0)
    }

    private func listenTCP(node: NodeID, port: UInt16, tls: Bool) -> EventLoopFuture<Void> {
        guard let ip = layout.ip(of: node) else { return loop.makeFailedFuture(LiveError.noAddress(node)) }
        let context = tls ? dotContext : nil
        return ServerBootstrap(group: loop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context)) }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(DNSFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectionHandler(network: self, node: node, localPort: port, accepted: true))
                }
            }
            .bind(host: ip.description, port: Int(layout.realPort(port)))
            .map { channel in self.listeners.append(channel) }
    }

    /// A connection a node accepted: tell it, return the ID its bytes travel under.
    func accepted(_ channel: any Channel, node: NodeID, localPort: UInt16) -> ConnectionID? {
        guard !stopping, let remote = channel.remoteAddress, let peer = endpoint(of: remote) else { return nil }
        let id = allocateConnection()
        connections[id.index] = .socket(node: node, channel: channel, waiting: [])
        counters.connectionsAccepted += 1
        deliver(node, .tcp(.accepted(id, peer: peer, local: Endpoint(node: node, port: localPort))))
        return id
    }

    private func connect(node: NodeID, from: Endpoint, to: Endpoint, tag: UInt64) {
        let id = allocateConnection()
        connections[id.index] = .socket(node: node, channel: nil, waiting: [])
        cluster.host.connectionAssigned(node: node, id, tag: tag)
        guard let destination = socketAddress(of: to), let ip = layout.ip(of: node) else {
            loop.execute { self.closed(id, reason: .refused) }
            return
        }
        counters.connectionsOpened += 1
        ClientBootstrap(group: loop)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(DNSFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectionHandler(network: self, node: node, localPort: from.port, accepted: false, id: id))
                }
            }
            .bind(to: try! SocketAddress(ipAddress: ip.description, port: 0))
            .connect(to: destination)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    guard case .socket(_, _, let waiting)? = self.connections[id.index] else {
                        channel.close(promise: nil)
                        return
                    }
                    self.connections[id.index] = .socket(node: node, channel: channel, waiting: [])
                    self.deliver(node, .tcp(.connected(id)))
                    for bytes in waiting { self.write(bytes, to: channel) }
                    channel.flush()
                case .failure:
                    self.closed(id, reason: .refused)
                }
            }
    }

    /// One DNS message on a connection, with its two-octet length.
    private func write(_ bytes: [UInt8], to channel: any Channel) {
        var buffer = channel.allocator.buffer(capacity: bytes.count + 2)
        buffer.writeInteger(UInt16(truncatingIfNeeded: bytes.count))
        buffer.writeBytes(bytes)
        channel.write(buffer, promise: nil)
    }

    private func tcpSend(_ id: ConnectionID, _ bytes: [UInt8]) {
        switch connections[id.index] {
        case .socket(_, let channel?, _)?:
            write(bytes, to: channel)
            channel.flush()
        case .socket(let node, nil, var waiting)?:
            waiting.append(bytes)
            connections[id.index] = .socket(node: node, channel: nil, waiting: waiting)
        case .exchange(_, let promise)?:
            connections[id.index] = nil
            promise.succeed(bytes)
        case nil:
            break
        }
    }

    private func tcpClose(_ id: ConnectionID) {
        switch connections.removeValue(forKey: id.index) {
        case .socket(_, let channel?, _)?: channel.close(promise: nil)
        case .exchange(_, let promise)?: promise.fail(LiveError.closedUnanswered)
        case .socket(_, nil, _)?, nil: break
        }
    }

    /// A message arrived on connection `id`.
    func received(_ bytes: [UInt8], on id: ConnectionID) {
        guard case .socket(let node, _, _)? = connections[id.index] else { return }
        deliver(node, .tcp(.received(id, bytes)))
    }

    /// The peer closed, reset or never answered: tell the node unless it closed first.
    func closed(_ id: ConnectionID, reason: TCPCloseReason) {
        guard case .socket(let node, _, _)? = connections.removeValue(forKey: id.index) else { return }
        deliver(node, .tcp(.closed(id, reason)))
    }

    // MARK: - HTTP exchanges (web requests, DoH queries)

    /// Hands one request (`bytes`: an HTTP/1.1 request for the web server, a DNS message for a
    /// balancer's DoH frontend) to `node` as a connection from `peer` to `localPort`; the answer is
    /// what the node sends back. The connection is closed once answered or after `timeout`.
    func exchange(node: NodeID, peer: SocketAddress?, localPort: UInt16, bytes: [UInt8], timeout: TimeAmount)
        -> EventLoopFuture<[UInt8]>
    {
        loop.assertInEventLoop()
        guard !stopping else { return loop.makeFailedFuture(LiveError.stopping) }
        let peerEndpoint = peer.flatMap(endpoint(of:)) ?? cluster.endpoint(outside: .v4(IPv4Address(127, 0, 0, 1)), port: 0)
        let id = allocateConnection()
        let promise = loop.makePromise(of: [UInt8].self)
        connections[id.index] = .exchange(node: node, promise: promise)
        deliver(node, .tcp(.accepted(id, peer: peerEndpoint, local: Endpoint(node: node, port: localPort))))
        deliver(node, .tcp(.received(id, bytes)))
        let timer = loop.scheduleTask(in: timeout) {
            if case .exchange? = self.connections.removeValue(forKey: id.index) { promise.fail(LiveError.timedOut) }
        }
        return promise.futureResult.always { _ in
            timer.cancel()
            // The client is done with its connection: the node forgets it (after this input).
            self.loop.execute {
                self.connections[id.index] = nil
                guard !self.stopping else { return }
                self.deliver(node, .tcp(.closed(id, .closedByPeer)))
            }
        }
    }
}

/// What the adapters count beside the nodes' own counters (`/metrics`).
struct LiveCounters {
    var datagramsReceived: UInt64 = 0
    var datagramsSent: UInt64 = 0
    var connectionsAccepted: UInt64 = 0
    var connectionsOpened: UInt64 = 0
    var unroutable: UInt64 = 0
    var httpRequests: UInt64 = 0
    var dohQueries: UInt64 = 0
    var exchangeFailures: UInt64 = 0
}

enum LiveError: Error, CustomStringConvertible {
    case noAddress(NodeID)
    case bind(String)
    case stopping
    case timedOut
    case closedUnanswered

    var description: String {
        switch self {
        case .noAddress(let node): "no live address for \(node)"
        case .bind(let what): "cannot listen on \(what)"
        case .stopping: "the server is stopping"
        case .timedOut: "no answer in time"
        case .closedUnanswered: "closed without an answer"
        }
    }
}

/// DNS over TCP (RFC 1035 §4.2.2, RFC 7766): two octets of length, then the message.
struct DNSFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
              buffer.readableBytes >= 2 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 2)
        context.fireChannelRead(wrapInboundOut(buffer.readSlice(length: Int(length))!))
        return .continue
    }
}

/// One TCP connection of a node, accepted or opened.
final class ConnectionHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let network: LiveNetwork
    let node: NodeID
    let localPort: UInt16
    let isAccepted: Bool
    var id: ConnectionID?

    init(network: LiveNetwork, node: NodeID, localPort: UInt16, accepted: Bool, id: ConnectionID? = nil) {
        self.network = network
        self.node = node
        self.localPort = localPort
        isAccepted = accepted
        self.id = id
    }

    func channelActive(context: ChannelHandlerContext) {
        if isAccepted {
            id = network.accepted(context.channel, node: node, localPort: localPort)
            if id == nil { context.close(promise: nil) }
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let id else { return }
        network.received(Array(unwrapInboundIn(data).readableBytesView), on: id)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let id { network.closed(id, reason: .closedByPeer) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let id { network.closed(id, reason: .reset) }
        self.id = nil
        context.close(promise: nil)
    }
}
