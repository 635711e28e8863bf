import DNSWire

/// A node of the simulated network: one host, or one population of clients sharing a behaviour.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let index: UInt32
    public init(_ index: Int) { self.index = UInt32(index) }
    public static func < (lhs: NodeID, rhs: NodeID) -> Bool { lhs.index < rhs.index }
    public var description: String { "node\(index)" }
}

/// A site (data centre or client region) identified by its index in the network's site table.
public struct SiteID: Hashable, Comparable, Sendable {
    public let index: UInt32
    public init(_ index: Int) { self.index = UInt32(index) }
    public static func < (lhs: SiteID, rhs: SiteID) -> Bool { lhs.index < rhs.index }
}

/// One end of a datagram or connection: a node, which of its addresses, and a port.
///
/// A client population is one node with many addresses (one per client), so a population of
/// 10,000 resolvers costs one machine, yet each client has its own source address.
public struct Endpoint: Hashable, Sendable {
    public var node: NodeID
    public var addressIndex: UInt32
    public var port: UInt16

    public init(node: NodeID, addressIndex: UInt32 = 0, port: UInt16) {
        self.node = node
        self.addressIndex = addressIndex
        self.port = port
    }
}

/// A UDP datagram with real bytes.
public struct Datagram: Sendable, Equatable {
    public var source: Endpoint
    public var destination: Endpoint
    public var payload: [UInt8]

    public init(source: Endpoint, destination: Endpoint, payload: [UInt8]) {
        self.source = source
        self.destination = destination
        self.payload = payload
    }
}
