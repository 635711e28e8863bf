import DNSWire
import DNSZone
import Determinism

/// How often a secondary checks its primary's serial.
public enum RefreshPolicy: Hashable, Sendable {
    /// The zone's SOA REFRESH and RETRY (RFC 1034 §4.3.5).
    case soaTimers
    /// Poll every `interval` regardless of the SOA's REFRESH (retries still use RETRY): the mode to
    /// pair with a primary that sends no NOTIFY, so the lag follows the interval.
    case fixed(interval: SimDuration)
}

/// Whose NOTIFY a secondary acts on.
public enum NotifyAcceptance: String, Hashable, Sendable {
    /// Only the primary's host (RFC 1996 §3.10; PowerDNS refuses a NOTIFY from a non-primary).
    case fromPrimary = "from-primary"
    /// Anyone (`allow-notify-from` 0.0.0.0/0 without the primary check).
    case fromAnyone = "from-anyone"
    /// None: every NOTIFY is REFUSED and changes are found by refresh only.
    case ignored
}

/// Which transfer a secondary asks for when its copy is older.
public enum TransferRequestPolicy: String, Hashable, Sendable {
    /// IXFR with our SOA (RFC 1995), AXFR when the primary refuses IXFR or the diffs do not apply.
    case ixfrThenAXFR = "ixfr-then-axfr"
    /// AXFR always (PowerDNS as a secondary without the `IXFR=1` zone metadata).
    case axfrOnly = "axfr-only"
}

/// Configuration of a secondary.
public struct SecondaryConfig<Address: PeerAddress>: Sendable {
    /// The primary's port-53 address.
    public var primary: Address
    /// The zones this server is a secondary for, in order (the order timers fire in).
    public var zones: [DNSName]
    public var refresh: RefreshPolicy
    public var notify: NotifyAcceptance
    public var transferRequest: TransferRequestPolicy
    /// Wait for one SOA answer before resending (a new ID each time).
    public var soaQueryTimeout: SimDuration
    /// SOA sends per check before the check counts as failed.
    public var soaQueryAttemptsMax: Int
    /// A transfer is given up when no message arrives for this long (PowerDNS's
    /// `axfr-fetch-timeout`, 10 s); connection set-up counts too.
    public var transferIdleTimeout: SimDuration
    /// Retry interval while there is no copy (and so no SOA RETRY to use).
    public var bootstrapRetry: SimDuration
    /// The shortest refresh, retry or expire interval, whatever the SOA says (a REFRESH of 0
    /// would otherwise check in a loop).
    public var timerFloor: SimDuration
    public var receiveLimits: TransferReceiveLimits
    /// How this secondary answers AXFR/IXFR from its own copies (for checks and chained secondaries).
    public var serving: TransferPolicy
    public var journalDiffCountMax: Int
    public var journalRecordCountMax: Int

    public init(
        primary: Address, zones: [DNSName], refresh: RefreshPolicy = .soaTimers, notify: NotifyAcceptance = .fromPrimary,
        transferRequest: TransferRequestPolicy = .ixfrThenAXFR, soaQueryTimeout: SimDuration = .seconds(2),
        soaQueryAttemptsMax: Int = 3, transferIdleTimeout: SimDuration = .seconds(10), bootstrapRetry: SimDuration = .seconds(10),
        timerFloor: SimDuration = .seconds(1), receiveLimits: TransferReceiveLimits = TransferReceiveLimits(),
        serving: TransferPolicy = TransferPolicy(), journalDiffCountMax: Int = 100, journalRecordCountMax: Int = 100_000
    ) {
        precondition(soaQueryTimeout > .zero && transferIdleTimeout > .zero && bootstrapRetry > .zero && timerFloor > .zero,
                     "secondary timeouts are positive")
        precondition(soaQueryAttemptsMax >= 1, "at least one SOA query per check")
        if case .fixed(let interval) = refresh { precondition(interval > .zero, "the poll interval is positive") }
        self.primary = primary
        self.zones = zones
        self.refresh = refresh
        self.notify = notify
        self.transferRequest = transferRequest
        self.soaQueryTimeout = soaQueryTimeout
        self.soaQueryAttemptsMax = soaQueryAttemptsMax
        self.transferIdleTimeout = transferIdleTimeout
        self.bootstrapRetry = bootstrapRetry
        self.timerFloor = timerFloor
        self.receiveLimits = receiveLimits
        self.serving = serving
        self.journalDiffCountMax = journalDiffCountMax
        self.journalRecordCountMax = journalRecordCountMax
    }
}

