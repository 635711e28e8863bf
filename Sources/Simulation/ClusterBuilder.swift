import DNSWire
import DNSZone
import Determinism
import Nameserver
import Scenario
import SimNet
import Traffic

/// Turns a validated scenario and its loaded zones into a simulator ready to run.
///
/// Addresses are assigned in declaration order: nameserver i gets 192.0.2.(10+i) and
/// 2001:db8::(10+i); clients are numbered from 198.18.0.0 (RFC 2544's benchmarking range) and
/// 2001:db8:c::, one address per client.
struct ClusterBuilder {
    let scenario: Scenario
    let zones: ZoneSet

    /// The simulator and the IDs of what it hosts, by scenario name.
    func build(recordTrace: Bool) -> (Simulator<ClusterHost>, BuiltCluster) {
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
        for (index, spec) in scenario.nameservers.enumerated() {
            let v4 = IPv4Address(192, 0, 2, UInt8(10 + index))
            let v6 = IPv6Address(high: 0x2001_0db8_0000_0000, low: UInt64(10 + index))
            let config = NodeConfig(
                name: spec.name, site: siteIDs[spec.site] ?? SiteID(0), networks: networkMask(spec.networks),
                addresses: [.v4(v4), .v6(v6)], cores: spec.capacity.cores, serviceTime: spec.capacity.serviceTime,
                queueLimit: spec.capacity.queueLimit)
            let id = simulator.addNode(config: config)
            simulator.host.add(NameserverNode(zones: zones))
            built.nameservers.append((spec.name, id))
        }
        var nextClient: UInt32 = 0
        for spec in scenario.workload {
            let targets = spec.targets.isEmpty ? scenario.nameservers.map(\.name) : spec.targets
            let servers = targets.compactMap { name in built.nameservers.first { $0.0 == name }?.1 }
                .map { Endpoint(node: $0, addressIndex: 0, port: 53) }
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
            simulator.host.add(ResolverNode(population: population, node: id, servers: servers))
            built.populations.append((spec.name, id))
        }
        simulator.scheduleFaults(faultPlan(siteIDs: siteIDs, built: built))
        return (simulator, built)
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
        return ResolverPopulationConfig(
            name: spec.name, clientCount: spec.count, serverCount: max(1, servers), rate: queryRate, queryTypes: types,
            zipfExponent: spec.zipfExponent, nxdomainPartsPerMillion: spec.nxdomainPartsPerMillion,
            ednsPartsPerMillion: spec.ednsPartsPerMillion, ednsSizes: spec.ednsSizes, timeout: spec.timeout,
            retries: spec.retries, tcpFallback: spec.tcpFallback, stopAt: Instant.zero + duration)
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

/// Names of what a run hosts, in scenario order.
struct BuiltCluster {
    var nameservers: [(String, NodeID)] = []
    var populations: [(String, NodeID)] = []
}
