import DNSWire
import DNSZone
import Determinism
import Nameserver
import Storage
import SimNet
import Traffic

/// Every machine a run hosts, in typed arrays, adapted to the simulator's node interface. Adapters
/// only translate between `NodeInput`/`NodeAction` and each machine's own events and actions; no DNS
/// decision is made here.
public struct ClusterHost: NodeHost {
    enum Kind {
        case nameserver(Int)
        case resolvers(Int)
        case primary(Int)
        case secondary(Int)
        case balancer(Int)
        case web(Int)
        case updaters(Int)
        case replay(Int)
    }

    var kinds: [Kind] = []
    public internal(set) var nameservers: [NameserverNode] = []
    public internal(set) var populations: [ResolverNode] = []
    public internal(set) var primaries: [PrimaryNode] = []
    public internal(set) var secondaries: [SecondaryNode] = []
    public internal(set) var balancers: [BalancerNode] = []
    public internal(set) var webs: [WebNode] = []
    public internal(set) var updaters: [UpdaterNode] = []
    public internal(set) var replays: [ReplayNode] = []

    public init() {}

    /// Queries reaching each nameserver per second (index = node index; empty for other nodes):
    /// datagrams and connection messages to port 53, kept only when balancers are present ("load
    /// reaching the nameservers").
    public internal(set) var loadByNode: [[UInt64]] = []
    var countsNameserverLoad = false

    public mutating func handle(node: NodeID, _ input: NodeInput, now: Instant, actions: inout [NodeAction]) {
        if countsNameserverLoad {
            switch (kinds[Int(node.index)], input) {
            case (.nameserver, .datagram(let datagram)), (.primary, .datagram(let datagram)),
                 (.secondary, .datagram(let datagram)):
                if datagram.destination.port == 53 { countLoad(now, node: node) }
            case (.nameserver, .tcp(.received)): countLoad(now, node: node)
            default: break
            }
        }
        switch kinds[Int(node.index)] {
        case .nameserver(let index): nameservers[index].handle(input, now: now, actions: &actions)
        case .resolvers(let index): populations[index].handle(input, now: now, actions: &actions)
        case .primary(let index): primaries[index].handle(input, now: now, actions: &actions)
        case .secondary(let index): secondaries[index].handle(input, now: now, actions: &actions)
        case .balancer(let index): balancers[index].handle(input, now: now, actions: &actions)
        case .web(let index): webs[index].handle(input, now: now, actions: &actions)
        case .updaters(let index): updaters[index].handle(input, now: now, actions: &actions)
        case .replay(let index): replays[index].handle(input, now: now, actions: &actions)
        }
    }

    public mutating func restart(node: NodeID) {
        switch kinds[Int(node.index)] {
        case .nameserver(let index): nameservers[index].restart()
        case .resolvers(let index): populations[index].restart()
        case .primary(let index): primaries[index].restart()
        case .secondary(let index): secondaries[index].restart()
        case .balancer(let index): balancers[index].restart()
        case .web(let index): webs[index].restart()
        case .updaters(let index): updaters[index].restart()
        case .replay(let index): replays[index].restart()
        }
    }

    /// Hands primary `index`, and every web server committing to its database, another database
    /// (a restored file, or a placeholder while the file is lost). They open it when restarted.
    mutating func replaceDatabase(primary index: Int, with store: ZoneStore) {
        let node = primaries[index].port53.node
        primaries[index].store = store
        for web in webs.indices where webs[web].primary.node == node { webs[web].store = store }
    }

    public mutating func connectionAssigned(node: NodeID, _ connection: ConnectionID, tag: UInt64) {
        switch kinds[Int(node.index)] {
        case .resolvers(let index):
            populations[index].connections.opened(connection, tag: tag)
        case .secondary(let index): secondaries[index].assign(connection, tag: tag)
        case .balancer(let index): balancers[index].assign(connection, tag: tag)
        case .updaters(let index): updaters[index].assign(connection, tag: tag)
        case .replay(let index): replays[index].assign(connection, tag: tag)
        case .nameserver, .primary, .web: break
        }
    }

    private mutating func countLoad(_ now: Instant, node: NodeID) {
        let second = Int(now.seconds)
        let index = Int(node.index)
        if index >= loadByNode.count { loadByNode.append(contentsOf: repeatElement([], count: index + 1 - loadByNode.count)) }
        if second >= loadByNode[index].count {
            loadByNode[index].append(contentsOf: repeatElement(0, count: second + 1 - loadByNode[index].count))
        }
        loadByNode[index][second] &+= 1
    }

    /// Registers a machine for the next node ID.
    mutating func add(_ node: NameserverNode) {
        kinds.append(.nameserver(nameservers.count))
        nameservers.append(node)
    }

    mutating func add(_ node: ResolverNode) {
        kinds.append(.resolvers(populations.count))
        populations.append(node)
    }

    mutating func add(_ node: PrimaryNode) {
        kinds.append(.primary(primaries.count))
        primaries.append(node)
    }

    mutating func add(_ node: BalancerNode) {
        kinds.append(.balancer(balancers.count))
        balancers.append(node)
    }