/// What a secondary's host feeds it.
public enum SecondaryEvent<Address: PeerAddress>: Sendable {
    /// The node (re)started: check every zone at once (transfer at once where there is no copy).
    case started
    /// A datagram arrived on port 53 from `from` (queries, NOTIFY, answers to our SOA queries).
    case datagramReceived([UInt8], from: Address)
    /// The connection asked for with `connectTCP(to:tag:)` is up.
    case tcpConnected(tag: UInt64)
    /// One DNS message arrived on a connection.
    case tcpReceived([UInt8], on: TCPConnection)
    /// A connection is gone (closed by the peer, refused, reset, timed out).
    case tcpClosed(TCPConnection)
    /// The single timer the host armed at `nextDeadline` fired.
    case timerFired
    /// An operator asked for a check now (`pdns_control retrieve`).
    case refreshRequested(origin: DNSName)
}

/// What a secondary asks its host to do.
public enum SecondaryAction<Address: PeerAddress>: Sendable, Equatable {
    case sendUDP([UInt8], to: Address)
    /// Open a TCP connection; answer with `tcpConnected(tag:)` or `tcpClosed(.opened(tag))`.
    case connectTCP(to: Address, tag: UInt64)
    case sendTCP([UInt8], on: TCPConnection)
    case closeTCP(TCPConnection)
    /// Store the new copy (the host writes it to this secondary's own database, as PowerDNS keeps
    /// slave zones). `diffs` are the changes from the previous copy when the transfer was
    /// incremental, empty for a whole zone (replace everything).
    case persist(Zone, diffs: [ZoneDiff])
    case trace(SecondaryTrace<Address>)
}

/// Why a refresh (check or transfer) failed.
public enum RefreshFailure: Hashable, Sendable, CustomStringConvertible {
    /// Every SOA query went unanswered.
    case soaTimeout
    /// The primary answered the SOA query with an error or without the zone's SOA.
    case soaAnswer(RCode)
    /// The connection could not be set up or broke.
    case connectionClosed
    /// No transfer message for `transferIdleTimeout`.
    case transferTimeout
    /// The transfer was malformed or incomplete.
    case transfer(ZoneTransferError)
    /// The AXFR fallback after a failed IXFR did not apply either.
    case apply(ZoneDiffError)

    public var description: String {
        switch self {
        case .soaTimeout: "SOA query timed out"
        case .soaAnswer(let rcode): "SOA answer \(rcode) without the zone's SOA"
        case .connectionClosed: "connection closed"
        case .transferTimeout: "transfer timed out"
        case .transfer(let error): "transfer failed: \(error)"
        case .apply(let error): "diff did not apply: \(error)"
        }
    }
}

/// What a secondary did, for the run's trace and replication figures.
public enum SecondaryTrace<Address: PeerAddress>: Hashable, Sendable {
    case notifyReceived(zone: DNSName, from: Address, accepted: Bool)
    case soaQuerySent(zone: DNSName, attempt: Int)
    /// The primary's serial compared with ours (nil: no copy).
    case soaChecked(zone: DNSName, primarySerial: UInt32, ourSerial: UInt32?)
    case transferStarted(zone: DNSName, type: RRType)
    /// IXFR was answered with an error; AXFR follows on the same connection.
    case ixfrFellBack(zone: DNSName, reason: String)
    case transferCompleted(zone: DNSName, serial: UInt32, style: TransferStyle, records: Int)
    case refreshFailed(zone: DNSName, reason: RefreshFailure)
    /// Past EXPIRE since the last successful refresh: answered SERVFAIL from now on.
    case zoneExpired(zone: DNSName)
    /// A refresh succeeded after expiry: served again.
    case zoneRestored(zone: DNSName, serial: UInt32)
}

/// The secondary timers of each zone, fired in declaration order when due (STYLE.md §2).
public enum SecondaryTimer: Int, CaseIterable, Sendable {
    /// Check the primary's serial (SOA REFRESH after success).
    case refresh
    /// Check again after a failure (SOA RETRY).
    case retry
    /// Stop serving the copy (SOA EXPIRE after the last success).
    case expire
    /// Resend the SOA query, or give the check up.
    case soaQueryTimeout
    /// Give the transfer up.
    case transferTimeout
}

