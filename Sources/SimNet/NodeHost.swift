import Determinism

/// What the host feeds a node's machine.
public enum NodeInput: Sendable {
    /// The node (re)started: arm initial timers. Memory state was rebuilt by `restart()` before.
    case started
    case datagram(Datagram)
    case timer(token: UInt64)
    case tcp(TCPEvent)
}

/// Connection events a node receives from the TCP model.
public enum TCPEvent: Sendable {
    /// A client's connection attempt completed (handshake and, when configured, TLS).
    case connected(ConnectionID)
    /// A server accepted a connection from `peer`.
    case accepted(ConnectionID, peer: Endpoint, local: Endpoint)
    /// One application message (e.g. one length-framed DNS message) arrived, in order.
    case received(ConnectionID, [UInt8])
    /// The connection is gone: closed by the peer, refused, reset or timed out.
    case closed(ConnectionID, TCPCloseReason)
}

public enum TCPCloseReason: String, Sendable, Equatable {
    case closedByPeer = "closed-by-peer", refused, timedOut = "timed-out", idle, reset
}

/// A connection, identified by the host.
public struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    public let index: UInt32
    public let generation: UInt32
    public init(index: UInt32, generation: UInt32) {
        self.index = index
        self.generation = generation
    }
    public var description: String { "conn\(index).\(generation)" }
}

/// What a machine asks its host to do. Collected in an `inout` array the host reuses.
public enum NodeAction: Sendable {
    case send(Datagram)
    /// Sends when the node's clock shows `at` (not before the input's service ends). A traffic
    /// source uses it to emit a batch of queries, each at its own instant, from one wake-up; the
    /// path is decided when the batch is emitted.
    case sendAt(Datagram, at: Instant)
    case armTimer(at: Instant, token: UInt64)
    /// The input just handled cost this much service time (instead of the node's default).
    case cost(SimDuration)
    /// Opens a connection; the host answers with `.connected` or `.closed` carrying `ConnectionID`s it
    /// assigns, tagged back to the machine through `tag`.
    case tcpConnect(from: Endpoint, to: Endpoint, tag: UInt64)
    case tcpSend(ConnectionID, [UInt8])
    case tcpClose(ConnectionID)
}

/// The machines a simulator hosts, addressed by node ID.
///
/// The host keeps its machines in typed arrays and dispatches in place, so handling an input never
/// copies a machine. Machines are value types owned by the host; they never see the network, the
/// event queue or a clock, only inputs, the instant (the node's own clock, skew included) and the
/// action buffer.
public protocol NodeHost {
    mutating func handle(node: NodeID, _ input: NodeInput, now: Instant, actions: inout [NodeAction])
    /// Node `node` lost its memory in a crash: rebuild it from configuration and "disk".
    mutating func restart(node: NodeID)
    /// The tag of a `.tcpConnect` from `node` resolved to a connection.
    mutating func connectionAssigned(node: NodeID, _ connection: ConnectionID, tag: UInt64)
}
