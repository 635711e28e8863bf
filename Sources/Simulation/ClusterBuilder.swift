import Balancer
import DNSWire
import DNSZone
import Determinism
import Nameserver
import PcapReplay
import Scenario
import SimNet
import Storage
import Traffic

/// Turns a validated scenario and its loaded zones into a simulator ready to run.
///
/// Addresses are assigned in declaration order: nameserver i gets 192.0.2.(10+i) and
/// 2001:db8::(10+i); clients are numbered from 198.18.0.0 (RFC 2544's benchmarking range) and
/// 2001:db8:c::, one address per client.
struct ClusterBuilder {
    let scenario: Scenario
    let zones: ZoneSet
    /// Where primaries and secondaries keep their SQLite files (`<name>.sqlite3`); nil keeps them in
    /// memory (tests).
    var workFolder: String?
    /// Live mode on a data folder of an earlier start: open the databases as they are (nothing
    /// stored or provisioned again; secondaries start from their own copies).
    var reuseDatabases = false
    /// Secondaries that start with no copy (live mode: one that follows an outside primary).
    var emptySecondaries: Set<String> = []
    var injectedBug: InjectedBug?
    var faultPoints: Set<FaultPoint> = []
    /// The provisioned primary database when the scenario has a web server.
    var webSetup: WebSetup?
    /// The plan of each `replay` item, in scenario order (a missing one replays nothing).
    var replayPlans: [ReplayPlan] = []

    /// The web server's node: after the nameservers and balancers.
    var webNode: NodeID { NodeID(scenario.nameservers.count + scenario.balancers.count) }

    /// The simulator and the IDs of what it hosts, by scenario name.
    mutating func build(recordTrace: Bool) throws(BuildError) -> (Simulator<ClusterHost>, BuiltCluster) {
        var topology = Topology()
        let networkNames = Array(Set(scenario.sites.flatMap(\.networks))).sorted()
        var siteIDs: [String: SiteID] = [:]
        for site in scenario.sites {
            let local = LinkModel(delay: Self.delayModel(site.localLatency))
            siteIDs[site.name] = topology.addSite(site.name, localPath: local, seed: scenario.seed)
        }
        for link in scenario.links {
            guard let a = siteIDs[link.between.0], let b = siteIDs[link.between.1] else { continue }
            let model = LinkModel(
                delay: Self.delayModel(link.latency), lossPartsPerMillion: link.lossPartsPerMillion,
                duplicatePartsPerMillion: link.duplicatePartsPerMillion, reorderPartsPerMillion: link.reorderPartsPerMillion,
                reorderDelayNanoseconds: link.reorderDelay.nanoseconds)
            topology.addLink(a, b, model: model, seed: scenario.seed)
        }
        func networkMask(_ names: [String]) -> UInt64 {
            names.reduce(0) { mask, name in mask | (networkNames.firstIndex(of: name).map { UInt64(1) << UInt64($0) } ?? 0) }
        }
        var simulator = Simulator(host: ClusterHost(), topology: topology, seed: scenario.seed, recordTrace: recordTrace)
        var built = BuiltCluster()
        if let web = scenario.webPart.web {
            let shared: ZoneStore
            do {
                shared = try store(for: web.primary)
            } catch {
                throw .storage(error)
            }
            webSetup = try WebSetup.make(scenario, zones: zones, store: shared, provision: !reuseDatabases)
        }
        for (index, spec) in scenario.nameservers.enumerated() {
            let v4 = IPv4Address(192, 0, 2, UInt8(10 + index))
            let v6 = IPv6Address(high: 0x2001_0db8_0000_0000, low: UInt64(10 + index))
            var config = NodeConfig(
                name: spec.name, site: siteIDs[spec.site] ?? SiteID(0), networks: networkMask(spec.networks),
                addresses: [.v4(v4), .v6(v6)], cores: spec.capacity.cores, serviceTime: spec.capacity.serviceTime,
                queueLimit: spec.capacity.queueLimit)
            if case .secondary(_, _, let joinAt?) = spec.role { config.startsAt = Instant.zero + joinAt }
            let id = simulator.addNode(config: config)
            do {
                try addNameserver(spec, id: id, to: &simulator.host, built: &built)
            } catch {
                throw .storage(error)
            }
        }
        try addBalancers(to: &simulator, siteIDs: siteIDs, networkMask: networkMask, built: &built)
        try addWeb(to: &simulator, siteIDs: siteIDs, networkMask: networkMask, built: &built)
        var nextClient: UInt32 = 0
        for spec in scenario.workload {
            let targets = spec.targets.isEmpty ? scenario.nameservers.map(\.name) : spec.targets
            let servers = targets.compactMap(hostNode).map { Endpoint(node: $0, addressIndex: 0, port: 53) }
            let site = scenario.sites.first { $0.name == spec.site }
            let addresses = (0..<UInt32(spec.count)).map { offset -> IPAddress in
                .v4(IPv4Address(0xC612_0000 &+ nextClient &+ offset))
            }
            nextClient &+= UInt32(spec.count)
            let config = NodeConfig(name: spec.name, site: siteIDs[spec.site] ?? SiteID(0),
                                    networks: networkMask(site?.networks ?? []), addresses: addresses)
            let population = ResolverPopulation(config: populationConfig(spec, servers: servers.count), zones: zones,
                                                seed: scenario.seed)
            let id = simulator.addNode(config: config)
            var resolverNode = ResolverNode(population: population, node: id, servers: servers)
            if let victim = spec.spoof, let entry = built.populations.first(where: { $0.0 == victim }),
               let victimSpec = scenario.workload.first(where: { $0.name == victim }) {
                resolverNode.spoofAs = (entry.1, UInt32(victimSpec.count))
            }
            simulator.host.add(resolverNode)
            built.populations.append((spec.name, id))
        }
        addReplays(to: &simulator, siteIDs: siteIDs, networkMask: networkMask, built: &built)
        if let edge = scenario.edge {
            let filter = EdgeFilterConfig(dropSourcePorts: edge.dropSourcePorts,
                                          maxPacketsPerSecondPerSource: edge.maxPacketsPerSecondPerSource,
                                          maxPacketsPerSecond: edge.maxPacketsPerSecond)
            for name in edge.protect {
                guard let node = hostNode(name) else { continue }
                simulator.setEdgeFilter(filter, for: node)
                built.edge.append((name, node))
            }
        }
        simulator.host.countsNameserverLoad = !scenario.balancers.isEmpty
        simulator.host.setAddressBook((0..<simulator.nodeCount).map { simulator.config(of: NodeID($0)).addresses })
        simulator.scheduleFaults(faultPlan(siteIDs: siteIDs, built: built))
        return (simulator, built)
    }

