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
/// Group commit: requests wait up to `groupWindow` (or until `groupMax` have arrived) and are
/// then handled as one group (`WebServer.handle(group:)`): each decided and written at its arrival
/// instant in a savepoint, the group committed in one transaction, and only then are the answers
/// sent. After that this node pushes each committed difference to the primary (`ZoneChangePush`,
/// retried until acknowledged) and asks every balancer to expunge the changed names from its cache
/// (console port, retried likewise). A crash loses the component's memory (rate windows, abuse
/// counters, pending pushes) and the requests waiting for their group: none of them was
/// committed or answered, so their clients time out and send again. The database stays, and the
/// primary's periodic check catches a push that was lost with the memory.
public struct WebNode {
    public private(set) var server: WebServer
    /// Replaced only by a restore (`ClusterHost.replaceDatabase`).
    var store: ZoneStore
    let config: WebServerConfig
    let node: NodeID
    let primary: Endpoint
    let balancers: [Endpoint]
    var addressBook: [[IPAddress]] = []
    var peers: [ConnectionID: Endpoint] = [:]
    var controls: [Control] = []
    var nextID: UInt16 = 1
    var timer = NodeTimer()
    /// Requests waiting for their group commit, in arrival order.
    var waiting: [(request: WebRequest, connection: ConnectionID)] = []
    /// When the waiting group is committed.
    var groupDeadline: Instant?
    /// What the component committed and acknowledged, kept outside its memory: the oracle's record.
    public private(set) var commits: [(zone: DNSName, serial: UInt32, at: Instant)] = []
    public private(set) var acknowledged: [(update: AcknowledgedUpdate, at: Instant)] = []
    public private(set) var rejections: [String: Int] = [:]
    public private(set) var requests = 0
    public private(set) var crashes = 0
    /// Pushes and purges abandoned after every retry (the primary's check still catches pushes).
    public private(set) var controlsAbandoned = 0
    public private(set) var storageFailures = 0
    /// Group commits, and requests lost uncommitted by a crash while waiting for theirs.
    public private(set) var groups = 0
    public private(set) var requestsLostWaiting = 0
    /// `InjectedBug.loseAcknowledgedUpdate`: after the first acknowledged change, put the old
    /// records back behind everyone's back (no push, no purge, no log).
    var losesOneAcknowledgedUpdate = false
    /// `FaultPoint.slowCommit`: each group commit takes up to 500 ms more (nil: off).
    var slowCommits: SeededRandom?

    /// A push or purge waiting for its acknowledgement.
    struct Control {
        var id: UInt16
        var bytes: [UInt8]
        var destination: Endpoint
        var sourcePort: UInt16
        var attempts: Int
        var nextAt: Instant
    }