/// A secondary nameserver: keeps copies of its zones fresh and serves them (sans-IO).
///
/// Theory of operation. Per zone: `idle`, `checking` (an SOA query over UDP in flight) or
/// `transferring` (a TCP connection with an IXFR or AXFR in progress). `refresh` and `retry`
/// start a check (RFC 1034 §4.3.5); a NOTIFY from the primary starts one at once and clears the
/// back-off (RFC 1996 §3.11; arriving during a check or transfer it queues one more check). A
/// newer serial (RFC 1982) starts a transfer: IXFR first, AXFR when the primary refuses IXFR or
/// the diffs do not apply; an IXFR answered with the whole zone is taken as it is. The old copy
/// is served until the transfer completes, then replaced and `persist`ed. Every successful check
/// re-arms `refresh` and `expire`; every failure arms `retry`. Past `expire` the zone is answered
/// SERVFAIL until a check succeeds; a zone with no copy is SERVFAIL too and is transferred at
/// start. Timers: `SecondaryTimer` per zone; the host arms one timer at `nextDeadline`.
public struct SecondaryMachine<Address: PeerAddress>: Sendable {
    public internal(set) var config: SecondaryConfig<Address>
    /// The query path and the copies served.
    public internal(set) var server: AuthoritativeServer
    var zones: [SecondaryZone] = []
    var random: SeededRandom
    var nextTag: UInt64 = 1
    /// Origins answered SERVFAIL (no copy, or expired), kept in step by `updateServability()` so
    /// the query path checks one array instead of every zone.
    var unservable: [DNSName] = []
    public internal(set) var stats = SecondaryStats()

    enum Phase: Sendable {
        case idle
        case checking(queryID: UInt16, attempt: Int)
        case transferring(TransferAttempt)
    }

    struct TransferAttempt: Sendable {
        var tag: UInt64
        var connected = false
        var receiver: ZoneTransferReceiver?
        var request: ZoneTransferReceiver.Request
    }

    struct SecondaryZone: Sendable {
        let origin: DNSName
        var journal: ZoneJournal
        var phase = Phase.idle
        var expired = false
        var notifyPending = false
        var timers: [Instant?] = Array(repeating: nil, count: SecondaryTimer.allCases.count)

        subscript(timer: SecondaryTimer) -> Instant? {
            get { timers[timer.rawValue] }
            set { timers[timer.rawValue] = newValue }
        }
    }

    /// A secondary for `config.zones`, starting from the copies it stored before (its database);
    /// a stored zone that is not configured is ignored. `random` supplies query IDs.
    public init(
        config: SecondaryConfig<Address>, storedCopies: [Zone], random: SeededRandom,
        options: LookupOptions = LookupOptions(), cache: PacketCache = PacketCache()
    ) {
        self.config = config
        self.random = random
        var zoneSet = ZoneSet()
        for copy in storedCopies where config.zones.contains(copy.origin) && copy.soa != nil
            && zoneSet.zone(named: copy.origin) == nil
        {
            _ = zoneSet.replace(copy)  // the first stored copy of an origin wins
        }
        self.server = AuthoritativeServer(zones: zoneSet, options: options, cache: cache)
        for origin in config.zones where !zones.contains(where: { $0.origin == origin }) {
            zones.append(SecondaryZone(origin: origin, journal: ZoneJournal(
                origin: origin, diffCountMax: config.journalDiffCountMax, recordCountMax: config.journalRecordCountMax)))
        }
        updateServability()
    }

    /// Recomputes `unservable` after a copy appeared or a zone expired or recovered.
    mutating func updateServability() {
        unservable = zones.filter { $0.expired || server.zones.zone(named: $0.origin) == nil }.map(\.origin)
    }

    /// The copy of `origin` being served (also while expired), if any.
    public func copy(of origin: DNSName) -> Zone? { server.zones.zone(named: origin) }

    /// True when `origin` is answered SERVFAIL: no copy yet, or past its expire time.
    public func isUnservable(_ origin: DNSName) -> Bool {
        guard let zone = zones.first(where: { $0.origin == origin }) else { return false }
        return zone.expired || copy(of: origin) == nil
    }