    /// Nameservers are nodes 0..<n, balancers follow in scenario order.
    func hostNode(_ name: String) -> NodeID? {
        if let index = scenario.nameservers.firstIndex(where: { $0.name == name }) { return NodeID(index) }
        if let index = scenario.balancers.firstIndex(where: { $0.name == name }) {
            return NodeID(scenario.nameservers.count + index)
        }
        if scenario.webPart.web?.name == name { return webNode }
        return nil
    }

    /// Open connections a balancer's kernel holds at most (a usual `ulimit -n`).
    static let balancerDescriptors = 65_536

    /// Balancer i gets 203.0.113.(10+i) and 2001:db8:b::(10+i); its backends are nameservers.
    private func addBalancers(
        to simulator: inout Simulator<ClusterHost>, siteIDs: [String: SiteID], networkMask: ([String]) -> UInt64,
        built: inout BuiltCluster
    ) throws(BuildError) {
        let config = scenario.balancerConfig
        let backends = config.backends.map { backend in
            Endpoint(node: hostNode(backend.address) ?? NodeID(0), addressIndex: 0, port: 53)
        }
        for (index, spec) in scenario.balancers.enumerated() {
            let v4 = IPv4Address(203, 0, 113, UInt8(10 + index))
            let v6 = IPv6Address(high: 0x2001_0db8_000b_0000, low: UInt64(10 + index))
            let node = NodeConfig(
                name: spec.name, site: siteIDs[spec.site] ?? SiteID(0), networks: networkMask(spec.networks),
                addresses: [.v4(v4), .v6(v6)], cores: spec.capacity.cores, serviceTime: spec.capacity.serviceTime,
                queueLimit: spec.capacity.queueLimit,
                // The kernel only bounds descriptors; connection limits and timeouts are the
                // balancer's own decisions (`FrontendConnections`).
                maxConnections: Self.balancerDescriptors, maxConnectionsPerClient: Self.balancerDescriptors,
                idleTimeout: .seconds(3600))
            let id = simulator.addNode(config: node)
            do {
                var balancer = try BalancerNode(name: spec.name, config: config, node: id, backends: backends,
                                                addressBook: [], seed: scenario.seed)
                if faultPoints.contains(.delayHealthCheck) {
                    balancer.probeDelays = FaultPoint.delayHealthCheck.random(seed: scenario.seed, node: spec.name)
                }
                simulator.host.add(balancer)
            } catch {
                throw .balancer(spec.name, error)
            }
            built.balancers.append((spec.name, id))
        }
    }

