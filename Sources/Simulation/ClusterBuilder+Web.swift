import DNSWire
import DNSZone
import Determinism
import Scenario
import SimNet
import Storage
import Traffic
import WebServer

/// The web server, its customers and their update clients.
///
/// The customers are provisioned into the primary's database before anything starts (accounts,
/// tokens, one domain with an A record each, AAAA for a share), so the primary and its
/// secondaries start from the provisioned zone. Customer i starts on 198.19.0.0 + i (RFC 2544's
/// benchmarking range, after the resolvers' 198.18.0.0/16); each updater population's spare
/// addresses for changes follow all customers. Customer i's IPv6 /64 is 2001:db8:c000:i::/64 (for
/// the share with IPv6); new prefixes come from 2001:db8:d00k::/48 for population k.
struct WebSetup {
    var store: ZoneStore
    var customers: [ProvisionedCustomer]
    /// The zones as provisioned (what the primary and the secondaries start with).
    var zones: ZoneSet

    static let customerBase: UInt32 = 0xC613_0000
    static let sparePerPopulation = 64

    /// Stores the zone files' zones in the primary's database and provisions the customers.
    /// `provision` false: the database was provisioned by an earlier start (live mode); it is used as it is.
    static func make(_ scenario: Scenario, zones: ZoneSet, store: ZoneStore, provision: Bool = true) throws(BuildError) -> WebSetup {
        do {
            guard provision else { return WebSetup(store: store, customers: [], zones: try store.loadZones().zones) }
            for zone in zones.zones { _ = try store.storeZone(zone, kind: .master) }
            var provisioned: [ProvisionedCustomer] = []
            if let customers = scenario.webPart.customers {
                var random = SeededRandom(seed: scenario.seed, label: "customers:ipv6")
                let addresses = (0..<customers.count).map { index -> (IPv4Address, IPv6Address?) in
                    let v4 = IPv4Address(customerBase &+ UInt32(index))
                    let hasV6 = random.chance(partsPerMillion: customers.ipv6PartsPerMillion)
                    return (v4, hasV6 ? IPv6Address(high: initialPrefix(index), low: 1) : nil)
                }
                provisioned = try WebServer.provision(
                    store: store, zone: customers.zone, addresses: addresses, ttl: customers.ttl, seed: scenario.seed,
                    now: .zero, epochSeconds: scenario.epochSeconds)
            }
            return WebSetup(store: store, customers: provisioned, zones: try store.loadZones().zones)
        } catch {
            throw .storage(error)
        }
    }

    static func initialPrefix(_ index: Int) -> UInt64 { 0x2001_0db8_c000_0000 | UInt64(index & 0xFFFF) }

    /// The server's configuration from the scenario's limits.
    static func serverConfig(_ scenario: Scenario) -> WebServerConfig {
        let limits = scenario.webPart.web?.limits ?? WebLimitsSpec()
        var config = WebServerConfig(providerZones: scenario.webPart.customers.map { [$0.zone] } ?? [],
                                     epochSeconds: scenario.epochSeconds)
        config.accountClasses = [AccountClass(name: "standard", dailyUpdateLimit: limits.dailyUpdates)]
        config.requestsPerWindow = limits.requestsPerWindow
        config.requestWindow = limits.window
        config.abuseNochgLimit = limits.abuseNochg
        config.abuseBlock = limits.abuseBlock
        config.recordTTL = scenario.webPart.customers?.ttl ?? 60
        return config
    }

    /// Which customers each updater population runs: shares of all customers, in file order.
    func slices(_ populations: [UpdaterPopulationSpec]) -> [Range<Int>] {
        var start = 0
        return populations.map { population in
            let count = Int((UInt64(customers.count) * UInt64(population.sharePartsPerMillion)) / 1_000_000)
            let end = min(customers.count, start + count)
            defer { start = end }
            return start..<end
        }
    }

    /// The fleet of population `index`, its customers being `slice`.
    func fleetConfig(_ scenario: Scenario, population index: Int, slice: Range<Int>, spareStart: UInt32) -> UpdaterFleetConfig {
        let spec = scenario.webPart.updaters[index]
        let model = Self.model(spec)
        let fleetCustomers = slice.enumerated().map { offset, customerIndex -> UpdaterCustomer in
            let customer = customers[customerIndex]
            let token = spec.badToken ? "wrong" + String(customer.domainToken.dropFirst(5)) : customer.domainToken
            return UpdaterCustomer(hostname: customer.domain, token: token, login: customer.account, model: 0,
                                   addressIndex: UInt32(offset),
                                   v6Prefix: customer.ipv6.map { IPv6Address(high: $0.high, low: 0) },
                                   v6InterfaceID: customer.ipv6?.low ?? 1)
        }
        let pool = slice.map { customers[$0].ipv4 } + (0..<UInt32(spareCount(slice))).map { IPv4Address(spareStart &+ $0) }
        let changes = scenario.webPart.ipChanges.map { change -> IPChangeProcess in
            switch change.kind {
            case .dailyReconnect(let at, let spread):
                return .dailyReconnect(atSecondOfDay: UInt32(at), spread: spread, newV6Prefix: change.ipv6Prefix,
                                       sharePartsPerMillion: change.sharePartsPerMillion)
            case .random(let mean):
                return .random(meanInterval: mean, newV6Prefix: change.ipv6Prefix, sharePartsPerMillion: change.sharePartsPerMillion)
            }
        }
        let v6Pool = V6PrefixPool(base: IPv6Address(high: 0x2001_0db8_d000_0000 | UInt64(index) << 16, low: 0), prefixLength: 48)
        return UpdaterFleetConfig(
            name: spec.name, customers: fleetCustomers, models: [model], ipChanges: changes, addressPool: pool,
            v6PrefixPool: v6Pool, servers: 1, startAt: Instant.zero + spec.start, stopAt: Instant.zero + scenario.duration,
            hostHeader: "dyn.example.net", epochSeconds: UInt64(scenario.epochSeconds), cachesStartSynced: true)
    }