    public static let pushPort: UInt16 = 5300
    public static let purgePort: UInt16 = 5301
    static let controlRetry = SimDuration.seconds(1)
    /// When the names of a change are purged from the balancers' caches a second time.
    static let purgeAgain = SimDuration.milliseconds(500)
    static let controlAttemptsMax = 10
    /// How long the first request of a group waits for others, and the most a group holds.
    static let groupWindow = SimDuration.milliseconds(2)
    static let groupMax = 64

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
            requests += 1
            waiting.append((WebRequest(bytes: bytes, peer: address(of: peer), arrived: now), connection))
            if waiting.count >= Self.groupMax {
                commitGroup(now: now, actions: &actions)
            } else if groupDeadline == nil {
                let slow = slowCommits?.below(500_000_000) ?? 0
                groupDeadline = now + Self.groupWindow + .nanoseconds(Int64(slow))
            }
        case .tcp(.closed(let connection, _)): peers[connection] = nil
        case .tcp(.connected): break
        case .datagram(let datagram): acknowledge(datagram)
        case .timer(let token):
            guard timer.fired(token) else { return }
            if let deadline = groupDeadline, deadline <= now { commitGroup(now: now, actions: &actions) }
            retransmit(now: now, actions: &actions)
        }
        timer.arm([controls.map(\.nextAt).min(), groupDeadline].compactMap { $0 }.min(), actions: &actions)
    }

    /// Commits the waiting requests as one group, then answers them in order.
    private mutating func commitGroup(now: Instant, actions: inout [NodeAction]) {
        let group = waiting
        waiting = []
        groupDeadline = nil
        guard !group.isEmpty else { return }
        groups += 1
        let outcomes = server.handle(group: group.map(\.request))
        for (outcome, entry) in zip(outcomes, group) {
            answer(outcome, connection: entry.connection, now: now, actions: &actions)
        }
    }

    private mutating func answer(_ outcome: WebOutcome, connection: ConnectionID, now: Instant,
                                 actions: inout [NodeAction]) {
        for reason in outcome.rejections { rejections[reason, default: 0] += 1 }
        for update in outcome.acknowledged { acknowledged.append((update, now)) }
        actions.append(.tcpSend(connection, outcome.response.serialized()))
        actions.append(.tcpClose(connection))
        peers[connection] = nil
        if losesOneAcknowledgedUpdate, let change = outcome.committed.first(where: \.changed), !change.removed.isEmpty {
            losesOneAcknowledgedUpdate = false
            loseQuietly(change, now: now)
            return
        }
        for change in outcome.committed where change.changed {
            commits.append((change.zone, change.newSerial, now))
            let push = ZoneChangePush.make(id: takeID(), diff: change.diff)
            send(push, to: primary, port: Self.pushPort, now: now, actions: &actions)
        }
        if !outcome.purgeNames.isEmpty {
            for balancer in balancers {
                let purge = BalancerNode.purgeRequest(id: takeID(), names: outcome.purgeNames)
                send(purge, to: balancer, port: Self.purgePort, now: now, actions: &actions)
                // A secondary asked between the commit and its transfer answers with the old record,
                // and the balancer caches that answer again: purge once more when every secondary
                // has had time to transfer.
                let again = BalancerNode.purgeRequest(id: takeID(), names: outcome.purgeNames)
                send(again, to: balancer, port: Self.purgePort, now: now, after: Self.purgeAgain, actions: &actions)
            }
        }
    }

    private mutating func takeID() -> UInt16 {
        defer { nextID = nextID == .max ? 1 : nextID + 1 }
        return nextID
    }

    /// Sends `message` now (or `after` from now), retried until acknowledged.
    private mutating func send(_ message: Message, to destination: Endpoint, port: UInt16, now: Instant,
                               after delay: SimDuration? = nil, actions: inout [NodeAction]) {
        guard let bytes = try? message.wire() else {
            controlsAbandoned += 1
            return
        }
        if let delay {
            controls.append(Control(id: message.id, bytes: bytes, destination: destination, sourcePort: port, attempts: 0,
                                    nextAt: now + delay))
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
        requestsLostWaiting += waiting.count
        waiting = []
        groupDeadline = nil
        timer = NodeTimer()
        do {
            server = try WebServer(store: store, config: config)
        } catch {
            storageFailures += 1
        }
    }
}

/// Deliberate bugs a test can switch on to show that a seed sweep finds them. Never on otherwise.
public enum InjectedBug: String, Sendable, CaseIterable {
    /// The web host loses one acknowledged update: right after answering the first accepted change,
    /// it writes the old records back to the database without telling anyone.
    case loseAcknowledgedUpdate = "lose-acknowledged-update"
}

extension WebNode {
    /// `InjectedBug.loseAcknowledgedUpdate`: the change's old RRsets written back directly.
    mutating func loseQuietly(_ change: ChangeResult, now: Instant) {
        var rrsets: [RRset] = []
        for record in change.removed {
            if let index = rrsets.firstIndex(where: { $0.owner == record.name && $0.type == record.type }) {
                _ = rrsets[index].insert(record.rdata)
            } else {
                rrsets.append(RRset(owner: record.name, type: record.type, ttl: record.ttl, rdatas: [record.rdata]))
            }
        }
        _ = try? store.apply(ZoneChange(rrsets.map { .replace($0) }), to: change.zone, now: now,
                             epoch: config.epochSeconds)
    }
}
