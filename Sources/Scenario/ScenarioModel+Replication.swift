import Determinism

/// What a nameserver does in the replication cluster (issue 4).
///
/// An `authoritative` server loads the zones itself and takes part in no transfers (the behaviour
/// before replication). A `primary` loads them from its database, takes the committed changes and
/// announces them; a `secondary` copies every zone from its primary by zone transfer (RFC 1995,
/// RFC 5936) and keeps the copy fresh by NOTIFY (RFC 1996) and the SOA timers (RFC 1034 §4.3.5).
public enum NameserverRole: Sendable, Hashable {
    case authoritative
    case primary(notify: NotifyMode)
    /// `primary` is the name of a nameserver whose role is primary; `joinAt`, when set, is the
    /// instant the secondary is added to the running cluster (nil: there from the start).
    case secondary(primary: String, refresh: RefreshMode, joinAt: SimDuration?)

    /// The role as written in a scenario: `authoritative`, `primary` or `secondary`.
    public var label: String {
        switch self {
        case .authoritative: "authoritative"
        case .primary: "primary"
        case .secondary: "secondary"
        }
    }
}

/// When a primary tells its secondaries that a zone changed.
public enum NotifyMode: Sendable, Hashable {
    /// A NOTIFY to every secondary right after each committed change, with retries (RFC 1996).
    case onCommit
    /// A check of every zone each interval, notifying when the serial moved (PowerDNS's
    /// `xfr-cycle-interval`).
    case periodic(SimDuration)
    /// No NOTIFY: secondaries find changes only by polling.
    case never
}

/// How a secondary polls its primary's SOA besides reacting to NOTIFY.
public enum RefreshMode: Sendable, Hashable {
    /// The zone's own SOA refresh, retry and expire timers (RFC 1034 §4.3.5).
    case soaTimers
    /// A SOA query every interval, whatever the SOA says (expire still follows the SOA).
    case every(SimDuration)
}

/// A stream of zone changes committed on a primary at a fixed interval (workload kind `changes`).
///
/// Each change goes through the primary's storage in one transaction that bumps the SOA serial;
/// the report measures how long each secondary takes to serve it (`replication.S.lag.*`).
public struct ChangeStreamSpec: Sendable, Equatable {
    /// Unique among workload names (populations and change streams).
    public var name: String
    /// A nameserver whose role is primary.
    public var primary: String
    /// Time between two changes (greater than zero).
    public var interval: SimDuration
    /// The first change's instant.
    public var start: SimDuration
    /// How long changes keep coming; nil means until the end of the run.
    public var duration: SimDuration?
    public var position: SourcePosition?

    public init(
        name: String, primary: String, interval: SimDuration, start: SimDuration = .zero,
        duration: SimDuration? = nil, position: SourcePosition? = nil
    ) {
        precondition(interval > .zero, "a change stream's interval must be positive")
        self.name = name
        self.primary = primary
        self.interval = interval
        self.start = start
        self.duration = duration
        self.position = position
    }
}

extension Scenario {
    /// The nameservers whose role is primary, in declaration order.
    public var primaries: [NameserverSpec] {
        nameservers.filter { if case .primary = $0.role { true } else { false } }
    }

    /// The nameservers whose role is secondary, in declaration order.
    public var secondaries: [NameserverSpec] {
        nameservers.filter { if case .secondary = $0.role { true } else { false } }
    }
}
