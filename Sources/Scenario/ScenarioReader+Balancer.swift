import Balancer
import DNSWire
import Determinism
import Yams

/// `balancers` (where the balancers run) and `dnsdist` (what they run: the subset of dnsdist 2.0's
/// YAML configuration in docs/balancer.md, with dnsdist's key names and defaults, so an operator
/// can carry a configuration over). Durations accept dnsdist's plain numbers (seconds; milliseconds
/// where dnsdist uses them) or our duration text (`2s`, `500ms`).
extension ScenarioReader {
    static let balancerKeys = ["name", "site", "networks", "capacity"]
    static let dnsdistKeys = [
        "acl", "backends", "pools", "load_balancing_policies", "packet_caches", "cache_settings", "query_rules",
        "response_rules", "dynamic_rules", "dynamic_rules_settings", "ring_buffers", "tuning", "binds",
    ]
    static let backendKeys = ["name", "address", "protocol", "pools", "order", "weight", "queries_per_second",
                              "udp_timeout", "health_checks"]
    static let healthCheckKeys = ["mode", "qname", "qtype", "qclass", "interval", "timeout", "max_failures", "rise",
                                  "must_resolve", "use_tcp", "lazy"]
    static let lazyKeys = ["sample_size", "min_sample_count", "threshold", "mode", "interval",
                           "use_exponential_back_off", "max_back_off"]
    static let poolKeys = ["name", "packet_cache", "policy"]
    static let policyKeys = ["default_policy", "servfail_on_no_server", "round_robin_servfail_on_no_server",
                             "weighted_balancing_factor", "consistent_hashing_balancing_factor", "hash_perturbation"]
    static let cacheKeys = ["name", "size", "max_ttl", "min_ttl", "max_negative_ttl", "temporary_failure_ttl",
                            "truncated_ttl", "stale_ttl", "dont_age", "keep_stale_data", "options_to_skip",
                            "maximum_entry_size"]
    static let cacheSettingsKeys = ["stale_entries_ttl", "cleaning_delay", "cleaning_percentage"]
    static let ruleKeys = ["name", "uuid", "selector", "action"]
    static let dynamicGroupKeys = ["name", "mask_ipv4", "mask_ipv6", "mask_port", "exclude_ranges", "include_ranges",
                                   "exclude_domains", "rules"]
    static let dynamicRuleKeys = [
        "type", "seconds", "action_duration", "comment", "rate", "ratio", "action", "warning_rate", "warning_ratio",
        "rcode", "qtype", "minimum_number_of_responses", "minimum_global_cache_hit_ratio",
        // Our declarative stand-in for suffix-match's Lua visitor (docs/balancer-dynblocks.md).
        "visitor",
    ]
    static let visitorKeys = [
        "minimum_labels", "maximum_labels", "minimum_query_rate", "minimum_distinct_children", "failure_ratio",
        "maximum_cache_hit_ratio", "maximum_queries_per_child", "selection",
    ]

    // MARK: balancers

    mutating func readBalancers(_ field: Field?) -> [BalancerSpec] {
        guard let field, let items = list(field, expected: "a list of balancers") else { return [] }
        var specs: [BalancerSpec] = []
        for item in items {
            guard let fields = mapping(item, context: "balancer", allowed: Self.balancerKeys, required: ["name", "site"])
            else { continue }
            let name = declareHostName(fields["name"])
            if let name { balancerNames.append(name) }
            let site = fields["site"].flatMap { siteReference($0.value, key: $0.keyNode) }
            let networks = readHostNetworks(fields["networks"], site: site)
            let capacity = readCapacity(fields["capacity"])
            guard let name, let site else { continue }
            specs.append(BalancerSpec(name: name, site: site, networks: networks ?? siteNetworks[site] ?? [],
                                      capacity: capacity ?? CapacitySpec(), position: item.position))
        }
        return specs
    }

    // MARK: dnsdist

