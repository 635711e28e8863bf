import DNSWire
import DNSZone
import Determinism
import Nameserver
import SimNet
import Storage

/// A secondary nameserver on port 53: the `SecondaryMachine`, its TCP connections, and its own
/// database where it keeps its copies as SLAVE zones (as PowerDNS does). After a crash it restarts
/// from that database alone. It records when each serial of each zone became servable.
public struct SecondaryNode {
    public private(set) var machine: SecondaryMachine<Endpoint>
    let port53: Endpoint
    var config: SecondaryConfig<Endpoint>
    let seed: UInt64
    /// The copies on disk, restored after a crash.
    let store: ZoneStore
    public private(set) var storageFailures = 0
    var timer = NodeTimer()
    var connections = ConnectionBook()
    /// Every completed transfer: zone, serial, instant.
    public private(set) var applied: [(zone: DNSName, serial: UInt32, at: Instant)] = []
    /// Windows in which a zone was past its expire time (answered SERVFAIL); an open one has no end.
    public private(set) var expired: [(zone: DNSName, from: Instant, until: Instant?)] = []
    private var output: [SecondaryAction<Endpoint>] = []

    /// `storedCopies` are written to the database first (a secondary that starts with data); an
    /// empty list is a new secondary that transfers everything.
    init(config: SecondaryConfig<Endpoint>, store: ZoneStore, port53: Endpoint, seed: UInt64, storedCopies: [Zone])
        throws(StorageError)
    {
        for copy in storedCopies { _ = try store.storeZone(copy, kind: .slave, primaries: ["\(config.primary.node)"]) }
        self.config = config
        self.port53 = port53
        self.seed = seed
        self.store = store
        machine = SecondaryMachine(config: config, storedCopies: try store.loadZones().zones.zones,
                                   random: SeededRandom(seed: seed, label: "secondary:\(port53.node)"))
    }

    mutating func handle(_ input: NodeInput, now: Instant, actions: inout [NodeAction]) {
        output.removeAll(keepingCapacity: true)
        switch input {
        case .started: machine.handle(.started, now: now, actions: &output)
        case .datagram(let datagram): machine.handle(.datagramReceived(datagram.payload, from: datagram.source), now: now, actions: &output)
        case .tcp(.connected(let connection)):
            if case .opened(let tag)? = connections.byConnection[connection] {
                machine.handle(.tcpConnected(tag: tag), now: now, actions: &output)
            }
        case .tcp(.accepted(let connection, _, _)): _ = connections.accepted(connection)
        case .tcp(.received(let connection, let bytes)):
            if let name = connections.byConnection[connection] { machine.handle(.tcpReceived(bytes, on: name), now: now, actions: &output) }
        case .tcp(.closed(let connection, _)):
            if let name = connections.forget(connection) { machine.handle(.tcpClosed(name), now: now, actions: &output) }
        case .timer(let token):
            guard timer.fired(token) else { return }
            if let deadline = machine.nextDeadline, deadline <= now { machine.handle(.timerFired, now: now, actions: &output) }
        }
        translate(now: now, actions: &actions)
        // A `persist` action holds the zone: let go of it so the next IXFR changes the copy in place.
        output.removeAll(keepingCapacity: true)
        timer.arm(machine.nextDeadline, actions: &actions)
    }

    private mutating func translate(now: Instant, actions: inout [NodeAction]) {
        for action in output {
            switch action {
            case .sendUDP(let bytes, let to): actions.append(.send(Datagram(source: port53, destination: to, payload: bytes)))
            case .connectTCP(let to, let tag):
                let source = Endpoint(node: port53.node, addressIndex: port53.addressIndex, port: UInt16(40_000 + tag % 20_000))
                actions.append(.tcpConnect(from: source, to: to, tag: tag))
            case .sendTCP(let bytes, let name):
                if let connection = connections.byName[name] { actions.append(.tcpSend(connection, bytes)) }
            case .closeTCP(let name):
                if let connection = connections.byName[name] {
                    _ = connections.forget(connection)
                    actions.append(.tcpClose(connection))
                }
            case .persist(let zone, let diffs):
                persist(zone, diffs: diffs, now: now)
            case .trace(.transferCompleted(let zone, let serial, _, _)): applied.append((zone, serial, now))
            case .trace(.zoneExpired(let zone)): expired.append((zone, now, nil))
            case .trace(.zoneRestored(let zone, _)):
                if let open = expired.lastIndex(where: { $0.zone == zone && $0.until == nil }) { expired[open].until = now }
            case .trace: break
            }
        }
    }

    mutating func assign(_ connection: ConnectionID, tag: UInt64) { connections.opened(connection, tag: tag) }

    /// An IXFR's differences are applied row by row, each with the SOA it brings (so a change costs
    /// what it touches, not the zone's size); an AXFR, or differences the stored copy does not
    /// take, rewrite the whole copy in one transaction.
    private mutating func persist(_ zone: Zone, diffs: [ZoneDiff], now: Instant) {
        var applied = !diffs.isEmpty
        for diff in diffs where applied {
            let edits = diff.removed.map(ZoneChange.Edit.remove) + diff.added.map(ZoneChange.Edit.add)
                + [.replace(RRset(owner: diff.origin, type: .soa, ttl: diff.newSOA.ttl, rdatas: [diff.newSOA.rdata]))]
            do {
                _ = try store.apply(ZoneChange(edits), to: diff.origin, now: now, epoch: 0)
            } catch {
                applied = false
            }
        }
        if applied { return }
        do { _ = try store.storeZone(zone, kind: .slave, primaries: ["\(config.primary.node)"]) } catch {
            storageFailures += 1
        }
    }

    /// Memory lost, disk kept: the machine restarts from the persisted copies.
    mutating func restart() {
        let copies = (try? store.loadZones().zones.zones) ?? []
        machine = SecondaryMachine(config: config, storedCopies: copies,
                                   random: SeededRandom(seed: seed, label: "secondary-restart:\(port53.node)"))
        timer = NodeTimer()
        connections = ConnectionBook()
    }
}