    mutating func add(_ node: WebNode) {
        kinds.append(.web(webs.count))
        webs.append(node)
    }

    mutating func add(_ node: UpdaterNode) {
        kinds.append(.updaters(updaters.count))
        updaters.append(node)
    }

    mutating func add(_ node: ReplayNode) {
        kinds.append(.replay(replays.count))
        replays.append(node)
    }

    mutating func setAddressBook(_ book: [[IPAddress]]) {
        for index in balancers.indices { balancers[index].addressBook = book }
        for index in webs.indices { webs[index].addressBook = book }
    }

    mutating func add(_ node: SecondaryNode) {
        kinds.append(.secondary(secondaries.count))
        secondaries.append(node)
    }
}

/// An authoritative nameserver on UDP and TCP port 53.
public struct NameserverNode {
    public private(set) var server: AuthoritativeServer
    /// What the server loads when it (re)starts: its "disk".
    let zonesOnDisk: ZoneSet

    public init(zones: ZoneSet) {
        zonesOnDisk = zones
        server = AuthoritativeServer(zones: zones)
    }

    mutating func handle(_ input: NodeInput, now: Instant, actions: inout [NodeAction]) {
        switch input {
        case .datagram(let datagram):
            guard let response = server.respond(to: datagram.payload, over: .udp, now: now) else { return }
            actions.append(.send(Datagram(source: datagram.destination, destination: datagram.source, payload: response)))
        case .tcp(.received(let connection, let bytes)):
            guard let response = server.respond(to: bytes, over: .tcp, now: now) else { return }
            actions.append(.tcpSend(connection, response))
        case .started, .timer, .tcp: break
        }
    }

    mutating func restart() {
        let stats = server.stats
        server = AuthoritativeServer(zones: zonesOnDisk)
        server.carryOver(stats)
    }
}

/// A resolver population: its clients are the node's addresses.
public struct ResolverNode {
    public private(set) var population: ResolverPopulation
    let node: NodeID
    let servers: [Endpoint]
    var armedAt: UInt64 = .max
    var armedToken: UInt64 = 0
    var connections = ConnectionBook()
    /// Reflection: datagrams carry the addresses of this node's clients instead of our own, so
    /// the answers go there.
    var spoofAs: (node: NodeID, clients: UInt32)?
    private var output: [ResolverPopulation.Action] = []

    public init(population: ResolverPopulation, node: NodeID, servers: [Endpoint]) {
        self.population = population
        self.node = node
        self.servers = servers
    }

    mutating func handle(_ input: NodeInput, now: Instant, actions: inout [NodeAction]) {
        output.removeAll(keepingCapacity: true)
        switch input {
        case .started: armedAt = .max
        case .timer(let token):
            guard token == armedToken else { return }
            armedAt = .max
            population.wake(now: now, actions: &output)
        case .datagram(let datagram):
            population.received(datagram.payload, client: datagram.destination.addressIndex,
                                port: datagram.destination.port, now: now, actions: &output)
        case .tcp(.connected(let connection)):
            if let tag = connections.tag(of: connection) { population.tcpConnected(tag: tag, now: now, actions: &output) }
        case .tcp(.received(let connection, let bytes)):
            if let tag = connections.tag(of: connection) { population.tcpReceived(bytes, tag: tag, now: now, actions: &output) }
        case .tcp(.closed(let connection, _)):
            if let tag = connections.closed(connection) {
                population.tcpClosed(tag: tag, now: now)
            }
        case .tcp(.accepted): break
        }
        translate(&actions)
        if let next = population.nextDeadline, next.nanoseconds < armedAt {
            armedAt = next.nanoseconds
            armedToken &+= 1
            actions.append(.armTimer(at: next, token: armedToken))
        }
    }

    private mutating func translate(_ actions: inout [NodeAction]) {
        for action in output {
            switch action {
            case .sendUDP(let client, let port, let server, let bytes, let at):
                var source = Endpoint(node: node, addressIndex: client, port: port)
                if let spoofAs { source = Endpoint(node: spoofAs.node, addressIndex: client % spoofAs.clients, port: port) }
                actions.append(.sendAt(Datagram(source: source, destination: servers[server], payload: bytes), at: at))
            case .connectTCP(let client, let server, let tag):
                let source = Endpoint(node: node, addressIndex: client, port: UInt16(32_768 + tag % 28_000))
                var destination = servers[server]
                destination.port = population.config.transport.port
                actions.append(.tcpConnect(from: source, to: destination, tag: tag))
            case .sendTCP(let tag, let bytes):
                if let connection = connections.connection(tagged: tag) { actions.append(.tcpSend(connection, bytes)) }
            case .closeTCP(let tag):
                if let connection = connections.close(tagged: tag) { actions.append(.tcpClose(connection)) }
            }
        }
    }

    mutating func restart() {
        armedAt = .max
    }
}

extension ClusterHost {
    /// Queries reaching all nameservers together, per second.
    var nameserverLoad: [UInt64] {
        var total = [UInt64](repeating: 0, count: loadByNode.map(\.count).max() ?? 0)
        for series in loadByNode {
            for (second, count) in series.enumerated() { total[second] &+= count }
        }
        return total
    }
}
