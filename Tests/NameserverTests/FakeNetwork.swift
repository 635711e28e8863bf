import DNSWire
import DNSZone
import Determinism
import Nameserver
import Testing

/// A tiny deterministic host for one primary and its secondaries: every action becomes an event
/// for the other side after `delay`, timers fire at each machine's `nextDeadline`, ties go to
/// insertion order. Partitions, a down primary and a UDP filter stand in for faults. TCP is one
/// message per delivery, in order, with a connect taking one round trip (refused after
/// `connectFailure` when the primary cannot be reached).
struct FakeNetwork {
    var primary: Primary
    var secondaries: [Secondary?]
    var now = Instant.zero
    var delay = SimDuration.milliseconds(1)
    var connectFailure = SimDuration.seconds(3)
    /// Secondaries cut off from the primary (both directions, UDP and TCP).
    var partitioned: Set<Int> = []
    /// Drops a datagram when it returns true.
    var dropDatagram: (_ from: TestAddress, _ to: TestAddress, _ message: Message) -> Bool = { _, _, _ in false }

    private var queue: [(at: Instant, sequence: Int, delivery: Delivery)] = []
    private var sequence = 0
    private var nextAccepted: UInt64 = 1
    private var acceptedByOpened: [Int: [UInt64: UInt64]] = [:]
    private var openedByAccepted: [UInt64: (secondary: Int, tag: UInt64)] = [:]

    private(set) var primaryTraces: [(Instant, PrimaryTrace<TestAddress>)] = []
    private(set) var secondaryTraces: [[(Instant, SecondaryTrace<TestAddress>)]]
    private(set) var persisted: [[(Instant, Zone, [ZoneDiff])]]
    private(set) var datagramsToPrimary = 0

    enum Delivery {
        case primary(PrimaryEvent<TestAddress>)
        case secondary(Int, SecondaryEvent<TestAddress>)
    }

    init(primaryZone: Zone, primaryConfig: PrimaryConfig<TestAddress>, secondaries count: Int,
         secondaryConfig: SecondaryConfig<TestAddress>, secondaryCopies: [Zone] = []) {
        primary = Primary(zones: (try? ZoneSet([primaryZone])) ?? ZoneSet(), config: primaryConfig,
                          random: SeededRandom(seed: 1, label: "primary"))
        secondaries = (0..<count).map {
            Secondary(config: secondaryConfig, storedCopies: secondaryCopies, random: SeededRandom(seed: 1, label: "secondary\($0)"))
        }
        secondaryTraces = Array(repeating: [], count: count)
        persisted = Array(repeating: [], count: count)
        start()
    }

    /// Sends `started` to every machine.
    mutating func start() {
        deliverNow(.primary(.started))
        for index in secondaries.indices where secondaries[index] != nil { deliverNow(.secondary(index, .started)) }
    }

    /// A new secondary joins (no copy unless given) and the primary is told about it.
    mutating func join(config: SecondaryConfig<TestAddress>, copies: [Zone] = []) -> Int {
        let index = secondaries.count
        secondaries.append(Secondary(config: config, storedCopies: copies, random: SeededRandom(seed: 1, label: "secondary\(index)")))
        secondaryTraces.append([])
        persisted.append([])
        deliverNow(.primary(.secondaryAdded(.secondary(index))))
        deliverNow(.secondary(index, .started))
        return index
    }

    /// Commits a change on the primary now.
    mutating func commit(_ zone: Zone, diff: ZoneDiff? = nil) {
        deliverNow(.primary(.zoneChanged(origin: zone.origin, newZone: zone, diff: diff)))
    }

    /// A client query to secondary `index` over UDP, answered at once.
    mutating func ask(_ index: Int, _ qname: String, _ type: RRType) -> Message {
        guard var secondary = secondaries[index] else { fatalError("no secondary \(index)") }
        let actions = secondary.handle(.datagramReceived(queryBytes(qname, type), from: .client(0)), now: now)
        secondaries[index] = secondary
        guard let response = udpSent(actions, to: .client(0)).first else {
            Issue.record("no answer from secondary \(index)")
            return Message()
        }
        return response
    }

