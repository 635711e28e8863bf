import DNSWire
import Determinism

/// dnsdist's `tuning.tcp` settings for incoming connections (TCP, DoT and DoH), with dnsdist's
/// defaults. Zero means "no limit" wherever dnsdist says so.
public struct TCPTuningConfig: Sendable, Equatable {
    /// How long a connection may wait for its next query (`receive_timeout`, default 2 s). The
    /// clock restarts on every query read and every response written.
    public var receiveTimeout: SimDuration = .seconds(2)
    /// Queries one connection may carry (`max_queries_per_connection`); the last one is answered,
    /// then the connection is closed.
    public var maxQueriesPerConnection: Int = 0
    /// How long a connection may live (`max_connection_duration`); zero: forever.
    public var maxConnectionDuration: SimDuration = .zero
    /// Concurrent connections from one client address (`max_connections_per_client`).
    public var maxConnectionsPerClient: Int = 0
    /// Percentage of a frontend's or a client's connection limit past which new connections are
    /// restricted: one query, a 500 ms receive timeout, 5 s at most (`connections_overload_threshold`).
    public var connectionsOverloadThreshold: Int = 90
    /// New connections per second a client (masked) may open, averaged over
    /// `connectionRateInterval` minutes (`max_connection_rate_per_client`); past it the client is
    /// banned from opening connections for `banDurationForExceedingRate`.
    public var maxConnectionRatePerClient: Int = 0
    public var connectionRateIntervalMinutes: Int = 5
    public var banDurationForExceedingRate: SimDuration = .seconds(10)
    /// How clients are aggregated for the rate limit (`connections_mask_v4`, `connections_mask_v6`).
    public var connectionsMaskV4: Int = 32
    public var connectionsMaskV6: Int = 128

    public init() {}
}

/// One frontend's connection settings (a dnsdist bind): its concurrent-connection cap
/// (`tcp.max_concurrent_connections`, 0 = none) and, for DoH, the HTTP/2 idle timeout
/// (`doh.idle_timeout`, default 30 s) that replaces the receive timeout.
public struct FrontendLimits: Sendable, Equatable {
    public var maxConcurrentConnections: Int
    public var idleTimeout: SimDuration?

    public init(maxConcurrentConnections: Int = 0, idleTimeout: SimDuration? = nil) {
        self.maxConcurrentConnections = maxConcurrentConnections
        self.idleTimeout = idleTimeout
    }
}

/// Connection settings of all frontends of a balancer.
public struct FrontendConnectionsConfig: Sendable, Equatable {
    public var tcp = TCPTuningConfig()
    public var do53TCP = FrontendLimits()
    public var dot = FrontendLimits()
    public var doh = FrontendLimits(idleTimeout: .seconds(30))

    public init() {}

    public func limits(_ frontend: FrontendProtocol) -> FrontendLimits {
        switch frontend {
        case .do53UDP, .do53TCP: do53TCP
        case .dot: dot
        case .doh: doh
        }
    }
}

/// Why a connection was refused or closed by the balancer.
public enum ConnectionVerdict: Sendable, Equatable {
    case accepted(restricted: Bool)
    case refusedFrontendLimit, refusedClientLimit, refusedBanned, refusedRateExceeded
}

/// Counters of the incoming-connection side, as dnsdist's per-frontend TCP metrics name them.
public struct FrontendConnectionStats: Sendable, Equatable {
    public var accepted: UInt64 = 0
    public var restricted: UInt64 = 0
    public var refusedFrontendLimit: UInt64 = 0
    public var refusedClientLimit: UInt64 = 0
    public var refusedBanned: UInt64 = 0
    public var rateBans: UInt64 = 0
    public var closedReceiveTimeout: UInt64 = 0
    public var closedMaxQueries: UInt64 = 0
    public var closedMaxDuration: UInt64 = 0
    public var closedByClient: UInt64 = 0
    public var current: UInt64 = 0
    public var peak: UInt64 = 0

    public init() {}

    public var fields: [(String, UInt64)] {
        [
            ("tcp-accepted", accepted), ("tcp-restricted", restricted),
            ("tcp-refused-frontend-limit", refusedFrontendLimit), ("tcp-refused-client-limit", refusedClientLimit),
            ("tcp-refused-banned", refusedBanned), ("tcp-rate-bans", rateBans),
            ("tcp-closed-receive-timeout", closedReceiveTimeout), ("tcp-closed-max-queries", closedMaxQueries),
            ("tcp-closed-max-duration", closedMaxDuration), ("tcp-closed-by-client", closedByClient),
            ("tcp-current", current), ("tcp-peak", peak),
        ]
    }
}

