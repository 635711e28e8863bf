import DNSWire
import DNSZone
import Nameserver
import Determinism
import Scenario
import SimNet
import Storage
import WebServer

/// The cluster part of a scenario, built for a live host (`ddnslab serve`): the same `ClusterHost`
/// and node adapters the simulator runs, without traffic, faults or scheduled changes.
///
/// Nodes keep the simulator's numbering (nameservers, then balancers, then the web server). One
/// more node, `outside`, stands for every address that is not a cluster node: real clients and
/// real peers (a PowerDNS secondary to NOTIFY, a PowerDNS primary to follow). Its address list
/// starts with `peers` and grows as the host meets new client addresses (`noteOutsideAddress`).
public struct LiveCluster {
    public enum Role: Sendable, Equatable {
        case nameserver, primary, secondary, balancer, web
    }

    /// One cluster node: its scenario name and role.
    public struct Node: Sendable {
        public var name: String
        public var role: Role
        public var id: NodeID
    }

    public var host: ClusterHost
    public var nodes: [Node]
    /// The node standing for every address outside the cluster.
    public let outside: NodeID
    /// Addresses of `outside`, by address index.
    public private(set) var outsideAddresses: [IPAddress]
    private var outsideIndex: [IPAddress: UInt32] = [:]
    private var clusterAddresses: [[IPAddress]]
    /// The customers provisioned on this start (empty when the databases already existed).
    public var customers: [ProvisionedCustomer]
    /// The primary whose database the web server writes and the backups copy, if any.
    public var backedUpStore: ZoneStore?
    /// Every database the cluster opened, to close on the way out.
    public var stores: [ZoneStore]

    /// An address to send to (a real peer or a client): its node and address index.
    public mutating func endpoint(outside address: IPAddress, port: UInt16) -> Endpoint {
        Endpoint(node: outside, addressIndex: noteOutsideAddress(address), port: port)
    }

    /// The address index of `address` on `outside`, adding it (and telling the balancers and web
    /// server, who judge clients by address) when it is new.
    @discardableResult
    public mutating func noteOutsideAddress(_ address: IPAddress) -> UInt32 {
        if let index = outsideIndex[address] { return index }
        let index = UInt32(outsideAddresses.count)
        outsideAddresses.append(address)
        outsideIndex[address] = index
        host.setAddressBook(clusterAddresses + [outsideAddresses])
        return index
    }

    /// Builds the cluster of `scenario` over the databases in `dataFolder`.
    ///
    /// - `reuse`: the folder holds the databases of an earlier start; the primary and the web
    ///   server serve what they hold (nothing is stored or provisioned again) and secondaries start
    ///   from their copies. Otherwise the zones are stored and the customers provisioned.
    /// - `notify`: outside addresses (`peers` indexes with a port) every primary also NOTIFYs.
    /// - `follow`: secondaries (by name) that take their zones from an outside primary instead.
    /// - `epochSeconds`: Unix time at the host's instant zero.
    public static func build(
        scenario original: Scenario, zones: ZoneSet, dataFolder: String, reuse: Bool, epochSeconds: Int64,
        peers: [IPAddress], notify: [(peer: Int, port: UInt16)], follow: [String: (peer: Int, port: UInt16)]
    ) throws(BuildError) -> LiveCluster {
        var scenario = original
        scenario.epochSeconds = epochSeconds
        scenario.workload = []
        scenario.changes = []
        scenario.faults = []
        scenario.randomFaults = nil
        scenario.replays = []
        scenario.webPart.updaters = []
        scenario.webPart.ipChanges = []
        scenario.edge = nil
        var builder = ClusterBuilder(scenario: scenario, zones: zones)
        builder.workFolder = dataFolder
        builder.reuseDatabases = reuse
        builder.emptySecondaries = Set(follow.keys)
        let (simulator, built) = try builder.build(recordTrace: false)
        var host = simulator.host
        host.countsNameserverLoad = false
        let outside = NodeID(simulator.nodeCount)
        let outsideEndpoint = { (peer: Int, port: UInt16) in Endpoint(node: outside, addressIndex: UInt32(peer), port: port) }
        let extraNotify = notify.map { outsideEndpoint($0.peer, $0.port) }
        for index in host.primaries.indices { host.primaries[index].addNotifyTargets(extraNotify) }
        for (offset, name) in built.secondaryNames.enumerated() {
            guard let target = follow[name] else { continue }
            host.secondaries[offset].follow(outsideEndpoint(target.peer, target.port))
        }
        var nodes: [Node] = []
        for (name, id) in built.nameservers { nodes.append(Node(name: name, role: .nameserver, id: id)) }
        for (name, id) in built.replicated {
            nodes.append(Node(name: name, role: built.primaryNames.contains(name) ? .primary : .secondary, id: id))
        }
        for (name, id) in built.balancers { nodes.append(Node(name: name, role: .balancer, id: id)) }
        if let (name, id) = built.web { nodes.append(Node(name: name, role: .web, id: id)) }
        nodes.sort { $0.id < $1.id }
        var stores = host.primaries.map(\.store) + host.secondaries.map(\.store)
        if let setup = builder.webSetup { stores.append(setup.store) }
        let backedUp = scenario.backups.flatMap { spec in
            built.primaryNames.firstIndex(of: spec.host).map { host.primaries[$0].store }
        }
        var cluster = LiveCluster(
            host: host, nodes: nodes, outside: outside, outsideAddresses: [],
            clusterAddresses: (0..<simulator.nodeCount).map { simulator.config(of: NodeID($0)).addresses },
            customers: builder.webSetup?.customers ?? [], backedUpStore: backedUp, stores: stores)
        for peer in peers { cluster.noteOutsideAddress(peer) }
        if peers.isEmpty { cluster.host.setAddressBook(cluster.clusterAddresses + [[]]) }
        return cluster
    }

    private init(host: ClusterHost, nodes: [Node], outside: NodeID, outsideAddresses: [IPAddress],
                 clusterAddresses: [[IPAddress]], customers: [ProvisionedCustomer], backedUpStore: ZoneStore?,
                 stores: [ZoneStore]) {
        self.host = host
        self.nodes = nodes
        self.outside = outside
        self.outsideAddresses = outsideAddresses
        self.clusterAddresses = clusterAddresses
        self.customers = customers
        self.backedUpStore = backedUpStore
        self.stores = stores
    }
}

extension PrimaryNode {
    /// Also NOTIFY (and count as secondaries) these endpoints.
    mutating func addNotifyTargets(_ targets: [Endpoint]) {
        guard !targets.isEmpty else { return }
        config.secondaries += targets
        var ignored: [PrimaryAction<Endpoint>] = []
        for target in targets { machine.handle(.secondaryAdded(target), now: .zero, actions: &ignored) }
    }
}

extension SecondaryNode {
    /// Take the zones from `primary` instead of the configured one.
    mutating func follow(_ primary: Endpoint) {
        config.primary = primary
        restart()
    }
}

extension LiveCluster {
    /// Backends per balancer (every balancer has the scenario's backend list).
    public var backendCount: Int { host.balancers.first?.backends.count ?? 0 }
}
