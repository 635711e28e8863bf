import DNSWire
import DNSZone
import Determinism
import HTTPWire
import Nameserver
import SimNet
import Storage
import WebServer

/// The web server's host: `WebServer` over the database it shares with the primary, behind the
/// TCP model (one HTTP request per received message).
///
/// For each request the component decides and commits (records, SOA serial and log row in one
/// transaction) before the answer is built; then this node sends the answer, pushes each
/// committed difference to the primary (`ZoneChangePush`, retried until acknowledged) and asks
/// every balancer to expunge the changed names from its cache (console port, retried likewise).
/// A crash loses the component's memory (rate windows, abuse counters, pending pushes); the
/// database stays, and the primary's periodic check catches a push that was lost with it.
public struct WebNode {
    public private(set) var server: WebServer
    let store: ZoneStore
    let config: WebServerConfig
    let node: NodeID
    let primary: Endpoint
    let balancers: [Endpoint]
    var addressBook: [[IPAddress]] = []
    var peers: [ConnectionID: Endpoint] = [:]
    var controls: [Control] = []
    var nextID: UInt16 = 1
    var timer = NodeTimer()
    /// What the component committed and acknowledged, kept outside its memory: the oracle's record.
    public private(set) var commits: [(zone: DNSName, serial: UInt32, at: Instant)] = []
    public private(set) var acknowledged: [(update: AcknowledgedUpdate, at: Instant)] = []
    public private(set) var rejections: [String: Int] = [:]
    public private(set) var requests = 0
    public private(set) var crashes = 0
    /// Pushes and purges abandoned after every retry (the primary's check still catches pushes).
    public private(set) var controlsAbandoned = 0
    public private(set) var storageFailures = 0

    /// A push or purge waiting for its acknowledgement.
    struct Control {
        var id: UInt16
        var bytes: [UInt8]
        var destination: Endpoint
        var sourcePort: UInt16
        var attempts: Int
        var nextAt: Instant
    }

    static let pushPort: UInt16 = 5300
    static let purgePort: UInt16 = 5301
    static let controlRetry = SimDuration.seconds(1)
    static let controlAttemptsMax = 10

    init(store: ZoneStore, config: WebServerConfig, node: NodeID, primary: Endpoint, balancers: [Endpoint]) throws(StorageError) {
        self.store = store
        self.config = config
        self.node = node
        self.primary = primary
        self.balancers = balancers
        server = try WebServer(store: store, config: config)
    }

    func address(of endpoint: Endpoint) -> IPAddress {
        let addresses = addressBook[Int(endpoint.node.index)]
        return addresses[Int(endpoint.addressIndex) % addresses.count]
    }

    mutating func handle(_ input: NodeInput, now: Instant, actions: inout [NodeAction]) {
        switch input {
        case .started: break
        case .tcp(.accepted(let connection, let peer, _)): peers[connection] = peer
        case .tcp(.received(let connection, let bytes)):
            guard let peer = peers[connection] else { break }
            serve(bytes, peer: peer, connection: connection, now: now, actions: &actions)
        case .tcp(.closed(let connection, _)): peers[connection] = nil
        case .tcp(.connected): break
        case .datagram(let datagram): acknowledge(datagram)
        case .timer(let token):
            guard timer.fired(token) else { return }
            retransmit(now: now, actions: &actions)
        }
        timer.arm(controls.map(\.nextAt).min(), actions: &actions)
    }

    private mutating func serve(_ bytes: [UInt8], peer: Endpoint, connection: ConnectionID, now: Instant,
                                actions: inout [NodeAction]) {
        requests += 1
        let outcome = server.handle(requestBytes: bytes, peer: address(of: peer), now: now)
        for reason in outcome.rejections { rejections[reason, default: 0] += 1 }
        for update in outcome.acknowledged { acknowledged.append((update, now)) }
        actions.append(.tcpSend(connection, outcome.response.serialized()))
        actions.append(.tcpClose(connection))
        peers[connection] = nil
        for change in outcome.committed where change.changed {
            commits.append((change.zone, change.newSerial, now))
            let push = ZoneChangePush.make(id: takeID(), diff: change.diff)
            send(push, to: primary, port: Self.pushPort, now: now, actions: &actions)
        }
        if !outcome.purgeNames.isEmpty {
            for balancer in balancers {
                let purge = BalancerNode.purgeRequest(id: takeID(), names: outcome.purgeNames)
                send(purge, to: balancer, port: Self.purgePort, now: now, actions: &actions)
            }
        }
    }

    private mutating func takeID() -> UInt16 {
        defer { nextID = nextID == .max ? 1 : nextID + 1 }
        return nextID
    }

    private mutating func send(_ message: Message, to destination: Endpoint, port: UInt16, now: Instant,
                               actions: inout [NodeAction]) {
        guard let bytes = try? message.wire() else {
            controlsAbandoned += 1
            return
        }
        let control = Control(id: message.id, bytes: bytes, destination: destination, sourcePort: port, attempts: 1,
                              nextAt: now + Self.controlRetry)
        controls.append(control)
        actions.append(.send(Datagram(source: Endpoint(node: node, port: port), destination: destination, payload: bytes)))
    }

    /// An acknowledgement of a push or purge: same ID, from the destination.
    private mutating func acknowledge(_ datagram: Datagram) {
        guard datagram.payload.count >= 12, datagram.payload[2] & 0x80 != 0 else { return }
        let id = UInt16(datagram.payload[0]) << 8 | UInt16(datagram.payload[1])
        controls.removeAll { $0.id == id && $0.destination.node == datagram.source.node && $0.sourcePort == datagram.destination.port }
    }

    private mutating func retransmit(now: Instant, actions: inout [NodeAction]) {
        var kept: [Control] = []
        for var control in controls {
            guard control.nextAt <= now else {
                kept.append(control)
                continue
            }
            guard control.attempts < Self.controlAttemptsMax else {
                controlsAbandoned += 1
                continue
            }
            control.attempts += 1
            control.nextAt = now + Self.controlRetry
            actions.append(.send(Datagram(source: Endpoint(node: node, port: control.sourcePort),
                                          destination: control.destination, payload: control.bytes)))
            kept.append(control)
        }
        controls = kept
    }

    /// Memory lost, disk kept: a new component over the same database.
    mutating func restart() {
        crashes += 1
        peers = [:]
        controls = []
        timer = NodeTimer()
        do {
            server = try WebServer(store: store, config: config)
        } catch {
            storageFailures += 1
        }
    }
}