/// The incoming-connection side of a balancer as a sans-IO machine: which connections to accept,
/// and when to close them (dnsdist's `IncomingTCPConnectionState`, its acceptor's limits, and the
/// DoH frontend's idle timeout).
///
/// The host reports connections accepted by the kernel, queries read and responses written, and
/// asks `expire` at `nextDeadline`; every handle the machine returns there or from `accept` /
/// `responseWritten` is to be closed. The connection's bytes never pass through here.
public struct FrontendConnections: Sendable {
    public let config: FrontendConnectionsConfig
    public private(set) var stats = FrontendConnectionStats()

    struct Connection: Sendable {
        var address: IPAddress
        var frontend: FrontendProtocol
        var opened: Instant
        var lastActivity: Instant
        var queries: Int = 0
        var restricted: Bool
        var closeAfterResponse = false
        /// Bumped whenever the deadline moves; older heap entries are stale.
        var version: UInt32 = 0
    }

    private var connections: [ClientHandle: Connection] = [:]
    private var perClient: [IPAddress: Int] = [:]
    private var perFrontend: [Int] = Array(repeating: 0, count: FrontendProtocol.allCases.count)
    /// Per masked client: new connections in each minute of the rate window, and a ban's end.
    private var rates: [ClientKey: RateWindow] = [:]
    private var deadlines = DeadlineHeap()
    private var sequence: UInt64 = 0

    struct RateWindow: Sendable {
        var minute: Int64 = 0
        var counts: [UInt32]
        var bannedUntil: Instant = .zero
    }

    /// dnsdist's restricted mode for connections past the overload threshold.
    static let restrictedReceiveTimeout = SimDuration.milliseconds(500)
    static let restrictedDuration = SimDuration.seconds(5)

    public init(config: FrontendConnectionsConfig = FrontendConnectionsConfig()) {
        self.config = config
    }

    public var openConnections: Int { connections.count }

    /// A client's connection was accepted by the kernel on `frontend`: keep it, or close it now.
    public mutating func accept(
        _ handle: ClientHandle, address: IPAddress, port: UInt16, frontend: FrontendProtocol, now: Instant
    ) -> ConnectionVerdict {
        let tcp = config.tcp
        let limits = config.limits(frontend)
        let clientCount = perClient[address, default: 0]
        let frontendCount = perFrontend[Int(frontend.rawValue)]
        if tcp.maxConnectionRatePerClient > 0 {
            let key = ClientKey(address: address, port: port, v4Mask: tcp.connectionsMaskV4, v6Mask: tcp.connectionsMaskV6)
            var window = rates[key] ?? RateWindow(counts: Array(repeating: 0, count: max(1, tcp.connectionRateIntervalMinutes)))
            defer { rates[key] = window }
            if window.bannedUntil > now {
                stats.refusedBanned &+= 1
                return .refusedBanned
            }
            window.count(now: now)
            let seconds = UInt64(window.counts.count) * 60
            if UInt64(window.counts.reduce(0) { $0 + UInt64($1) }) > UInt64(tcp.maxConnectionRatePerClient) * seconds {
                window.bannedUntil = now + tcp.banDurationForExceedingRate
                stats.rateBans &+= 1
                stats.refusedBanned &+= 1
                return .refusedRateExceeded
            }
        }
        if limits.maxConcurrentConnections > 0 && frontendCount >= limits.maxConcurrentConnections {
            stats.refusedFrontendLimit &+= 1
            return .refusedFrontendLimit
        }
        if tcp.maxConnectionsPerClient > 0 && clientCount >= tcp.maxConnectionsPerClient {
            stats.refusedClientLimit &+= 1
            return .refusedClientLimit
        }
        let threshold = tcp.connectionsOverloadThreshold
        let restricted = threshold > 0 && (
            (limits.maxConcurrentConnections > 0 && frontendCount * 100 >= limits.maxConcurrentConnections * threshold)
                || (tcp.maxConnectionsPerClient > 0 && clientCount * 100 >= tcp.maxConnectionsPerClient * threshold))
        connections[handle] = Connection(address: address, frontend: frontend, opened: now, lastActivity: now, restricted: restricted)
        perClient[address] = clientCount + 1
        perFrontend[Int(frontend.rawValue)] = frontendCount + 1
        stats.accepted &+= 1
        if restricted { stats.restricted &+= 1 }
        stats.current = UInt64(connections.count)
        stats.peak = max(stats.peak, stats.current)
        schedule(handle)
        return .accepted(restricted: restricted)
    }