    mutating func readDNSDist(_ field: Field?) -> BalancerConfig? {
        guard let field else { return nil }
        guard let fields = mapping(field.value, key: field.keyNode, context: "dnsdist", allowed: Self.dnsdistKeys)
        else { return nil }
        var config = BalancerConfig()
        if let acl = readNetmasks(fields["acl"]) { config.acl = acl }
        config.backends = readBackends(fields["backends"])
        config.packetCaches = readPacketCaches(fields["packet_caches"])
        config.pools = readPools(fields["pools"], caches: config.packetCaches.map(\.name))
        if let policies = readLoadBalancing(fields["load_balancing_policies"]) { config.loadBalancing = policies }
        if let settings = readCacheSettings(fields["cache_settings"]) { config.cacheSettings = settings }
        config.queryRules = readQueryRules(fields["query_rules"])
        config.responseRules = readResponseRules(fields["response_rules"])
        config.dynamicRules = readDynamicGroups(fields["dynamic_rules"])
        if let settings = fields["dynamic_rules_settings"],
            let items = mapping(settings.value, key: settings.keyNode, context: "dynamic_rules_settings",
                                allowed: ["purge_interval", "default_action"]) {
            if let purge = seconds(items["purge_interval"]) { config.dynamicRulesSettings.purgeInterval = purge }
            if let action = dynBlockAction(items["default_action"]) { config.dynamicRulesSettings.defaultAction = action }
        }
        if let rings = fields["ring_buffers"],
            let items = mapping(rings.value, key: rings.keyNode, context: "ring_buffers",
                                allowed: ["size", "shards", "record_queries", "record_responses"]) {
            if let size = integer(items["size"], name: "size", in: 1...10_000_000) { config.ringBuffers.size = size }
        }
        if let tuning = fields["tuning"],
            let items = mapping(tuning.value, key: tuning.keyNode, context: "tuning", allowed: ["udp", "tcp"]) {
            if let udp = items["udp"],
                let udpItems = mapping(udp.value, key: udp.keyNode, context: "tuning.udp", allowed: ["timeout"]),
                let timeout = seconds(udpItems["timeout"]) {
                config.udpTimeout = timeout
            }
            if let tcp = items["tcp"],
                let tcpItems = mapping(tcp.value, key: tcp.keyNode, context: "tuning.tcp", allowed: Self.tcpTuningKeys) {
                readTCPTuning(tcpItems, into: &config.connections.tcp)
            }
        }
        if let binds = fields["binds"], let items = list(binds, expected: "a list of binds") {
            // Every balancer listens on Do53 (53), DoT (853) and DoH (443) in the simulation; a
            // bind carries its frontend's connection limits (`tcp.max_concurrent_connections`,
            // `doh.idle_timeout`). Addresses, threads and certificates are accepted and ignored.
            for item in items {
                guard let bind = mapping(item, context: "bind", allowed: ["listen_address", "protocol", "reuseport",
                                                                          "threads", "tls", "doh", "tcp"]) else { continue }
                let protocolName = parse(bind["protocol"], expected: "Do53, DoT or DoH") { text in
                    ["Do53", "DoT", "DoH"].contains(text) ? .value(text) : .malformed
                } ?? "Do53"
                var limits = FrontendLimits()
                if let tcp = bind["tcp"],
                    let tcpItems = mapping(tcp.value, key: tcp.keyNode, context: "bind tcp",
                                           allowed: ["max_concurrent_connections", "fast_open_queue_size", "max_in_flight_queries",
                                                     "listen_queue_size"]),
                    let limit = integer(tcpItems["max_concurrent_connections"], name: "max_concurrent_connections", in: 0...10_000_000) {
                    limits.maxConcurrentConnections = limit
                }
                switch protocolName {
                case "DoT":
                    config.connections.dot.maxConcurrentConnections = limits.maxConcurrentConnections
                case "DoH":
                    config.connections.doh.maxConcurrentConnections = limits.maxConcurrentConnections
                    if let doh = bind["doh"],
                        let dohItems = mapping(doh.value, key: doh.keyNode, context: "bind doh",
                                               allowed: ["paths", "idle_timeout", "provider", "send_cache_control_headers",
                                                         "trust_forwarded_for_header", "exact_path_matching"]),
                        let idle = seconds(dohItems["idle_timeout"]) {
                        config.connections.doh.idleTimeout = idle
                    }
                default:
                    config.connections.do53TCP.maxConcurrentConnections = limits.maxConcurrentConnections
                }
            }
        }
        return config
    }

    static let tcpTuningKeys = [
        "receive_timeout", "send_timeout", "max_queries_per_connection", "max_connection_duration",
        "max_connections_per_client", "connections_overload_threshold", "max_connection_rate_per_client",
        "connection_rate_interval", "ban_duration_for_exceeding_tcp_tls_rate", "connections_mask_v4", "connections_mask_v6",
        "worker_threads", "max_queued_connections",
    ]