    /// The earliest armed timer over all zones.
    public var nextDeadline: Instant? {
        var earliest: Instant?
        for zone in zones {
            for case let due? in zone.timers where earliest.map({ due < $0 }) ?? true { earliest = due }
        }
        return earliest
    }

    /// Handles one event at `now` and returns what to do.
    public mutating func handle(_ event: SecondaryEvent<Address>, now: Instant) -> [SecondaryAction<Address>] {
        var actions: [SecondaryAction<Address>] = []
        handle(event, now: now, actions: &actions)
        return actions
    }

    /// Handles one event at `now`, appending to `actions` (a buffer the host reuses).
    public mutating func handle(_ event: SecondaryEvent<Address>, now: Instant, actions: inout [SecondaryAction<Address>]) {
        switch event {
        case .started: start(now: now, actions: &actions)
        case .datagramReceived(let bytes, let from): datagram(bytes, from: from, now: now, actions: &actions)
        case .tcpConnected(let tag): transferConnected(tag: tag, now: now, actions: &actions)
        case .tcpReceived(let bytes, .opened(let tag)): transferMessage(bytes, tag: tag, now: now, actions: &actions)
        case .tcpReceived(let bytes, let connection): tcpQuery(bytes, on: connection, now: now, actions: &actions)
        case .tcpClosed(.opened(let tag)): transferClosed(tag: tag, now: now, actions: &actions)
        case .tcpClosed(.accepted): break
        case .timerFired: fireTimers(now: now, actions: &actions)
        case .refreshRequested(let origin):
            if let index = zones.firstIndex(where: { $0.origin == origin }) { checkNowOrLater(index, now: now, actions: &actions) }
        }
    }

    private mutating func start(now: Instant, actions: inout [SecondaryAction<Address>]) {
        for index in zones.indices {
            zones[index].phase = .idle
            zones[index].notifyPending = false
            zones[index].expired = false
            zones[index].timers = Array(repeating: nil, count: SecondaryTimer.allCases.count)
            if let soa = copy(of: zones[index].origin)?.soa {
                zones[index][.expire] = now + interval(seconds: soa.expire)
            }
            startCheck(index, now: now, actions: &actions)
        }
        updateServability()
    }

    private mutating func fireTimers(now: Instant, actions: inout [SecondaryAction<Address>]) {
        for index in zones.indices {
            for timer in SecondaryTimer.allCases {
                guard let due = zones[index][timer], due <= now else { continue }
                zones[index][timer] = nil
                fire(timer, zone: index, now: now, actions: &actions)
            }
        }
    }

    private mutating func fire(_ timer: SecondaryTimer, zone index: Int, now: Instant, actions: inout [SecondaryAction<Address>]) {
        switch timer {
        case .refresh, .retry:
            if case .idle = zones[index].phase { startCheck(index, now: now, actions: &actions) }
        case .expire:
            guard !zones[index].expired, copy(of: zones[index].origin) != nil else { return }
            zones[index].expired = true
            updateServability()
            stats.expiries &+= 1
            actions.append(.trace(.zoneExpired(zone: zones[index].origin)))
        case .soaQueryTimeout: soaQueryTimedOut(index, now: now, actions: &actions)
        case .transferTimeout:
            guard case .transferring = zones[index].phase else { return }
            refreshFailed(index, .transferTimeout, now: now, actions: &actions)
        }
    }

    /// An SOA timer field in seconds as a duration, never below `timerFloor`.
    func interval(seconds: UInt32) -> SimDuration { max(.seconds(Int64(seconds)), config.timerFloor) }
}

/// Counters of a secondary.
public struct SecondaryStats: Hashable, Sendable {
    public var notifiesAccepted: UInt64 = 0
    public var notifiesRefused: UInt64 = 0
    public var soaQueries: UInt64 = 0
    public var transfersAXFR: UInt64 = 0
    public var transfersIXFRIncremental: UInt64 = 0
    public var transfersIXFRFullZone: UInt64 = 0
    public var refreshFailures: UInt64 = 0
    public var expiries: UInt64 = 0
    /// Queries answered SERVFAIL because their zone had no copy or had expired.
    public var servFails: UInt64 = 0
    public var unmatchedResponses: UInt64 = 0
    public init() {}
}
