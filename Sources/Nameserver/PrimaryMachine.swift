import DNSWire
import DNSZone
import Determinism

/// When a primary tells its secondaries about a change.
public enum NotifyPolicy: Hashable, Sendable {
    /// NOTIFY (RFC 1996) right after every committed change.
    case onCommit
    /// PowerDNS's communicator loop: every `interval` (`xfr-cycle-interval`, default 60 s) the zones
    /// whose serial differs from the last notified one get a NOTIFY, so a change waits for the
    /// next tick.
    case periodic(interval: SimDuration)
    /// No NOTIFY at all: secondaries find changes only by polling (their refresh timer).
    case never

    /// PowerDNS's default behaviour: a check every 60 s.
    public static let powerDNSDefault = NotifyPolicy.periodic(interval: .seconds(60))
}

/// NOTIFY retransmission (RFC 1996 §3.6 leaves interval and count to the operator).
///
/// The defaults are PowerDNS's notification queue: up to 5 sends, the next one 1 + 2^n seconds
/// after the n-th (3 s, 5 s, 9 s, 17 s), matched by responder host, ID and zone.
public struct NotifyRetryPolicy: Hashable, Sendable {
    /// Sends in all, the first included.
    public var attemptsMax: Int
    /// The constant part of the wait after a send.
    public var base: SimDuration
    /// The doubling part: the wait after the n-th send is `base + unit × 2^n`.
    public var unit: SimDuration

    public init(attemptsMax: Int = 5, base: SimDuration = .seconds(1), unit: SimDuration = .seconds(1)) {
        precondition((1...16).contains(attemptsMax), "1 ... 16 NOTIFY sends")
        precondition(base >= .zero && unit >= .zero && base + unit > .zero, "NOTIFY retries need a positive wait")
        self.attemptsMax = attemptsMax
        self.base = base
        self.unit = unit
    }

    /// The wait after the `attempt`-th send (1-based).
    public func delay(afterAttempt attempt: Int) -> SimDuration { base + unit * Int64(1 << attempt) }
}

/// Configuration of a primary.
public struct PrimaryConfig<Address: PeerAddress>: Sendable {
    /// Secondaries to NOTIFY (their port-53 addresses), in order.
    public var secondaries: [Address]
    public var notify: NotifyPolicy
    public var notifyRetry: NotifyRetryPolicy
    /// NOTIFY every zone to every secondary when (re)started, as BIND does on load: a change
    /// committed just before a crash is announced after the restart.
    public var notifyOnStart: Bool
    /// How AXFR and IXFR are answered.
    public var transfer: TransferPolicy
    /// Bounds of each zone's journal.
    public var journalDiffCountMax: Int
    public var journalRecordCountMax: Int

    public init(
        secondaries: [Address], notify: NotifyPolicy = .onCommit, notifyRetry: NotifyRetryPolicy = NotifyRetryPolicy(),
        notifyOnStart: Bool = true, transfer: TransferPolicy = TransferPolicy(), journalDiffCountMax: Int = 100,
        journalRecordCountMax: Int = 100_000
    ) {
        if case .periodic(let interval) = notify { precondition(interval > .zero, "the notify cycle needs a positive interval") }
        self.secondaries = secondaries
        self.notify = notify
        self.notifyRetry = notifyRetry
        self.notifyOnStart = notifyOnStart
        self.transfer = transfer
        self.journalDiffCountMax = journalDiffCountMax
        self.journalRecordCountMax = journalRecordCountMax
    }
}

/// What a primary's host feeds it.
public enum PrimaryEvent<Address: PeerAddress>: Sendable {
    /// The node (re)started: arm the timers, NOTIFY if configured.
    case started
    /// A datagram arrived on port 53 from `from`.
    case datagramReceived([UInt8], from: Address)
    /// One DNS message arrived on a TCP connection a peer opened to us.
    case tcpReceived([UInt8], on: TCPConnection)
    /// The single timer the host armed at `nextDeadline` fired.
    case timerFired
    /// A change to `origin` was committed; `newZone` is the zone now. `diff` is the change when the
    /// committer knows it (else the machine computes it from the old copy).
    case zoneChanged(origin: DNSName, newZone: Zone, diff: ZoneDiff?)
    /// A secondary joined (its port-53 address); it is notified of later changes.
    case secondaryAdded(Address)
    /// A secondary left; its pending NOTIFYs are dropped.
    case secondaryRemoved(Address)
    /// An operator asked for a NOTIFY now (`pdns_control notify`, the API's `/notify`).
    case notifyRequested(origin: DNSName)
}

