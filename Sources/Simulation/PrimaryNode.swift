import DNSWire
import DNSZone
import Determinism
import Nameserver
import SimNet
import Storage

/// A primary nameserver on port 53: the `PrimaryMachine` over its database (PowerDNS's schema; the
/// node's "disk"), and the feeds of edits committed to its zones. Zones are loaded from the
/// database at start and after a crash; every edit goes through `ZoneStore.apply`, whose diff the
/// machine gets. It records every commit (zone, serial, instant) for the replication figures.
public struct PrimaryNode {
    public internal(set) var machine: PrimaryMachine<Endpoint>
    let port53: Endpoint
    var config: PrimaryConfig<Endpoint>
    let seed: UInt64
    /// Replaced only by a restore (`ClusterHost.replaceDatabase`).
    var store: ZoneStore
    /// Seconds since 1970 at virtual time zero, for date-based serials.
    let epochSeconds: Int64
    var feeds: [ZoneEditFeed]
    public internal(set) var storageFailures = 0
    var timer = NodeTimer()
    var connections = ConnectionBook()
    /// Every change committed, in order: zone, serial, instant.
    /// `FaultPoint.dropNotify`: drops each NOTIFY with probability 1/2 (nil: off).
    var notifyDrops: SeededRandom?
    /// NOTIFY messages the fault point dropped.
    public private(set) var notifiesDropped = 0
    public private(set) var commits: [(zone: DNSName, serial: UInt32, at: Instant)] = []
    /// The web servers whose UPDATE pushes (`ZoneChangePush`) this primary takes: they commit to
    /// the same database and tell the primary what changed.
    var pushSources: [NodeID] = []
    /// How often the primary compares its zones' serials with the database, to catch commits
    /// whose push never arrived (PowerDNS checks its zones every `xfr-cycle-interval`).
    var reconcileInterval = SimDuration.seconds(10)
    var nextReconcile: Instant?
    /// Pushes applied, and zones reloaded from the database (a push out of order or a missed one).
    public internal(set) var pushesApplied = 0
    public internal(set) var zonesReloaded = 0
    /// Datagrams from a web server that were not a push this primary could read.
    public internal(set) var pushesRejected = 0
    var output: [PrimaryAction<Endpoint>] = []

    /// Writes `zones` to the database as MASTER zones and loads them back: the primary serves what
    /// its database holds.
    init(zones: ZoneSet, store: ZoneStore, config: PrimaryConfig<Endpoint>, port53: Endpoint, seed: UInt64,
         epochSeconds: Int64, feeds: [ZoneEditFeed], storeZones: Bool = true) throws(StorageError) {
        if storeZones { for zone in zones.zones { _ = try store.storeZone(zone, kind: .master) } }
        self.store = store
        self.config = config
        self.port53 = port53
        self.seed = seed
        self.epochSeconds = epochSeconds
        self.feeds = feeds
        machine = PrimaryMachine(zones: try store.loadZones().zones, config: config,
                                 random: SeededRandom(seed: seed, label: "primary:\(port53.node)"))
    }

    /// Every zone the primary serves has the serial its database holds: a copy of the database
    /// is what the primary serves.
    var databaseMatchesServed: Bool {
        machine.server.zones.zones.allSatisfy { zone in (try? store.serial(of: zone.origin)) == zone.soa?.serial }
    }

    mutating func handle(_ input: NodeInput, now: Instant, actions: inout [NodeAction]) {
        output.removeAll(keepingCapacity: true)
        switch input {
        case .started:
            machine.handle(.started, now: now, actions: &output)
            if !pushSources.isEmpty { nextReconcile = now + reconcileInterval }
        case .datagram(let datagram) where Self.isUpdate(datagram.payload) && pushSources.contains(datagram.source.node):
            receivedPush(datagram, now: now, actions: &actions)
        case .datagram(let datagram): machine.handle(.datagramReceived(datagram.payload, from: datagram.source), now: now, actions: &output)
        case .tcp(.accepted(let connection, _, _)): _ = connections.accepted(connection)
        case .tcp(.received(let connection, let bytes)):
            if let name = connections.byConnection[connection] {
                machine.handle(.tcpReceived(bytes, on: name), now: now, actions: &output)
            }
        case .tcp(.closed(let connection, _)): _ = connections.forget(connection)
        case .tcp(.connected): break
        case .timer(let token):
            guard timer.fired(token) else { return }
            for index in feeds.indices { commitDue(feed: index, now: now) }
            if let due = nextReconcile, due <= now {
                reconcile(now: now)
                nextReconcile = now + reconcileInterval
            }
            if let deadline = machine.nextDeadline, deadline <= now { machine.handle(.timerFired, now: now, actions: &output) }
        }
        translate(now: now, actions: &actions)
        let nextEdit = feeds.filter { !$0.isDone }.map(\.nextAt).min()
        timer.arm(earliest(earliest(machine.nextDeadline, nextEdit), nextReconcile), actions: &actions)
    }

    /// Commits the due edits of one feed through the database and tells the machine.
    private mutating func commitDue(feed index: Int, now: Instant) {
        while !feeds[index].isDone && feeds[index].nextAt <= now {
            let origin = feeds[index].origin
            guard let change = feeds[index].nextChange(), let zone = machine.server.zones.zone(named: origin) else { continue }
            do {
                let result = try store.apply(change, to: origin, now: now, epoch: epochSeconds)
                guard result.changed else { continue }
                let next = try result.diff.applied(to: zone)
                machine.handle(.zoneChanged(origin: origin, newZone: next, diff: result.diff), now: now, actions: &output)
            } catch {
                storageFailures += 1
            }
        }
    }

    private mutating func translate(now: Instant, actions: inout [NodeAction]) {
        for action in output {
            switch action {
            case .sendUDP(let bytes, let to):
                if bytes.count > 2, bytes[2] & 0xF8 == 0x20, notifyDrops?.below(2) == 0 {  // QR 0, opcode NOTIFY
                    notifiesDropped += 1
                    continue
                }
                actions.append(.send(Datagram(source: port53, destination: to, payload: bytes)))
            case .sendTCP(let bytes, let name):
                if let connection = connections.byName[name] { actions.append(.tcpSend(connection, bytes)) }
            case .trace(.zoneCommitted(let zone, let serial, _)): commits.append((zone, serial, now))
            case .trace: break
            }
        }
    }

    /// Memory lost, disk kept: the machine restarts from its database alone.
    mutating func restart() {
        let zones = (try? store.loadZones().zones) ?? ZoneSet()
        if zones.zones.isEmpty { storageFailures += 1 }
        machine = PrimaryMachine(zones: zones, config: config, random: SeededRandom(seed: seed, label: "primary-restart:\(port53.node)"))
        timer = NodeTimer()
        connections = ConnectionBook()
        nextReconcile = nil
    }
}

func earliest(_ a: Instant?, _ b: Instant?) -> Instant? {
    switch (a, b) {
    case (let x?, let y?): min(x, y)
    case (let x?, nil): x
    case (nil, let y?): y
    case (nil, nil): nil
    }
}
