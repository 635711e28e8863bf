import DNSWire
import Determinism
import PcapReplay
import Scenario
import SimNet

/// A replayed capture (`replay` workload item): `ReplayClients` on a node whose addresses are the
/// captured clients' (kept or anonymised), so each captured client is a simulated client of its own.
public struct ReplayNode {
    public let name: String
    public private(set) var clients: ReplayClients
    /// The simulated address of each captured client, in plan order.
    public let addresses: [IPAddress]
    let node: NodeID
    let servers: [Endpoint]
    var timer = NodeTimer()
    var connections = ConnectionBook()
    private var output: [ReplayClients.Action] = []

    init(name: String, clients: ReplayClients, addresses: [IPAddress], node: NodeID, servers: [Endpoint]) {
        precondition(!servers.isEmpty, "a replay needs a server")
        self.name = name
        self.clients = clients
        self.addresses = addresses
        self.node = node
        self.servers = servers
    }

    mutating func handle(_ input: NodeInput, now: Instant, actions: inout [NodeAction]) {
        output.removeAll(keepingCapacity: true)
        switch input {
        case .started: break
        case .timer(let token):
            guard timer.fired(token) else { return }
            clients.wake(now: now, actions: &output)
        case .datagram(let datagram):
            clients.received(datagram.payload, client: Int(datagram.destination.addressIndex),
                             port: datagram.destination.port, now: now)
        case .tcp(.connected(let connection)):
            if let tag = connections.tag(of: connection) { clients.tcpConnected(tag: tag, actions: &output) }
        case .tcp(.received(let connection, let bytes)):
            if let tag = connections.tag(of: connection) { clients.tcpReceived(bytes, tag: tag, now: now, actions: &output) }
        case .tcp(.closed(let connection, _)):
            if let tag = connections.closed(connection) { clients.tcpClosed(tag: tag) }
        case .tcp(.accepted): break
        }
        for action in output {
            switch action {
            case .sendUDP(let client, let port, let server, let bytes, let at):
                let source = Endpoint(node: node, addressIndex: UInt32(client), port: port)
                actions.append(.sendAt(Datagram(source: source, destination: servers[server % servers.count], payload: bytes),
                                       at: at))
            case .connectTCP(let client, let server, let tag):
                ConnectionBook.connect(client: UInt32(client), to: servers[server % servers.count], tag: tag, node: node, &actions)
            case .sendTCP(let tag, let bytes): connections.send(bytes, tagged: tag, &actions)
            case .closeTCP(let tag): connections.close(tagged: tag, &actions)
            }
        }
        timer.arm(clients.nextDeadline, actions: &actions)
    }

    mutating func assign(_ connection: ConnectionID, tag: UInt64) { connections.opened(connection, tag: tag) }

    /// Replayed clients are outside the provider: they do not crash in our scenarios.
    mutating func restart() {
        timer = NodeTimer()
    }

    /// Simulated addresses for the captured ones: kept, or distinct pseudo-random addresses of the same
    /// family drawn from the run's seed (100.64.0.0/10, 2001:db8:e::/48), the same for every run.
    public static func addresses(for captured: [String], mapping: ReplaySpec.AddressMapping, seed: UInt64,
                          label: String) -> [IPAddress] {
        var random = SeededRandom(seed: seed, label: "replay.addresses." + label)
        var taken: Set<IPAddress> = []
        return captured.map { text in
            let original = IPAddress(text) ?? .v4(IPv4Address(0))
            guard mapping == .anonymise else { return original }
            var address: IPAddress
            repeat {
                switch original {
                case .v4: address = .v4(IPv4Address(0x6440_0000 | UInt32(random.below(1 << 22))))
                case .v6: address = .v6(IPv6Address(high: 0x2001_0db8_000e_0000 | random.below(1 << 16), low: random.next()))
                }
            } while !taken.insert(address).inserted
            return address
        }
    }
}
