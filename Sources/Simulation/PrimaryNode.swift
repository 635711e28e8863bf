import DNSWire
import DNSZone
import Determinism
import Nameserver
import SimNet

/// A primary nameserver on port 53: the `PrimaryMachine` and, for now, the feed of edits committed
/// to its zones. It records every commit (zone, serial, instant) for the replication figures.
public struct PrimaryNode {
    public private(set) var machine: PrimaryMachine<Endpoint>
    let port53: Endpoint
    let initialZones: ZoneSet
    let config: PrimaryConfig<Endpoint>
    let seed: UInt64
    var feed: ZoneEditFeed?
    var timer = NodeTimer()
    var connections = ConnectionBook()
    /// Every change committed, in order: zone, serial, instant.
    public private(set) var commits: [(zone: DNSName, serial: UInt32, at: Instant)] = []
    private var output: [PrimaryAction<Endpoint>] = []

    init(zones: ZoneSet, config: PrimaryConfig<Endpoint>, port53: Endpoint, seed: UInt64, feed: ZoneEditFeed?) {
        self.initialZones = zones
        self.config = config
        self.port53 = port53
        self.seed = seed
        self.feed = feed
        machine = PrimaryMachine(zones: zones, config: config, random: SeededRandom(seed: seed, label: "primary:\(port53.node)"))
    }

    mutating func handle(_ input: NodeInput, now: Instant, actions: inout [NodeAction]) {
        output.removeAll(keepingCapacity: true)
        switch input {
        case .started: machine.handle(.started, now: now, actions: &output)
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
            if var edits = feed, !edits.isDone, edits.nextAt <= now {
                commitEdits(&edits, now: now)
                feed = edits
            }
            if let deadline = machine.nextDeadline, deadline <= now { machine.handle(.timerFired, now: now, actions: &output) }
        }
        translate(now: now, actions: &actions)
        timer.arm(earliest(machine.nextDeadline, feed.flatMap { $0.isDone ? nil : $0.nextAt }), actions: &actions)
    }

    private mutating func commitEdits(_ edits: inout ZoneEditFeed, now: Instant) {
        while !edits.isDone && edits.nextAt <= now {
            guard let zone = machine.server.zones.zones.first, let (next, diff) = edits.nextEdit(of: zone) else { continue }
            machine.handle(.zoneChanged(origin: zone.origin, newZone: next, diff: diff), now: now, actions: &output)
        }
    }

    private mutating func translate(now: Instant, actions: inout [NodeAction]) {
        for action in output {
            switch action {
            case .sendUDP(let bytes, let to): actions.append(.send(Datagram(source: port53, destination: to, payload: bytes)))
            case .sendTCP(let bytes, let name):
                if let connection = connections.byName[name] { actions.append(.tcpSend(connection, bytes)) }
            case .trace(.zoneCommitted(let zone, let serial, _)): commits.append((zone, serial, now))
            case .trace: break
            }
        }
    }

    /// Memory lost: the machine restarts from its "disk" (the zones as last committed).
    mutating func restart() {
        let zones = machine.server.zones
        machine = PrimaryMachine(zones: zones, config: config, random: SeededRandom(seed: seed, label: "primary-restart:\(port53.node)"))
        timer = NodeTimer()
        connections = ConnectionBook()
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