    /// `tuning.tcp`: the incoming-connection settings `FrontendConnections` enforces.
    mutating func readTCPTuning(_ items: Fields, into tcp: inout TCPTuningConfig) {
        if let value = seconds(items["receive_timeout"]) { tcp.receiveTimeout = value }
        if let value = integer(items["max_queries_per_connection"], name: "max_queries_per_connection", in: 0...Int(UInt32.max)) {
            tcp.maxQueriesPerConnection = value
        }
        if let value = seconds(items["max_connection_duration"]) { tcp.maxConnectionDuration = value }
        if let value = integer(items["max_connections_per_client"], name: "max_connections_per_client", in: 0...10_000_000) {
            tcp.maxConnectionsPerClient = value
        }
        if let value = integer(items["connections_overload_threshold"], name: "connections_overload_threshold", in: 0...100) {
            tcp.connectionsOverloadThreshold = value
        }
        if let value = integer(items["max_connection_rate_per_client"], name: "max_connection_rate_per_client", in: 0...10_000_000) {
            tcp.maxConnectionRatePerClient = value
        }
        if let value = integer(items["connection_rate_interval"], name: "connection_rate_interval", in: 1...60) {
            tcp.connectionRateIntervalMinutes = value
        }
        if let value = seconds(items["ban_duration_for_exceeding_tcp_tls_rate"]) { tcp.banDurationForExceedingRate = value }
        if let value = integer(items["connections_mask_v4"], name: "connections_mask_v4", in: 0...32) { tcp.connectionsMaskV4 = value }
        if let value = integer(items["connections_mask_v6"], name: "connections_mask_v6", in: 0...128) { tcp.connectionsMaskV6 = value }
    }

    /// An integer in dnsdist's unit (seconds) or a duration text.
    mutating func seconds(_ field: Field?, unitMilliseconds: Bool = false) -> SimDuration? {
        parse(field, expected: unitMilliseconds ? "milliseconds or a duration" : "seconds or a duration") { text in
            if let value = ValueText.integer(text) {
                guard value >= 0 else { return .invalid("must not be negative") }
                return .value(unitMilliseconds ? .milliseconds(Int64(value)) : .seconds(Int64(value)))
            }
            return ValueText.duration(text, .nonNegative)
        }
    }

    mutating func double(_ field: Field?, name: String, in range: ClosedRange<Double>) -> Double? {
        parse(field, expected: "a number") { text in
            guard let value = ValueText.number(Substring(text)) else { return .malformed }
            return range.contains(value) ? .value(value) : .invalid("\(name) \(text) is not within \(range)")
        }
    }

    mutating func text(_ field: Field?, expected: String) -> String? {
        guard let field else { return nil }
        return scalar(field.value, key: field.keyNode, expected: expected)
    }

    mutating func readNetmasks(_ field: Field?) -> NetmaskGroup? {
        guard let field, let items = list(field, expected: "a list of netmasks") else { return nil }
        var group = NetmaskGroup()
        for item in items {
            if let mask = parse(item, key: nil, expected: "a netmask like 192.0.2.0/24", { Netmask($0).map(Parsed.value) ?? .malformed }) {
                group.add(mask)
            }
        }
        return group
    }

    mutating func rrType(_ field: Field?) -> RRType? {
        parse(field, expected: "an RR type such as A or ANY") { text in
            RRType(mnemonic: text.uppercased()).map(Parsed.value) ?? .malformed
        }
    }

    mutating func rcode(_ field: Field?) -> RCode? {
        parse(field, expected: "an rcode such as NXDomain, Refused or ServFail") { text in
            Self.rcode(text).map(Parsed.value) ?? .malformed
        }
    }

    static func rcode(_ text: String) -> RCode? {
        if let value = ValueText.integer(text), (0...4095).contains(value) { return RCode(rawValue: UInt16(value)) }
        switch text.lowercased() {
        case "noerror": return .noError
        case "formerr": return .formErr
        case "servfail": return .servFail
        case "nxdomain": return .nxDomain
        case "notimp": return .notImp
        case "refused": return .refused
        default: return nil
        }
    }

    mutating func domainName(_ field: Field?) -> DNSName? {
        parse(field, expected: "a domain name") { Self.dnsName($0, absolute: false) }
    }

    /// One name or a list of them.
    mutating func domainNames(_ field: Field?) -> [DNSName]? {
        guard let field else { return nil }
        if case .scalar = field.value { return domainName(field).map { [$0] } }
        guard let items = list(field, expected: "a list of domain names") else { return nil }
        return items.compactMap { item in parse(item, key: nil, expected: "a domain name") { Self.dnsName($0, absolute: false) } }
    }

    mutating func strings(_ field: Field?, expected: String) -> [String]? {
        guard let field else { return nil }
        if case .scalar = field.value { return scalar(field.value, key: field.keyNode, expected: expected).map { [$0] } }
        guard let items = list(field, expected: "a list of \(expected)") else { return nil }
        return items.compactMap { scalar($0, key: nil, expected: expected) }
    }