    /// Nameserver `i` is node `i`: nameservers are added first, in scenario order.
    private func port53(_ name: String) -> Endpoint? {
        scenario.nameservers.firstIndex { $0.name == name }.map { Endpoint(node: NodeID($0), addressIndex: 0, port: 53) }
    }

    private func store(for name: String) throws(StorageError) -> ZoneStore {
        guard let workFolder else { return try ZoneStore.inMemory() }
        // The caller hands over an empty folder (the CLI clears it before each run).
        return try ZoneStore(path: workFolder + "/" + name + ".sqlite3", durability: .processCrash)
    }

    private func addNameserver(_ spec: NameserverSpec, id: NodeID, to host: inout ClusterHost,
                               built: inout BuiltCluster) throws(StorageError) {
        let endpoint = Endpoint(node: id, addressIndex: 0, port: 53)
        switch spec.role {
        case .authoritative:
            host.add(NameserverNode(zones: zones))
            built.nameservers.append((spec.name, id))
        case .primary(let notify):
            let secondaries = scenario.nameservers.compactMap { other -> Endpoint? in
                guard case .secondary(let primary, _, _) = other.role, primary == spec.name else { return nil }
                return port53(other.name)
            }
            let policy: NotifyPolicy
            switch notify {
            case .onCommit: policy = .onCommit
            case .periodic(let interval): policy = .periodic(interval: interval)
            case .never: policy = .never
            }
            let shared = webSetup.flatMap { scenario.webPart.web?.primary == spec.name ? $0 : nil }
            let primaryStore: ZoneStore
            if let shared { primaryStore = shared.store } else { primaryStore = try store(for: spec.name) }
            var primary = try PrimaryNode(
                zones: shared?.zones ?? zones, store: primaryStore,
                config: PrimaryConfig(secondaries: secondaries, notify: policy), port53: endpoint, seed: scenario.seed,
                epochSeconds: scenario.epochSeconds, feeds: feeds(for: spec.name), storeZones: shared == nil && !reuseDatabases)
            if shared != nil { primary.pushSources = [webNode] }
            if faultPoints.contains(.dropNotify) {
                primary.notifyDrops = FaultPoint.dropNotify.random(seed: scenario.seed, node: spec.name)
            }
            host.add(primary)
            built.replicated.append((spec.name, id))
            built.primaryNames.append(spec.name)
        case .secondary(let primary, let refresh, let joinAt):
            guard let primaryEndpoint = port53(primary) else { return }
            let policy: RefreshPolicy
            switch refresh {
            case .soaTimers: policy = .soaTimers
            case .every(let interval): policy = .fixed(interval: interval)
            }
            let config = SecondaryConfig(primary: primaryEndpoint, zones: zones.zones.map(\.origin), refresh: policy)
            // A secondary present from the start has synced before; one that joins starts empty.
            host.add(try SecondaryNode(config: config, store: try store(for: spec.name), port53: endpoint, seed: scenario.seed,
                                       storedCopies: joinAt == nil && !reuseDatabases && !emptySecondaries.contains(spec.name) ? (webSetup?.zones ?? zones).zones : []))
            built.replicated.append((spec.name, id))
            built.secondaryNames.append(spec.name)
            built.secondaryPrimaryName.append(primary)
        }
    }

    /// The edit feeds of one primary's change streams (they edit the first zone).
    private func feeds(for primary: String) -> [ZoneEditFeed] {
        guard let zone = zones.zones.first else { return [] }
        let end = Instant.zero + scenario.duration
        return scenario.changes.filter { $0.primary == primary }.map { stream in
            let start = Instant.zero + stream.start
            let stop = stream.duration.map { min(start + $0, end) } ?? end
            return ZoneEditFeed(interval: stream.interval, start: start, stopAt: stop, seed: scenario.seed, zone: zone,
                                label: stream.name)
        }
    }