/// What a primary asks its host to do.
public enum PrimaryAction<Address: PeerAddress>: Sendable, Equatable {
    /// Send a datagram from port 53 to `to`.
    case sendUDP([UInt8], to: Address)
    /// Send one DNS message on a connection (the host adds the length prefix if its transport
    /// needs one).
    case sendTCP([UInt8], on: TCPConnection)
    case trace(PrimaryTrace<Address>)
}

/// What a primary did, for the run's trace and replication figures.
public enum PrimaryTrace<Address: PeerAddress>: Hashable, Sendable {
    case zoneCommitted(zone: DNSName, serial: UInt32, journal: JournalNote)
    /// The serial did not move forward: secondaries will not see this change (PowerDNS #1819).
    case serialNotIncreased(zone: DNSName, old: UInt32, new: UInt32)
    case notifySent(zone: DNSName, serial: UInt32, to: Address, attempt: Int)
    case notifyAcknowledged(zone: DNSName, by: Address, rcode: RCode)
    case notifyAbandoned(zone: DNSName, to: Address, attempts: Int)
    case notifyResponseUnmatched(from: Address, id: UInt16)
    /// A transfer answered; `style` nil with an error `rcode`.
    case transferServed(zone: DNSName, type: RRType, style: TransferStyle?, rcode: RCode, records: Int, messages: Int)
}

/// What happened to a zone's journal on a commit.
public enum JournalNote: String, Hashable, Sendable {
    /// The diff was appended.
    case appended
    /// The diff did not continue the history (or none could be made): the journal restarted.
    case restarted
    /// A new zone: nothing to diff against.
    case newZone = "new-zone"
}

/// The primary timers, fired in declaration order when due (STYLE.md §2).
public enum PrimaryTimer: Int, CaseIterable, Sendable {
    /// The earliest pending NOTIFY retransmission (or give-up).
    case notifyRetry
    /// The next tick of the periodic NOTIFY check.
    case notifyCycle
}

/// A primary nameserver: answers queries and transfers, and NOTIFYs its secondaries (sans-IO).
///
/// Theory of operation. Queries over UDP and TCP go through `AuthoritativeServer` (packet cache
/// included, emptied on every change). AXFR and IXFR over TCP are answered by
/// `ZoneTransferResponder` from the zone and its `ZoneJournal` (RFC 5936, RFC 1995; IXFR over UDP
/// gets the SOA alone when the answer does not fit, RFC 1995 §2). A committed change
/// (`zoneChanged`) replaces the zone, appends its diff to the journal and, with
/// `NotifyPolicy.onCommit`, queues a NOTIFY (RFC 1996) per secondary; with `.periodic` the
/// `notifyCycle` timer does so for zones whose serial moved since the last tick. Each queued
/// NOTIFY is sent at once and resent on `NotifyRetryPolicy` until a response from that host with
/// its ID and zone arrives, or the sends run out. A newer NOTIFY for the same zone and secondary
/// replaces an older one. Timers: `PrimaryTimer`; the host arms one timer at `nextDeadline`.
public struct PrimaryMachine<Address: PeerAddress>: Sendable {
    public internal(set) var config: PrimaryConfig<Address>
    /// The query path and the zones served.
    public internal(set) var server: AuthoritativeServer
    var zoneStates: [PrimaryZoneState] = []
    var pendingNotifies: [PendingNotify<Address>] = []
    var timers: [Instant?] = Array(repeating: nil, count: PrimaryTimer.allCases.count)
    var random: SeededRandom
    public internal(set) var stats = PrimaryStats()

    struct PrimaryZoneState: Sendable {
        let origin: DNSName
        var journal: ZoneJournal
        /// The serial last announced (or, at start, loaded): the periodic check compares with it.
        var notifiedSerial: UInt32?
    }

    struct PendingNotify<A: PeerAddress>: Sendable {
        var zone: DNSName
        var serial: UInt32
        var to: A
        var id: UInt16
        var attempts: Int
        var next: Instant
    }