    // MARK: backends, pools, caches

    mutating func readBackends(_ field: Field?) -> [BackendConfig] {
        guard let field, let items = list(field, expected: "a list of backends") else { return [] }
        var backends: [BackendConfig] = []
        for item in items {
            guard let fields = mapping(item, context: "backend", allowed: Self.backendKeys, required: ["address"])
            else { continue }
            // The address names a nameserver of the scenario, optionally with :53.
            guard let addressField = fields["address"],
                let address = scalar(addressField.value, key: addressField.keyNode, expected: "a nameserver name")
            else { continue }
            let host = address.hasSuffix(":53") ? String(address.dropLast(3)) : address
            if hostsUsable && !hostNames.contains(host) {
                let hint = Suggestion.closest(to: host, in: hostNames).map { "; did you mean '\($0)'?" }
                    ?? " (nameservers: \(hostNames.joined(separator: ", ")))"
                report("unknown nameserver '\(host)'\(hint)", at: addressField.value)
                continue
            }
            _ = parse(fields["protocol"], expected: "Do53") { $0 == "Do53" ? .value($0) : .invalid("only Do53 backends are simulated") }
            var backend = BackendConfig(name: text(fields["name"], expected: "a backend name") ?? host, address: host)
            backend.pools = strings(fields["pools"], expected: "pool names") ?? []
            if let order = integer(fields["order"], name: "order", in: 0...Int(Int32.max)) { backend.order = order }
            if let weight = integer(fields["weight"], name: "weight", in: 1...Int(Int32.max)) { backend.weight = weight }
            backend.qpsLimit = integer(fields["queries_per_second"], name: "queries_per_second", in: 1...Int(Int32.max))
            backend.udpTimeout = seconds(fields["udp_timeout"])
            if let checks = fields["health_checks"] { backend.healthChecks = readHealthChecks(checks) }
            backends.append(backend)
        }
        return backends
    }

    mutating func readHealthChecks(_ field: Field) -> HealthCheckConfig {
        var config = HealthCheckConfig()
        guard let fields = mapping(field.value, key: field.keyNode, context: "health_checks", allowed: Self.healthCheckKeys)
        else { return config }
        if let mode = parse(fields["mode"], expected: "auto, up, down or lazy", { HealthCheckMode(rawValue: $0).map(Parsed.value) ?? .malformed }) {
            config.mode = mode
        }
        if let name = domainName(fields["qname"]) { config.qname = name.description }
        if let type = rrType(fields["qtype"]) { config.qtype = type }
        if let interval = seconds(fields["interval"]) { config.interval = interval }
        if let timeout = seconds(fields["timeout"], unitMilliseconds: true) { config.timeout = timeout }
        if let failures = integer(fields["max_failures"], name: "max_failures", in: 1...1000) { config.maxFailures = failures }
        if let rise = integer(fields["rise"], name: "rise", in: 1...1000) { config.rise = rise }
        if let must = bool(fields["must_resolve"]) { config.mustResolve = must }
        if let tcp = bool(fields["use_tcp"]) { config.useTCP = tcp }
        if let lazyField = fields["lazy"],
            let lazy = mapping(lazyField.value, key: lazyField.keyNode, context: "lazy", allowed: Self.lazyKeys) {
            if let size = integer(lazy["sample_size"], name: "sample_size", in: 1...100_000) { config.lazy.sampleSize = size }
            if let count = integer(lazy["min_sample_count"], name: "min_sample_count", in: 1...100_000) {
                config.lazy.minSampleCount = count
            }
            if let threshold = integer(lazy["threshold"], name: "threshold", in: 0...100) { config.lazy.threshold = threshold }
            if let mode = parse(lazy["mode"], expected: "TimeoutOrServFail or TimeoutOnly", {
                LazyHealthCheckMode(rawValue: $0).map(Parsed.value) ?? .malformed
            }) {
                config.lazy.mode = mode
            }
            if let interval = seconds(lazy["interval"]) { config.lazy.interval = interval }
            if let backOff = bool(lazy["use_exponential_back_off"]) { config.lazy.useExponentialBackOff = backOff }
            if let maximum = seconds(lazy["max_back_off"]) { config.lazy.maxBackOff = maximum }
        }
        return config
    }

    mutating func serverPolicy(_ field: Field?) -> ServerPolicy? {
        parse(field, expected: "a policy (leastOutstanding, firstAvailable, wrandom, whashed, chashed, roundrobin)") {
            ServerPolicy(rawValue: $0).map(Parsed.value) ?? .malformed
        }
    }