    private func populationConfig(_ spec: ResolverPopulationSpec, servers: Int) -> ResolverPopulationConfig {
        var cumulative: UInt32 = 0
        let types = spec.queryTypes.map { type, share -> (RRType, UInt32) in
            cumulative += share
            return (type, cumulative)
        }
        let rate = spec.rate
        let duration = scenario.duration
        let process: QueryRate.Process
        if case .constant = rate { process = .constant } else { process = .poisson }
        let queryRate = QueryRate(process: process) { instant in
            rate.rate(at: SimDuration(nanoseconds: Int64(instant.nanoseconds)), duration: duration)
        }
        let stop = spec.stop.map { min($0, duration) } ?? duration
        var config = ResolverPopulationConfig(
            name: spec.name, clientCount: spec.count, serverCount: max(1, servers), rate: queryRate, queryTypes: types,
            zipfExponent: spec.zipfExponent, nxdomainPartsPerMillion: spec.nxdomainPartsPerMillion,
            ednsPartsPerMillion: spec.ednsPartsPerMillion, ednsSizes: spec.ednsSizes, timeout: spec.timeout,
            retries: spec.retries, tcpFallback: spec.tcpFallback, stopAt: Instant.zero + stop)
        config.startAt = Instant.zero + (spec.start ?? .zero)
        config.randomSubdomainOf = spec.randomSubdomainOf
        config.fixedNames = spec.fixedNames
        config.malformedPartsPerMillion = spec.malformedPartsPerMillion
        switch spec.transport {
        case .do53UDP: config.transport = .udp
        case .do53TCP: config.transport = .tcp
        case .dot: config.transport = .dot
        case .doh: config.transport = .doh
        }
        config.hold = spec.hold.map { ConnectionHold(perClient: $0.perClient, sendEvery: $0.sendEvery) }
        config.sourcePort = spec.sourcePort
        return config
    }

    static func delayModel(_ spec: LatencySpec) -> DelayModel {
        DelayModel(baseNanoseconds: spec.base.nanoseconds, jitter: shape(spec.jitter), tail: shape(spec.tail),
                   tailPartsPerMillion: spec.tailPartsPerMillion)
    }

    static func shape(_ distribution: Distribution?) -> DelayModel.Shape {
        guard let distribution else { return .none }
        switch distribution {
        case .constant(let value): return .uniform(low: Double(value.nanoseconds), high: Double(value.nanoseconds))
        case .uniform(let low, let high): return .uniform(low: Double(low.nanoseconds), high: Double(high.nanoseconds))
        case .exponential(let mean): return .exponential(mean: Double(mean.nanoseconds))
        case .normal(let mean, let deviation):
            return .normal(mean: Double(mean.nanoseconds), standardDeviation: Double(deviation.nanoseconds))
        case .logNormal(let median, let sigma): return .logNormal(median: Double(median.nanoseconds), sigma: sigma)
        case .pareto(let minimum, let alpha): return .pareto(minimum: Double(minimum.nanoseconds), alpha: alpha)
        }
    }
}

/// Why a cluster could not be built from a valid scenario: a database could not be opened, or a
/// balancer rejected its configuration (e.g. a regular expression that does not compile).
public enum BuildError: Error, CustomStringConvertible {
    case storage(StorageError)
    case balancer(String, BalancerSetupError)

    public var description: String {
        switch self {
        case .storage(let error): "\(error)"
        case .balancer(let name, let error): "balancer \(name): \(error)"
        }
    }
}

/// Names of what a run hosts, in scenario order.
struct BuiltCluster {
    var balancers: [(String, NodeID)] = []
    /// Hosts behind the hoster's edge filter.
    var edge: [(String, NodeID)] = []
    /// Authoritative-only nameservers (no replication role).
    var nameservers: [(String, NodeID)] = []
    var populations: [(String, NodeID)] = []
    /// Primaries and secondaries, in scenario order.
    var replicated: [(String, NodeID)] = []
    /// For each secondary (in `ClusterHost.secondaries` order): its name and its primary's index
    /// in `ClusterHost.primaries`.
    var secondaryNames: [String] = []
    var secondaryPrimaryName: [String] = []
    var primaryNames: [String] = []
    /// The web server and the updater populations (with the customers each runs).
    var web: (String, NodeID)?
    var updaters: [(String, NodeID, Range<Int>)] = []
    /// Replayed captures, in scenario order.
    var replays: [(String, NodeID)] = []

    /// For each secondary, the index of its primary in `ClusterHost.primaries`.
    var secondaryPrimary: [Int] {
        secondaryPrimaryName.map { name in primaryNames.firstIndex(of: name) ?? 0 }
    }
}
