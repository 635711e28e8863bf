import Balancer
import DNSWire
import Determinism
import SimNet

/// Where a balancer sends an answer: back along the client's datagram, or down its connection.
public enum BalancerClient: Sendable, Equatable {
    case datagram(client: Endpoint, frontend: Endpoint)
    case connection(ConnectionID)

    /// Packed for the machine: node (31 bits) and address index (32) and port (16) of each end, or
    /// a connection (flag bit 63 of `high`).
    var handle: ClientHandle {
        switch self {
        case .datagram(let client, let frontend):
            return ClientHandle(
                high: UInt64(client.node.index) << 32 | UInt64(client.addressIndex),
                low: UInt64(client.port) << 48 | UInt64(frontend.port) << 32 | UInt64(frontend.node.index))
        case .connection(let connection):
            return ClientHandle(high: 1 << 63, low: UInt64(connection.index) << 32 | UInt64(connection.generation))
        }
    }

    /// The frontend's address index is always 0 (balancers answer from their first address).
    init(_ handle: ClientHandle) {
        if handle.high & (1 << 63) != 0 {
            self = .connection(ConnectionID(index: UInt32(handle.low >> 32), generation: UInt32(handle.low & 0xFFFF_FFFF)))
        } else {
            let client = Endpoint(node: NodeID(Int(handle.high >> 32)), addressIndex: UInt32(handle.high & 0xFFFF_FFFF),
                                  port: UInt16(handle.low >> 48))
            let frontend = Endpoint(node: NodeID(Int(handle.low & 0xFFFF_FFFF)), addressIndex: 0,
                                    port: UInt16((handle.low >> 32) & 0xFFFF))
            self = .datagram(client: client, frontend: frontend)
        }
    }
}

/// A dnsdist-style balancer on the simulated network.
///
/// Ports: frontends listen on 53 (Do53 UDP and TCP), 853 (DoT) and 443 (DoH); queries to backend
/// `i` leave from port 10000+i, UDP health probes from 20000+i, the connection that carries
/// TCP-frontend queries to backend `i` from 30000+i, and TCP health probes (`use_tcp`) from
/// 40000+i, so an answer's destination port says what it answers. Which client connections to
/// keep is `FrontendConnections`' decision. The adapter only routes bytes; every DNS decision is
/// the machines'.
public struct BalancerNode {
    public internal(set) var machine: BalancerMachine
    /// Which client connections to keep and when to close them (limits and timeouts).
    public private(set) var frontends: FrontendConnections
    public let name: String
    let node: NodeID
    /// Backend `i`'s port-53 endpoint.
    let backends: [Endpoint]
    /// The addresses of every node, by node index, to tell the machine who a client is.
    var addressBook: [[IPAddress]]
    let config: BalancerConfig
    let seed: UInt64
    var armedAt: UInt64 = .max
    var armedToken: UInt64 = 0
    /// Client connections: their peer and the frontend they came in on.
    var clientConnections: [ConnectionID: (Endpoint, FrontendProtocol)] = [:]
    /// Per backend, the connection for TCP-frontend queries, and what waits for it to open.
    var backendConnections: [ConnectionID?]
    var backendConnecting: [Bool]
    var backendQueues: [[[UInt8]]]
    var connectionBackend: [ConnectionID: Int] = [:]
    /// TCP health probes (`use_tcp`): one connection per probe, from port 40000+i; the probe
    /// waits in `probeQueries` until the connection is up.
    var probeConnections: [ConnectionID: Int] = [:]
    var probeQueries: [Int: [UInt8]] = [:]
    /// `FaultPoint.delayHealthCheck`: each UDP probe leaves up to 2 s late (nil: off).
    var probeDelays: SeededRandom?
    /// Every event the machine reported, with the instant it was collected.
    public private(set) var events: [BalancerEvent] = []
    private var output: [BalancerMachine.Action] = []

    public static let queryPortBase: UInt16 = 10_000
    public static let probePortBase: UInt16 = 20_000
    public static let connectionPortBase: UInt16 = 30_000
    /// dnsdist's console port: the web server asks for cache purges here (`expungeByName`).
    public static let consolePort: UInt16 = 5199
    /// The nodes allowed on the console (dnsdist's `setConsoleACL`): the web servers.
    var consoleSources: [NodeID] = []
    /// Purge requests taken and cache entries they removed.
    public internal(set) var purgeRequests = 0
    public internal(set) var purgedEntries = 0
    public static let probeConnectionPortBase: UInt16 = 40_000
    /// Tags of probe connections carry this bit (backend connections' tags are the backend index).
    static let probeTag: UInt64 = 1 << 32

