import DNSWire
import NIOCore
#if canImport(Glibc)
import Glibc
#endif
import SimNet
import Simulation

/// Where each cluster node listens on this machine: loopback addresses, the simulator's ports.
///
/// Nameserver i (scenario order) is 127.0.0.(10+i), balancer i 127.0.0.(100+i), the web server
/// 127.0.0.200. Ports are the simulator's; the privileged ones (53, 80, 443, 853) move up by
/// `portOffset` so that serve runs without root (`--port-offset 10000`: 10053, 10080, 10443, 10853).
public struct LiveLayout: Sendable {
    public struct Address: Sendable {
        public var node: NodeID
        public var name: String
        public var role: LiveCluster.Role
        public var ip: IPv4Address
    }

    public let portOffset: UInt16
    public private(set) var addresses: [Address] = []
    private var nodeByIP: [UInt32: NodeID] = [:]

    static let privilegedPorts: [UInt16] = [53, 80, 443, 853]

    public init(cluster: LiveCluster, portOffset: UInt16) {
        self.init(portOffset: portOffset, nodes: cluster.nodes.map { ($0.id, $0.name, $0.role) })
    }

    /// Nodes numbered in order (as the simulator numbers them).
    init(portOffset: UInt16, roles: [(String, LiveCluster.Role)]) {
        self.init(portOffset: portOffset, nodes: roles.enumerated().map { (NodeID($0.offset), $0.element.0, $0.element.1) })
    }

    private init(portOffset: UInt16, nodes: [(id: NodeID, name: String, role: LiveCluster.Role)]) {
        self.portOffset = portOffset
        var nameservers = 0
        var balancers = 0
        for node in nodes {
            let ip: IPv4Address
            switch node.role {
            case .nameserver, .primary, .secondary:
                ip = IPv4Address(127, 0, 0, UInt8(10 + nameservers))
                nameservers += 1
            case .balancer:
                ip = IPv4Address(127, 0, 0, UInt8(100 + balancers))
                balancers += 1
            case .web:
                ip = IPv4Address(127, 0, 0, 200)
            }
            addresses.append(Address(node: node.id, name: node.name, role: node.role, ip: ip))
            nodeByIP[ip.value] = node.id
        }
    }

    public func address(of node: NodeID) -> Address? { addresses.first { $0.node == node } }

    func ip(of node: NodeID) -> IPv4Address? { address(of: node)?.ip }

    /// The cluster node at a real address, if it is one.
    func node(at ip: IPv4Address) -> NodeID? { nodeByIP[ip.value] }

    /// The real port of a simulator port.
    public func realPort(_ port: UInt16) -> UInt16 {
        Self.privilegedPorts.contains(port) ? port &+ portOffset : port
    }

    /// The simulator port of a real port on a cluster node.
    func simulatorPort(_ port: UInt16) -> UInt16 {
        for privileged in Self.privilegedPorts where privileged &+ portOffset == port { return privileged }
        return port
    }
}

extension IPAddress {
    /// The address of a socket (IPv4 or IPv6), nil for a Unix socket.
    init?(_ address: SocketAddress) {
        switch address {
        case .v4(let v4):
            self = .v4(IPv4Address(UInt32(bigEndian: v4.address.sin_addr.s_addr)))
        case .v6(let v6):
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            var high: UInt64 = 0
            var low: UInt64 = 0
            for index in 0..<8 { high = high << 8 | UInt64(bytes[index]) }
            for index in 8..<16 { low = low << 8 | UInt64(bytes[index]) }
            self = .v6(IPv6Address(high: high, low: low))
        case .unixDomainSocket:
            return nil
        }
    }

    /// A socket address for this address and `port` (built from the octets, no text).
    func socketAddress(port: UInt16) -> SocketAddress {
        switch self {
        case .v4(let v4):
            return SocketAddress(DNSExchange.socketAddress(v4, port: port), host: "")
        case .v6(let v6):
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &address.sin6_addr) { bytes in
                for index in 0..<8 {
                    bytes[index] = UInt8(truncatingIfNeeded: v6.high >> (56 - 8 * UInt64(index)))
                    bytes[8 + index] = UInt8(truncatingIfNeeded: v6.low >> (56 - 8 * UInt64(index)))
                }
            }
            return SocketAddress(address, host: "")
        }
    }
}