    /// Runs until `end` (inclusive).
    mutating func run(until end: Instant) {
        var steps = 0
        while let next = nextInstant(), next <= end {
            steps += 1
            guard steps < 1_000_000 else {
                Issue.record("the fake network did not settle by \(now)")
                return
            }
            now = next
            if let head = queue.indices.min(by: { (queue[$0].at, queue[$0].sequence) < (queue[$1].at, queue[$1].sequence) }),
                queue[head].at <= now
            {
                let delivery = queue.remove(at: head).delivery
                deliverNow(delivery)
                continue
            }
            if let due = primary.nextDeadline, due <= now { deliverNow(.primary(.timerFired)) }
            for index in secondaries.indices {
                if let due = secondaries[index]?.nextDeadline, due <= now { deliverNow(.secondary(index, .timerFired)) }
            }
        }
        now = max(now, end)
    }

    /// Runs for `duration` more.
    mutating func run(for duration: SimDuration) { run(until: now + duration) }

    private func nextInstant() -> Instant? {
        var candidates = queue.map(\.at)
        if let due = primary.nextDeadline { candidates.append(due) }
        for secondary in secondaries { if let due = secondary?.nextDeadline { candidates.append(due) } }
        return candidates.min().map { max($0, now) }
    }

    private mutating func enqueue(_ delivery: Delivery, after wait: SimDuration) {
        sequence += 1
        queue.append((now + wait, sequence, delivery))
    }

    private func reachable(_ index: Int) -> Bool { !partitioned.contains(index) && secondaries[index] != nil }

    mutating func deliverNow(_ delivery: Delivery) {
        switch delivery {
        case .primary(let event):
            if case .datagramReceived = event { datagramsToPrimary += 1 }
            let actions = primary.handle(event, now: now)
            route(actions)
        case .secondary(let index, let event):
            guard var secondary = secondaries[index] else { return }
            let actions = secondary.handle(event, now: now)
            secondaries[index] = secondary
            route(actions, from: index)
        }
    }

    private mutating func route(_ actions: [PrimaryAction<TestAddress>]) {
        for action in actions {
            switch action {
            case .trace(let trace): primaryTraces.append((now, trace))
            case .sendUDP(let bytes, .secondary(let index)):
                guard reachable(index), !dropDatagram(.primary, .secondary(index), decode(bytes)) else { continue }
                enqueue(.secondary(index, .datagramReceived(bytes, from: .primary)), after: delay)
            case .sendUDP: break
            case .sendTCP(let bytes, .accepted(let number)):
                guard let (index, tag) = openedByAccepted[number], reachable(index) else { continue }
                enqueue(.secondary(index, .tcpReceived(bytes, on: .opened(tag))), after: delay)
            case .sendTCP: break
            }
        }
    }

    private mutating func route(_ actions: [SecondaryAction<TestAddress>], from index: Int) {
        for action in actions {
            switch action {
            case .trace(let trace): secondaryTraces[index].append((now, trace))
            case .persist(let zone, let diffs): persisted[index].append((now, zone, diffs))
            case .sendUDP(let bytes, .primary):
                guard reachable(index), !dropDatagram(.secondary(index), .primary, decode(bytes)) else { continue }
                enqueue(.primary(.datagramReceived(bytes, from: .secondary(index))), after: delay)
            case .sendUDP: break
            case .connectTCP(_, let tag):
                guard reachable(index) else {
                    enqueue(.secondary(index, .tcpClosed(.opened(tag))), after: connectFailure)
                    continue
                }
                let number = nextAccepted
                nextAccepted += 1
                acceptedByOpened[index, default: [:]][tag] = number
                openedByAccepted[number] = (index, tag)
                enqueue(.secondary(index, .tcpConnected(tag: tag)), after: delay * 2)
            case .sendTCP(let bytes, .opened(let tag)):
                guard reachable(index), let number = acceptedByOpened[index]?[tag] else { continue }
                enqueue(.primary(.tcpReceived(bytes, on: .accepted(number))), after: delay)
            case .sendTCP: break
            case .closeTCP(.opened(let tag)):
                if let number = acceptedByOpened[index]?.removeValue(forKey: tag) { openedByAccepted[number] = nil }
            case .closeTCP: break
            }
        }
    }

    /// Instants at which secondary `index` completed transfers, with their serial and style.
    func transfers(_ index: Int) -> [(at: Instant, serial: UInt32, style: TransferStyle)] {
        secondaryTraces[index].compactMap {
            if case .transferCompleted(_, let serial, let style, _) = $0.1 { return ($0.0, serial, style) }
            return nil
        }
    }

    func copy(_ index: Int) -> Zone? { secondaries[index]?.copy(of: origin) }
    var primaryZone: Zone? { primary.server.zones.zone(named: origin) }
}