    init(name: String, config: BalancerConfig, node: NodeID, backends: [Endpoint], addressBook: [[IPAddress]],
         seed: UInt64) throws(BalancerSetupError) {
        self.name = name
        self.config = config
        self.node = node
        self.backends = backends
        self.addressBook = addressBook
        self.seed = seed
        machine = try BalancerMachine(config: config, seed: seed, label: "balancer/" + name)
        frontends = FrontendConnections(config: config.connections)
        backendConnections = Array(repeating: nil, count: backends.count)
        backendConnecting = Array(repeating: false, count: backends.count)
        backendQueues = Array(repeating: [], count: backends.count)
    }

    func address(of endpoint: Endpoint) -> IPAddress {
        let addresses = addressBook[Int(endpoint.node.index)]
        return addresses[Int(endpoint.addressIndex) % addresses.count]
    }

    static func frontend(port: UInt16) -> FrontendProtocol {
        switch port {
        case 853: .dot
        case 443: .doh
        default: .do53TCP
        }
    }

    mutating func handle(_ input: NodeInput, now: Instant, actions: inout [NodeAction]) {
        output.removeAll(keepingCapacity: true)
        switch input {
        case .started:
            armedAt = .max
        case .timer(let token):
            guard token == armedToken else { return }
            armedAt = .max
            machine.wake(now: now, actions: &output)
            for handle in frontends.expire(now: now) {
                if case .connection(let connection) = BalancerClient(handle) { closeClient(connection, &actions) }
            }
        case .datagram(let datagram):
            let port = datagram.destination.port
            if port >= Self.probePortBase && port < Self.connectionPortBase {
                machine.probeResponse(datagram.payload, backend: Int(port - Self.probePortBase), now: now, actions: &output)
            } else if port == Self.consolePort {
                if consoleSources.contains(datagram.source.node) { consoleRequest(datagram, actions: &actions) }
            } else if port >= Self.queryPortBase && port < Self.probePortBase {
                machine.backendResponse(datagram.payload, backend: Int(port - Self.queryPortBase), now: now, actions: &output)
            } else {
                machine.query(
                    datagram.payload, from: BalancerClient.datagram(client: datagram.source, frontend: datagram.destination).handle,
                    address: address(of: datagram.source), port: datagram.source.port, transport: .do53UDP, now: now,
                    actions: &output)
            }
        case .tcp(.accepted(let connection, let peer, let local)):
            let frontend = Self.frontend(port: local.port)
            let handle = BalancerClient.connection(connection).handle
            switch frontends.accept(handle, address: address(of: peer), port: peer.port, frontend: frontend, now: now) {
            case .accepted: clientConnections[connection] = (peer, frontend)
            default: actions.append(.tcpClose(connection))
            }
        case .tcp(.connected(let connection)):
            if let backend = probeConnections[connection] {
                if let probe = probeQueries.removeValue(forKey: backend) { actions.append(.tcpSend(connection, probe)) }
            } else if let backend = connectionBackend[connection] {
                backendConnecting[backend] = false
                for message in backendQueues[backend] { actions.append(.tcpSend(connection, message)) }
                backendQueues[backend].removeAll()
            }
        case .tcp(.received(let connection, let bytes)):
            if let backend = probeConnections.removeValue(forKey: connection) {
                machine.probeResponse(bytes, backend: backend, now: now, actions: &output)
                actions.append(.tcpClose(connection))
            } else if let backend = connectionBackend[connection] {
                machine.backendResponse(bytes, backend: backend, now: now, actions: &output)
            } else if let (peer, transport) = clientConnections[connection] {
                let handle = BalancerClient.connection(connection).handle
                guard frontends.queryRead(handle, now: now) else {
                    closeClient(connection, &actions)
                    break
                }
                machine.query(bytes, from: handle, address: address(of: peer), port: peer.port,
                              transport: transport, now: now, actions: &output)
            }
        case .tcp(.closed(let connection, _)):
            if probeConnections.removeValue(forKey: connection) != nil {
                // A probe without an answer: the machine's probe timeout counts the failure.
            } else if let backend = connectionBackend.removeValue(forKey: connection) {
                backendConnections[backend] = nil
                backendConnecting[backend] = false
                backendQueues[backend].removeAll()
            } else if clientConnections.removeValue(forKey: connection) != nil {
                frontends.closed(BalancerClient.connection(connection).handle)
            }
        }
        translate(now: now, &actions)
        events.append(contentsOf: machine.takeEvents())
        var deadline = machine.nextDeadline
        if let connections = frontends.nextDeadline(), deadline.map({ connections < $0 }) ?? true { deadline = connections }
        if let next = deadline, next.nanoseconds < armedAt {
            armedAt = next.nanoseconds
            armedToken &+= 1
            actions.append(.armTimer(at: next, token: armedToken))
        }
    }

