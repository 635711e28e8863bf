import DNSWire
import DNSZone
import Determinism
import Nameserver
import SimNet
import Storage

extension Endpoint: PeerAddress {
    /// Same node and address: NOTIFY and its response are matched by host, not port (as PowerDNS does).
    public func isSameHost(as other: Endpoint) -> Bool { node == other.node && addressIndex == other.addressIndex }
}

/// Changes committed to a primary's zone at a steady rate: each sets a new address on one of the
/// zone's A records, as a stream of DynDNS updates does. It stands in for the web server of later
/// issues: the change goes through the storage's one write path, which bumps the serial.
public struct ZoneEditFeed: Sendable {
    public var interval: SimDuration
    public var stopAt: Instant
    public let origin: DNSName
    private var random: SeededRandom
    private var owners: [DNSName] = []
    public private(set) var nextAt: Instant

    public init(interval: SimDuration, start: Instant, stopAt: Instant, seed: UInt64, zone: Zone, label: String = "") {
        precondition(interval > .zero, "edits need a positive interval")
        self.interval = interval
        self.stopAt = stopAt
        origin = zone.origin
        random = SeededRandom(seed: seed, label: "zone-edits:\(label):\(zone.origin)")
        nextAt = start
        owners = zone.rrsets.filter { $0.type == .a && $0.owner != zone.origin }.map(\.owner)
    }

    public var isDone: Bool { nextAt >= stopAt || owners.isEmpty }

    /// The next change and advances the schedule.
    public mutating func nextChange(ttl: UInt32 = 60) -> ZoneChange? {
        defer { nextAt = nextAt + interval }
        guard let owner = random.element(of: owners) else { return nil }
        let address = IPv4Address(198, 51, 100, UInt8(truncatingIfNeeded: random.next()))
        return ZoneChange([.replace(RRset(owner: owner, type: .a, ttl: ttl, rdatas: [.a(address)]))])
    }
}

/// A timer multiplexer for nodes with several deadlines: arms one simulator timer for the earliest
/// and ignores stale ones by token.
struct NodeTimer {
    var armedAt: UInt64 = .max
    var token: UInt64 = 0

    mutating func fired(_ token: UInt64) -> Bool {
        guard token == self.token else { return false }
        armedAt = .max
        return true
    }

    mutating func arm(_ deadline: Instant?, actions: inout [NodeAction]) {
        guard let deadline, deadline.nanoseconds < armedAt else { return }
        armedAt = deadline.nanoseconds
        token &+= 1
        actions.append(.armTimer(at: deadline, token: token))
    }
}

/// The TCP connections a node sees, as its machine names them (`TCPConnection`).
struct ConnectionBook {
    var byConnection: [ConnectionID: TCPConnection] = [:]
    var byName: [TCPConnection: ConnectionID] = [:]
    var nextAccepted: UInt64 = 1

    mutating func opened(_ connection: ConnectionID, tag: UInt64) {
        byConnection[connection] = .opened(tag)
        byName[.opened(tag)] = connection
    }

    mutating func accepted(_ connection: ConnectionID) -> TCPConnection {
        let name = TCPConnection.accepted(nextAccepted)
        nextAccepted += 1
        byConnection[connection] = name
        byName[name] = connection
        return name
    }

    mutating func forget(_ connection: ConnectionID) -> TCPConnection? {
        guard let name = byConnection.removeValue(forKey: connection) else { return nil }
        byName[name] = nil
        return name
    }
}

/// For traffic nodes (`ResolverNode`, `UpdaterNode`), whose machines only open connections and
/// name them by tag.
extension ConnectionBook {
    func tag(of connection: ConnectionID) -> UInt64? {
        if case .opened(let tag)? = byConnection[connection] { tag } else { nil }
    }

    func connection(tagged tag: UInt64) -> ConnectionID? { byName[.opened(tag)] }

    /// Forgets a connection the host closed; its tag, if the machine opened it.
    mutating func closed(_ connection: ConnectionID) -> UInt64? {
        if case .opened(let tag)? = forget(connection) { tag } else { nil }
    }

    /// Forgets the connection the machine closes; the connection to close, if still open.
    mutating func close(tagged tag: UInt64) -> ConnectionID? {
        guard let connection = byName.removeValue(forKey: .opened(tag)) else { return nil }
        byConnection[connection] = nil
        return connection
    }

    /// A traffic machine's client connection as host actions: client `client` is the node's
    /// address `client`, its source port follows from the tag (32768–60767).
    static func connect(client: UInt32, to server: Endpoint, tag: UInt64, node: NodeID, _ actions: inout [NodeAction]) {
        let source = Endpoint(node: node, addressIndex: client, port: UInt16(32_768 + tag % 28_000))
        actions.append(.tcpConnect(from: source, to: server, tag: tag))
    }

    /// Bytes on the connection the machine opened with `tag`, if it is still open.
    func send(_ bytes: [UInt8], tagged tag: UInt64, _ actions: inout [NodeAction]) {
        if let connection = connection(tagged: tag) { actions.append(.tcpSend(connection, bytes)) }
    }

    /// Closes the connection the machine opened with `tag`, if it is still open.
    mutating func close(tagged tag: UInt64, _ actions: inout [NodeAction]) {
        if let connection = close(tagged: tag) { actions.append(.tcpClose(connection)) }
    }
}