    /// The addresses a fleet of `slice` customers needs beyond their initial ones.
    func spareCount(_ slice: Range<Int>) -> Int { slice.count + Self.sparePerPopulation }

    static func model(_ spec: UpdaterPopulationSpec) -> UpdaterModel {
        switch spec.model {
        case .ddclient:
            var settings = DDClientSettings()
            if let interval = spec.interval { settings.interval = interval }
            return .ddclient(settings, name: "ddclient")
        case .inadyn:
            var settings = InadynSettings()
            if let interval = spec.interval { settings.period = interval }
            return .inadyn(settings, name: "inadyn")
        case .fritzbox:
            return .fritzbox(FritzBoxSettings(), name: "fritzbox")
        case .cron:
            var settings = CronSettings()
            if let interval = spec.interval { settings.interval = interval }
            return .cron(settings, name: "cron")
        }
    }
}

extension ClusterBuilder {
    /// The web server gets 192.0.2.200 and 2001:db8::200; its HTTPS endpoint is port 443. Then one
    /// node per updater population, its addresses being the population's address pool.
    func addWeb(to simulator: inout Simulator<ClusterHost>, siteIDs: [String: SiteID], networkMask: ([String]) -> UInt64,
                built: inout BuiltCluster) throws(BuildError) {
        guard let spec = scenario.webPart.web, let setup = webSetup else { return }
        let node = NodeConfig(
            name: spec.name, site: siteIDs[spec.site] ?? SiteID(0), networks: networkMask(spec.networks),
            addresses: [.v4(IPv4Address(192, 0, 2, 200)), .v6(IPv6Address(high: 0x2001_0db8_0000_0000, low: 0x200))],
            cores: spec.capacity.cores, serviceTime: spec.capacity.serviceTime, queueLimit: spec.capacity.queueLimit,
            maxConnections: 65_536, maxConnectionsPerClient: 65_536, idleTimeout: .seconds(60))
        let id = simulator.addNode(config: node)
        precondition(id == webNode, "the web server follows the nameservers and balancers")
        guard let primary = hostNode(spec.primary) else { return }
        let consoles = built.balancers.map { Endpoint(node: $0.1, addressIndex: 0, port: BalancerNode.consolePort) }
        for index in simulator.host.balancers.indices { simulator.host.balancers[index].consoleSources = [id] }
        do {
            var node = try WebNode(store: setup.store, config: WebSetup.serverConfig(scenario), node: id,
                                   primary: Endpoint(node: primary, addressIndex: 0, port: 53), balancers: consoles)
            node.losesOneAcknowledgedUpdate = injectedBug == .loseAcknowledgedUpdate
            if faultPoints.contains(.slowCommit) {
                node.slowCommits = FaultPoint.slowCommit.random(seed: scenario.seed, node: spec.name)
            }
            simulator.host.add(node)
        } catch {
            throw .storage(error)
        }
        built.web = (spec.name, id)
        let slices = setup.slices(scenario.webPart.updaters)
        var spareStart = WebSetup.customerBase &+ UInt32(setup.customers.count)
        let server = Endpoint(node: id, addressIndex: 0, port: 443)
        for (index, population) in scenario.webPart.updaters.enumerated() {
            let slice = slices[index]
            let config = setup.fleetConfig(scenario, population: index, slice: slice, spareStart: spareStart)
            spareStart &+= UInt32(setup.spareCount(slice))
            let site = scenario.sites.first { $0.name == population.site }
            let fleetNode = simulator.addNode(config: NodeConfig(
                name: population.name, site: siteIDs[population.site] ?? SiteID(0),
                networks: networkMask(site?.networks ?? []), addresses: config.addressPool.map { .v4($0) }))
            simulator.host.add(UpdaterNode(fleet: UpdaterFleet(config: config, seed: scenario.seed), node: fleetNode,
                                           servers: [server]))
            built.updaters.append((population.name, fleetNode, slice))
        }
    }
}