    /// A query was read from `handle`. False: the connection is over its query budget; close it
    /// without answering.
    public mutating func queryRead(_ handle: ClientHandle, now: Instant) -> Bool {
        guard var connection = connections[handle] else { return false }
        connection.queries += 1
        connection.lastActivity = now
        let budget = connection.restricted ? 1 : config.tcp.maxQueriesPerConnection
        if budget > 0 && connection.queries > budget {
            stats.closedMaxQueries &+= 1
            remove(handle)
            return false
        }
        if budget > 0 && connection.queries == budget { connection.closeAfterResponse = true }
        connections[handle] = connection
        schedule(handle)
        return true
    }

    /// A response was written to `handle`. True: close the connection now (its query budget is spent).
    public mutating func responseWritten(_ handle: ClientHandle, now: Instant) -> Bool {
        guard var connection = connections[handle] else { return false }
        connection.lastActivity = now
        connections[handle] = connection
        if connection.closeAfterResponse {
            stats.closedMaxQueries &+= 1
            remove(handle)
            return true
        }
        schedule(handle)
        return false
    }

    /// The client (or the network) closed the connection.
    public mutating func closed(_ handle: ClientHandle) {
        guard connections[handle] != nil else { return }
        stats.closedByClient &+= 1
        remove(handle)
    }

    /// The earliest instant `expire` has work.
    public mutating func nextDeadline() -> Instant? {
        while let top = deadlines.top {
            if let connection = connections[top.handle], connection.version == top.version { return top.at }
            deadlines.pop()
        }
        return nil
    }

    /// Connections whose receive timeout or lifetime ran out, in deadline order: close them.
    public mutating func expire(now: Instant) -> [ClientHandle] {
        var closing: [ClientHandle] = []
        while let top = deadlines.top, top.at <= now {
            deadlines.pop()
            guard let connection = connections[top.handle], connection.version == top.version else { continue }
            if let limit = lifetime(connection), connection.opened + limit <= now {
                stats.closedMaxDuration &+= 1
            } else {
                stats.closedReceiveTimeout &+= 1
            }
            remove(top.handle)
            closing.append(top.handle)
        }
        return closing
    }

    // MARK: Helpers

    private func receiveTimeout(_ connection: Connection) -> SimDuration {
        if connection.restricted { return Self.restrictedReceiveTimeout }
        return config.limits(connection.frontend).idleTimeout ?? config.tcp.receiveTimeout
    }

    private func lifetime(_ connection: Connection) -> SimDuration? {
        if connection.restricted { return Self.restrictedDuration }
        return config.tcp.maxConnectionDuration > .zero ? config.tcp.maxConnectionDuration : nil
    }

    private mutating func schedule(_ handle: ClientHandle) {
        guard var connection = connections[handle] else { return }
        connection.version &+= 1
        var at = connection.lastActivity + receiveTimeout(connection)
        if let limit = lifetime(connection) { at = min(at, connection.opened + limit) }
        connections[handle] = connection
        sequence &+= 1
        deadlines.push(DeadlineHeap.Entry(at: at, sequence: sequence, handle: handle, version: connection.version))
    }

    private mutating func remove(_ handle: ClientHandle) {
        guard let connection = connections.removeValue(forKey: handle) else { return }
        let count = perClient[connection.address, default: 1] - 1
        perClient[connection.address] = count > 0 ? count : nil
        perFrontend[Int(connection.frontend.rawValue)] -= 1
        stats.current = UInt64(connections.count)
    }
}

extension FrontendConnections.RateWindow {
    /// Counts one new connection in the current minute, clearing minutes that slid out.
    mutating func count(now: Instant) {
        let minute = Int64(now.nanoseconds / 60_000_000_000)
        let slots = Int64(counts.count)
        if minute - self.minute >= slots {
            for index in counts.indices { counts[index] = 0 }
        } else if minute > self.minute {
            for stale in (self.minute + 1)...minute { counts[Int(stale % slots)] = 0 }
        }
        self.minute = max(self.minute, minute)
        counts[Int(minute % slots)] &+= 1
    }
}

/// A binary min-heap of connection deadlines, ordered by instant then insertion sequence, so
/// expiry order never depends on hashing.
struct DeadlineHeap: Sendable {
    struct Entry: Sendable {
        var at: Instant
        var sequence: UInt64
        var handle: ClientHandle
        var version: UInt32

        func precedes(_ other: Entry) -> Bool { (at, sequence) < (other.at, other.sequence) }
    }

    private var entries: [Entry] = []

    var top: Entry? { entries.first }

    mutating func push(_ entry: Entry) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].precedes(entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() {
        guard !entries.isEmpty else { return }
        entries.swapAt(0, entries.count - 1)
        entries.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < entries.count else { break }
            var smallest = left
            if left + 1 < entries.count && entries[left + 1].precedes(entries[left]) { smallest = left + 1 }
            guard entries[smallest].precedes(entries[parent]) else { break }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
