import Determinism
import SimNet
import Traffic

/// A population of update clients: the `UpdaterFleet` on a node whose addresses are the fleet's
/// address pool, so a customer's connections come from its current address.
public struct UpdaterNode {
    public private(set) var fleet: UpdaterFleet
    let node: NodeID
    let servers: [Endpoint]
    var timer = NodeTimer()
    var connections = ConnectionBook()
    private var output: [UpdaterFleet.Action] = []

    init(fleet: UpdaterFleet, node: NodeID, servers: [Endpoint]) {
        self.fleet = fleet
        self.node = node
        self.servers = servers
    }

    mutating func handle(_ input: NodeInput, now: Instant, actions: inout [NodeAction]) {
        output.removeAll(keepingCapacity: true)
        switch input {
        case .started: break
        case .timer(let token):
            guard timer.fired(token) else { return }
            fleet.wake(now: now, actions: &output)
        case .tcp(.connected(let connection)):
            if let tag = connections.tag(of: connection) { fleet.tcpConnected(tag: tag, now: now, actions: &output) }
        case .tcp(.received(let connection, let bytes)):
            if let tag = connections.tag(of: connection) { fleet.tcpReceived(bytes, tag: tag, now: now, actions: &output) }
        case .tcp(.closed(let connection, _)):
            if let tag = connections.closed(connection) {
                fleet.tcpClosed(tag: tag, now: now, actions: &output)
            }
        case .tcp(.accepted), .datagram: break
        }
        for action in output {
            switch action {
            case .connectTCP(let client, let server, let tag):
                ConnectionBook.connect(client: client, to: servers[server % servers.count], tag: tag, node: node, &actions)
            case .sendTCP(let tag, let bytes): connections.send(bytes, tagged: tag, &actions)
            case .closeTCP(let tag): connections.close(tagged: tag, &actions)
            }
        }
        timer.arm(fleet.nextDeadline, actions: &actions)
    }

    mutating func assign(_ connection: ConnectionID, tag: UInt64) { connections.opened(connection, tag: tag) }

    /// The routers do not crash in our scenarios; a restart keeps the fleet as it was.
    mutating func restart() {
        timer = NodeTimer()
    }
}