    /// A primary serving `zones`. `random` supplies NOTIFY IDs (derive it from the run seed and a
    /// label naming this node).
    public init(
        zones: ZoneSet, config: PrimaryConfig<Address>, random: SeededRandom, options: LookupOptions = LookupOptions(),
        cache: PacketCache = PacketCache()
    ) {
        self.config = config
        self.server = AuthoritativeServer(zones: zones, options: options, cache: cache)
        self.random = random
        for zone in zones.zones {
            zoneStates.append(PrimaryZoneState(origin: zone.origin, journal: makeJournal(zone.origin), notifiedSerial: zone.soa?.serial))
        }
    }

    func makeJournal(_ origin: DNSName) -> ZoneJournal {
        ZoneJournal(origin: origin, diffCountMax: config.journalDiffCountMax, recordCountMax: config.journalRecordCountMax)
    }

    /// The journal of `origin`, for inspection.
    public func journal(for origin: DNSName) -> ZoneJournal? { zoneStates.first { $0.origin == origin }?.journal }

    /// The earliest armed timer.
    public var nextDeadline: Instant? {
        var earliest: Instant?
        for case let due? in timers where earliest.map({ due < $0 }) ?? true { earliest = due }
        return earliest
    }

    /// Handles one event at `now` and returns what to do.
    public mutating func handle(_ event: PrimaryEvent<Address>, now: Instant) -> [PrimaryAction<Address>] {
        var actions: [PrimaryAction<Address>] = []
        handle(event, now: now, actions: &actions)
        return actions
    }

    /// Handles one event at `now`, appending to `actions` (a buffer the host reuses).
    public mutating func handle(_ event: PrimaryEvent<Address>, now: Instant, actions: inout [PrimaryAction<Address>]) {
        switch event {
        case .started: start(now: now, actions: &actions)
        case .datagramReceived(let bytes, let from): datagram(bytes, from: from, now: now, actions: &actions)
        case .tcpReceived(let bytes, let connection): tcpMessage(bytes, on: connection, now: now, actions: &actions)
        case .timerFired: fireTimers(now: now, actions: &actions)
        case .zoneChanged(let origin, let zone, let diff): commit(origin, zone: zone, diff: diff, now: now, actions: &actions)
        case .secondaryAdded(let address):
            if !config.secondaries.contains(address) { config.secondaries.append(address) }
        case .secondaryRemoved(let address):
            config.secondaries.removeAll { $0 == address }
            pendingNotifies.removeAll { $0.to == address }
            rearmNotifyRetry()
        case .notifyRequested(let origin):
            if let serial = server.zones.zone(named: origin)?.soa?.serial {
                queueNotify(origin, serial: serial, now: now, actions: &actions)
            }
        }
    }

    private mutating func start(now: Instant, actions: inout [PrimaryAction<Address>]) {
        pendingNotifies = []
        timers = Array(repeating: nil, count: PrimaryTimer.allCases.count)
        if case .periodic(let interval) = config.notify { timers[PrimaryTimer.notifyCycle.rawValue] = now + interval }
        guard config.notifyOnStart, config.notify != .never else { return }
        for zone in server.zones.zones {
            guard let serial = zone.soa?.serial else { continue }
            queueNotify(zone.origin, serial: serial, now: now, actions: &actions)
        }
    }

    private mutating func fireTimers(now: Instant, actions: inout [PrimaryAction<Address>]) {
        for timer in PrimaryTimer.allCases {
            guard let due = timers[timer.rawValue], due <= now else { continue }
            timers[timer.rawValue] = nil
            switch timer {
            case .notifyRetry: sendDueNotifies(now: now, actions: &actions)
            case .notifyCycle: notifyCycle(now: now, actions: &actions)
            }
        }
    }
}

/// Counters of a primary.
public struct PrimaryStats: Hashable, Sendable {
    public var commits: UInt64 = 0
    public var notifiesSent: UInt64 = 0
    public var notifiesAcknowledged: UInt64 = 0
    public var notifiesAbandoned: UInt64 = 0
    public var transfersServed: UInt64 = 0
    public var transferRecordsSent: UInt64 = 0
    public var unmatchedResponses: UInt64 = 0
    public init() {}
}