    private mutating func translate(now: Instant, _ actions: inout [NodeAction]) {
        for action in output {
            switch action {
            case .respond(let handle, let bytes, let at):
                switch BalancerClient(handle) {
                case .datagram(let client, let frontend):
                    let datagram = Datagram(source: frontend, destination: client, payload: bytes)
                    actions.append(at > now ? .sendAt(datagram, at: at) : .send(datagram))
                case .connection(let connection):
                    guard clientConnections[connection] != nil else { break }
                    actions.append(.tcpSend(connection, bytes))
                    if frontends.responseWritten(handle, now: now) { closeClient(connection, &actions) }
                }
            case .forward(let backend, let bytes, overTCP: false):
                let source = Endpoint(node: node, port: Self.queryPortBase + UInt16(backend))
                actions.append(.send(Datagram(source: source, destination: backends[backend], payload: bytes)))
            case .forward(let backend, let bytes, overTCP: true):
                sendOverConnection(bytes, backend: backend, &actions)
            case .probe(let backend, let bytes, overTCP: false):
                let source = Endpoint(node: node, port: Self.probePortBase + UInt16(backend))
                let datagram = Datagram(source: source, destination: backends[backend], payload: bytes)
                if let delay = probeDelays?.below(2_000_000_000) {
                    actions.append(.sendAt(datagram, at: now + .nanoseconds(Int64(delay))))
                } else {
                    actions.append(.send(datagram))
                }
            case .probe(let backend, let bytes, overTCP: true):
                // dnsdist opens a connection per TCP probe; the answer, or the probe timeout, ends it.
                probeQueries[backend] = bytes
                let source = Endpoint(node: node, port: Self.probeConnectionPortBase + UInt16(backend))
                actions.append(.tcpConnect(from: source, to: backends[backend], tag: Self.probeTag | UInt64(backend)))
            }
        }
    }

    private mutating func sendOverConnection(_ bytes: [UInt8], backend: Int, _ actions: inout [NodeAction]) {
        if let connection = backendConnections[backend], !backendConnecting[backend] {
            actions.append(.tcpSend(connection, bytes))
            return
        }
        backendQueues[backend].append(bytes)
        if backendConnections[backend] == nil && !backendConnecting[backend] {
            backendConnecting[backend] = true
            let source = Endpoint(node: node, port: Self.connectionPortBase + UInt16(backend))
            actions.append(.tcpConnect(from: source, to: backends[backend], tag: UInt64(backend)))
        }
    }

    /// The frontend side is done with a client connection (timeout, lifetime, query budget).
    private mutating func closeClient(_ connection: ConnectionID, _ actions: inout [NodeAction]) {
        clientConnections[connection] = nil
        actions.append(.tcpClose(connection))
    }

    mutating func assign(_ connection: ConnectionID, tag: UInt64) {
        if tag & Self.probeTag != 0 {
            probeConnections[connection] = Int(tag & 0xFFFF)
            return
        }
        let backend = Int(tag)
        guard backend < backendConnections.count else { return }
        backendConnections[backend] = connection
        connectionBackend[connection] = backend
    }

    /// A crash loses everything in memory: caches, blocks, health state, in-flight queries.
    mutating func restart() {
        armedAt = .max
        let carried = events
        if let fresh = try? BalancerMachine(config: config, seed: seed, label: "balancer/" + name) {
            machine = fresh
        }
        clientConnections = [:]
        frontends = FrontendConnections(config: config.connections)
        backendConnections = Array(repeating: nil, count: backends.count)
        backendConnecting = Array(repeating: false, count: backends.count)
        backendQueues = Array(repeating: [], count: backends.count)
        connectionBackend = [:]
        probeConnections = [:]
        probeQueries = [:]
        events = carried
    }
}