    mutating func readPools(_ field: Field?, caches: [String]) -> [PoolConfig] {
        guard let field, let items = list(field, expected: "a list of pools") else { return [] }
        var pools: [PoolConfig] = []
        for item in items {
            guard let fields = mapping(item, context: "pool", allowed: Self.poolKeys, required: ["name"]) else { continue }
            guard let nameField = fields["name"], case .scalar(let scalar) = nameField.value else { continue }
            var cache: String?
            if let cacheField = fields["packet_cache"] {
                cache = reference(cacheField.value, key: cacheField.keyNode, what: "packet cache", known: caches,
                                  listName: "packet_caches", checked: true)
            }
            pools.append(PoolConfig(name: scalar.string, policy: serverPolicy(fields["policy"]), packetCache: cache))
        }
        return pools
    }

    mutating func readLoadBalancing(_ field: Field?) -> LoadBalancingConfig? {
        guard let field,
            let fields = mapping(field.value, key: field.keyNode, context: "load_balancing_policies", allowed: Self.policyKeys)
        else { return nil }
        var config = LoadBalancingConfig()
        if let policy = serverPolicy(fields["default_policy"]) { config.defaultPolicy = policy }
        if let value = bool(fields["servfail_on_no_server"]) { config.servfailOnNoServer = value }
        if let value = bool(fields["round_robin_servfail_on_no_server"]) { config.roundRobinServfailOnNoServer = value }
        if let value = double(fields["weighted_balancing_factor"], name: "factor", in: 0...1000) {
            config.weightedBalancingFactor = value
        }
        if let value = double(fields["consistent_hashing_balancing_factor"], name: "factor", in: 0...1000) {
            config.consistentHashingBalancingFactor = value
        }
        if let value = integer(fields["hash_perturbation"], name: "hash_perturbation", in: 0...Int(UInt32.max)) {
            config.hashPerturbation = UInt32(value)
        }
        return config
    }

    mutating func readPacketCaches(_ field: Field?) -> [PacketCacheConfig] {
        guard let field, let items = list(field, expected: "a list of packet caches") else { return [] }
        var caches: [PacketCacheConfig] = []
        for item in items {
            guard let fields = mapping(item, context: "packet cache", allowed: Self.cacheKeys, required: ["name", "size"]),
                let name = text(fields["name"], expected: "a cache name"),
                let size = integer(fields["size"], name: "size", in: 1...100_000_000)
            else { continue }
            var cache = PacketCacheConfig(name: name, size: size)
            func ttl(_ key: String) -> UInt32? {
                integer(fields[key], name: key, in: 0...Int(UInt32.max)).map { UInt32($0) }
            }
            if let value = ttl("max_ttl") { cache.maxTTL = value }
            if let value = ttl("min_ttl") { cache.minTTL = value }
            if let value = ttl("max_negative_ttl") { cache.maxNegativeTTL = value }
            if let value = ttl("temporary_failure_ttl") { cache.temporaryFailureTTL = value }
            if let value = ttl("truncated_ttl") { cache.truncatedTTL = value }
            if let value = ttl("stale_ttl") { cache.staleTTL = value }
            if let value = bool(fields["dont_age"]) { cache.dontAge = value }
            if let value = bool(fields["keep_stale_data"]) { cache.keepStaleData = value }
            if let value = integer(fields["maximum_entry_size"], name: "maximum_entry_size", in: 12...65_535) {
                cache.maximumEntrySize = value
            }
            if let field = fields["options_to_skip"], let items = list(field, expected: "a list of EDNS option codes") {
                cache.skipOptions = items.compactMap { item in
                    parse(item, key: nil, expected: "an option code") { text in
                        ValueText.integer(text).flatMap { (0...65_535).contains($0) ? UInt16($0) : nil }.map(Parsed.value) ?? .malformed
                    }
                }
            }
            caches.append(cache)
        }
        return caches
    }

    mutating func readCacheSettings(_ field: Field?) -> CacheSettings? {
        guard let field,
            let fields = mapping(field.value, key: field.keyNode, context: "cache_settings", allowed: Self.cacheSettingsKeys)
        else { return nil }
        var settings = CacheSettings()
        if let value = integer(fields["stale_entries_ttl"], name: "stale_entries_ttl", in: 0...Int(UInt32.max)) {
            settings.staleEntriesTTL = UInt32(value)
        }
        if let value = seconds(fields["cleaning_delay"]) { settings.cleaningDelay = value }
        if let value = integer(fields["cleaning_percentage"], name: "cleaning_percentage", in: 0...100) {
            settings.cleaningPercentage = value
        }
        return settings
    }
}
