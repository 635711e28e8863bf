import DNSWire
import Determinism
import PcapReplay
import Scenario
import SimNet

extension ClusterBuilder {
    /// One node per `replay` item, after the resolver populations: its addresses are the captured
    /// clients' (kept or anonymised), its servers the item's targets on port 53.
    func addReplays(
        to simulator: inout Simulator<ClusterHost>, siteIDs: [String: SiteID], networkMask: ([String]) -> UInt64,
        built: inout BuiltCluster
    ) {
        for (index, spec) in scenario.replays.enumerated() {
            let plan = index < replayPlans.count ? replayPlans[index] : ReplayPlan(messages: [])
            let servers = spec.targets.compactMap(hostNode).map { Endpoint(node: $0, addressIndex: 0, port: 53) }
            guard !servers.isEmpty else { continue }
            var addresses = ReplayNode.addresses(for: plan.clients.map(\.description), mapping: spec.addresses,
                                                 seed: scenario.seed, label: spec.name)
            if addresses.isEmpty { addresses = [.v4(IPv4Address(0x6440_0000))] }  // a node needs an address
            let site = scenario.sites.first { $0.name == spec.site }
            let id = simulator.addNode(config: NodeConfig(
                name: spec.name, site: siteIDs[spec.site] ?? SiteID(0), networks: networkMask(site?.networks ?? []),
                addresses: addresses))
            var config = ReplayClientsConfig(serverCount: servers.count, stopAt: Instant.zero + scenario.duration)
            config.startAt = Instant.zero + spec.start
            config.timeout = spec.timeout
            config.loop = spec.loop
            switch spec.transport {
            case .captured: config.transport = .captured
            case .udp: config.transport = .udp
            case .tcp: config.transport = .tcp
            }
            simulator.host.add(ReplayNode(name: spec.name, clients: ReplayClients(plan: plan, config: config),
                                          addresses: addresses, node: id, servers: servers))
            built.replays.append((spec.name, id))
        }
    }
}
