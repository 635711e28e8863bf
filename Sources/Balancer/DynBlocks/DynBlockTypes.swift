import DNSWire
import Determinism

/// What a block is keyed on: a masked client (dnsdist's NMG, `AddressAndPortRange`) or a name
/// suffix (dnsdist's SMT). Clients sort before suffixes; suffixes in canonical DNS order.
public enum DynBlockKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    case client(ClientKey)
    case suffix(DNSName)

    public var description: String {
        switch self {
        case .client(let key): key.description
        case .suffix(let name): name.description
        }
    }

    public static func < (lhs: DynBlockKey, rhs: DynBlockKey) -> Bool {
        switch (lhs, rhs) {
        case (.client(let a), .client(let b)): a < b
        case (.suffix(let a), .suffix(let b)): a < b
        case (.client, .suffix): true
        case (.suffix, .client): false
        }
    }
}

/// One entry of a block table (dnsdist's `DynBlock`).
public struct DynBlockEntry: Sendable, Equatable {
    public var key: DynBlockKey
    public var reason: String
    /// The action with the settings' default already applied; `.noop` for warnings.
    public var action: DynBlockAction
    /// The block applies while `now < until`.
    public var until: Instant
    /// A warning entry: inserted between the warning rate and the rate; it never affects a query.
    public var warning: Bool
    /// Queries this entry blocked (dnsdist's `blocks`), carried over when a live entry is refreshed.
    public var blockedQueries: UInt64
    /// The rule group that inserted it; nil for a manual block.
    public var group: String?

    public init(
        key: DynBlockKey, reason: String, action: DynBlockAction, until: Instant, warning: Bool,
        blockedQueries: UInt64 = 0, group: String? = nil
    ) {
        self.key = key
        self.reason = reason
        self.action = action
        self.until = until
        self.warning = warning
        self.blockedQueries = blockedQueries
        self.group = group
    }
}

/// A change to the block tables, stamped with the maintenance instant that made it.
public struct DynBlockEvent: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable, CustomStringConvertible {
        /// A new entry, or one replacing an expired entry (dnsdist logs "Inserting dynamic block").
        case inserted
        /// A live entry of the same kind extended (or re-stated) by a new trigger.
        case refreshed
        /// A live warning entry replaced by a real block.
        case upgradedFromWarning
        /// The entry's `until` has passed (reported at the first maintenance after it; the entry
        /// itself is removed at the next purge).
        case expired

        public var description: String {
            switch self {
            case .inserted: "inserted"
            case .refreshed: "refreshed"
            case .upgradedFromWarning: "upgraded-from-warning"
            case .expired: "expired"
            }
        }
    }

    public var kind: Kind
    public var at: Instant
    public var key: DynBlockKey
    public var reason: String
    public var action: DynBlockAction
    public var until: Instant
    public var warning: Bool
    public var group: String?

    public init(
        kind: Kind, at: Instant, key: DynBlockKey, reason: String, action: DynBlockAction, until: Instant,
        warning: Bool, group: String?
    ) {
        self.kind = kind
        self.at = at
        self.key = key
        self.reason = reason
        self.action = action
        self.until = until
        self.warning = warning
        self.group = group
    }

    public var description: String {
        "\(at) \(kind) \(warning ? "warning " : "")\(key) \(action) until \(until): \(reason)"
    }
}

/// What `check` tells the balancer to do with a blocked query. Never `.noop`: warnings and NoOp
/// entries produce no decision at all.
public struct DynBlockDecision: Sendable, Equatable {
    public var action: DynBlockAction
    public var reason: String
    public var key: DynBlockKey

    public init(action: DynBlockAction, reason: String, key: DynBlockKey) {
        self.action = action
        self.reason = reason
        self.key = key
    }

    /// The matched key as text (`192.0.2.1/32`, `victim.dyn.example.`).
    public var keyDescription: String { key.description }
}

/// Counters kept by the engine (dnsdist's `dyn-blocked` and per-entry `blocks`, plus a few of ours).
public struct DynBlockCounters: Sendable, Equatable {
    /// Queries a block acted on (dnsdist's `dyn-blocked`): all actions but NoOp, and not Truncate
    /// over a connection.
    public var blockedQueries: UInt64 = 0
    public var dropped: UInt64 = 0
    public var refused: UInt64 = 0
    public var nxdomain: UInt64 = 0
    public var truncated: UInt64 = 0
    public var noRecurse: UInt64 = 0
    /// Queries that matched a live NoOp or warning entry (no effect; not in `blockedQueries`).
    public var noopMatches: UInt64 = 0
    /// Queries that matched a live Truncate entry over a connection-based transport and fell through.
    public var truncateNotApplied: UInt64 = 0
    /// Real client blocks inserted (new, replacing an expired entry, or upgrading a warning).
    public var clientEntriesInserted: UInt64 = 0
    /// Suffix blocks inserted (new or replacing an expired entry).
    public var suffixEntriesInserted: UInt64 = 0
    /// Warning entries inserted.
    public var warningEntriesInserted: UInt64 = 0

    public init() {}

    /// Queries blocked with `action` (0 for `.noop`; see `noopMatches`).
    public func blocked(_ action: DynBlockAction) -> UInt64 {
        switch action {
        case .drop: dropped
        case .refused: refused
        case .nxdomain: nxdomain
        case .truncate: truncated
        case .noRecurse: noRecurse
        case .noop: 0
        }
    }

    mutating func countBlocked(_ action: DynBlockAction) {
        blockedQueries += 1
        switch action {
        case .drop: dropped += 1
        case .refused: refused += 1
        case .nxdomain: nxdomain += 1
        case .truncate: truncated += 1
        case .noRecurse: noRecurse += 1
        case .noop: break
        }
    }
}
