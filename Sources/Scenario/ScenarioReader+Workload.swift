import Balancer
import DNSWire
import Determinism
import Yams

/// `workload`: populations of resolvers sending queries.
extension ScenarioReader {
    static let workloadKinds = ["resolvers", "changes", "updaters", "ip_changes", "replay"]
    static let populationKeys = [
        "name", "count", "site", "targets", "rate", "qtypes", "names", "nxdomain", "edns", "timeout", "retries",
        "tcp_fallback", "role", "start", "stop", "random_subdomain_of", "fixed_names", "malformed", "spoof",
        "transport", "hold_connections", "source_port",
    ]
    static let holdKeys = ["per_client", "send_every"]
    static let ednsKeys = ["share", "sizes"]
    /// First components of figure paths that are not populations (`server.ns1.queries`, `trace.events`,
    /// `replication.changes`).
    static let reservedPopulationNames = [
        "server", "trace", "replication", "balancer", "balancers", "attack", "replay",
    ]
    /// Mnemonics offered as "did you mean" suggestions for a misspelt query type.
    static let commonTypes = [
        "A", "NS", "CNAME", "SOA", "PTR", "MX", "TXT", "AAAA", "SRV", "NAPTR", "DS", "DNSKEY", "TLSA", "SVCB",
        "HTTPS", "CAA", "ANY",
    ]

    /// Resolver populations and change streams, each in file order.
    mutating func readWorkload(
        _ field: Field?
    ) -> (populations: [ResolverPopulationSpec], changes: [ChangeStreamSpec]) {
        guard let field else { return ([], []) }
        guard let items = list(field, expected: "a list of workload items") else {
            populationsUsable = false
            return ([], [])
        }
        var populations: [ResolverPopulationSpec] = []
        var changes: [ChangeStreamSpec] = []
        for item in items {
            let errorsBefore = errors.count
            guard let fields = mapping(item, context: "workload item", allowed: Self.workloadKinds) else { continue }
            if fields.list.isEmpty, errors.count == errorsBefore {
                report("workload item names no kind (use resolvers, changes, updaters, ip_changes or replay)", at: item)
            }
            if fields.list.count > 1 {
                let names = fields.list.map { "'\($0.key)'" }.joined(separator: ", ")
                report("workload item has \(fields.list.count) kinds (\(names)); write one kind per item",
                       at: fields.list[1].keyNode)
            }
            if let resolvers = fields["resolvers"], let population = readPopulation(resolvers) {
                populations.append(population)
            }
            if let stream = fields["changes"], let change = readChangeStream(stream) {
                changes.append(change)
            }
            if let updaters = fields["updaters"], let spec = readUpdaters(updaters) { updaterSpecs.append(spec) }
            if let ipChanges = fields["ip_changes"], let spec = readIPChanges(ipChanges) { ipChangeSpecs.append(spec) }
            if let replay = fields["replay"], let spec = readReplay(replay) { replaySpecs.append(spec) }
        }
        return (populations, changes)
    }

    mutating func readPopulation(_ field: Field) -> ResolverPopulationSpec? {
        guard let fields = mapping(field.value, key: field.keyNode, context: "resolvers", allowed: Self.populationKeys,
                                   required: ["name", "count", "site", "rate"])
        else { return nil }
        let name = readWorkloadName(fields["name"], what: "population name")
        if let name { populationNames.append(name) }  // for the figure catalog of `expect`
        let count = integer(fields["count"], name: "count", in: 1...Int.max)
        let site = fields["site"].flatMap { siteReference($0.value, key: $0.keyNode) }
        let targets = readTargets(fields["targets"])
        let rate = parse(fields["rate"], expected: ValueText.rateExpected, ValueText.rateSpec)
        let queryTypes = readQueryTypes(fields["qtypes"])
        let zipf = parse(fields["names"], expected: ValueText.popularityExpected, ValueText.popularity)
        let nxdomain = percentage(fields["nxdomain"])
        let edns = readEDNS(fields["edns"])
        let timeout = duration(fields["timeout"], .positive)
        let retries = integer(fields["retries"], name: "retries", in: 0...10)
        let tcpFallback = bool(fields["tcp_fallback"])
        let role = parse(fields["role"], expected: "legitimate or attack") { text in
            PopulationRole(rawValue: text).map(Parsed.value) ?? .malformed
        }
        let start = duration(fields["start"], .nonNegative)
        let stop = duration(fields["stop"], .positive)
        if let start, let stop, stop <= start, let field = fields["stop"] {
            report("stop (\(stop)) must be after start (\(start))", at: field.value)
        }
        let subdomainParents = readNames(fields["random_subdomain_of"])
        let fixedNames = readNames(fields["fixed_names"])
        let malformed = percentage(fields["malformed"])
        var spoof: String?
        if let field = fields["spoof"] {
            // Populations declared earlier only: the victim must exist before its attacker.
            spoof = reference(field.value, key: field.keyNode, what: "population", known: populationNames.filter { $0 != name },
                              listName: "populations declared before", checked: true)
        }
        let transport = parse(fields["transport"], expected: "udp, tcp, dot or doh") { text -> Parsed<FrontendProtocol> in
            switch text.lowercased() {
            case "udp", "do53": .value(.do53UDP)
            case "tcp": .value(.do53TCP)
            case "dot": .value(.dot)
            case "doh": .value(.doh)
            default: .malformed
            }
        }
        var hold: ConnectionHoldSpec?
        if let field = fields["hold_connections"],
            let items = mapping(field.value, key: field.keyNode, context: "hold_connections", allowed: Self.holdKeys,
                                required: ["per_client"]),
            let perClient = integer(items["per_client"], name: "per_client", in: 1...10_000) {
            hold = ConnectionHoldSpec(perClient: perClient, sendEvery: duration(items["send_every"], .positive))
            if transport == nil || transport == .do53UDP {
                report("hold_connections needs a connection transport (transport: tcp, dot or doh)", at: field.keyNode)
            }
        }
        let sourcePort = integer(fields["source_port"], name: "source_port", in: 1...65_535)
        guard let name, let count, let site, let rate else { return nil }
        let defaults = ResolverPopulationSpec(name: name, count: count, site: site,
                                              targets: balancerNames.isEmpty ? hostNames : balancerNames, rate: rate)
        var spec = ResolverPopulationSpec(
            name: name, count: count, site: site, targets: targets ?? defaults.targets, rate: rate,
            queryTypes: queryTypes ?? defaults.queryTypes, zipfExponent: zipf ?? defaults.zipfExponent,
            nxdomainPartsPerMillion: nxdomain ?? defaults.nxdomainPartsPerMillion,
            ednsPartsPerMillion: edns?.share ?? defaults.ednsPartsPerMillion,
            ednsSizes: edns?.sizes ?? defaults.ednsSizes,
            timeout: timeout ?? defaults.timeout, retries: retries ?? defaults.retries,
            tcpFallback: tcpFallback ?? defaults.tcpFallback)
        spec.role = role ?? .legitimate
        if spec.role == .attack { hasAttackPopulation = true }
        spec.start = start
        spec.stop = stop
        spec.randomSubdomainOf = subdomainParents ?? []
        spec.fixedNames = fixedNames ?? []
        spec.malformedPartsPerMillion = malformed ?? 0
        spec.spoof = spoof
        spec.transport = transport ?? .do53UDP
        spec.hold = hold
        spec.sourcePort = sourcePort.map(UInt16.init)
        if let hold, hold.perClient * count > 1_000_000, let field = fields["hold_connections"] {
            report("hold_connections opens \(hold.perClient * count) connections; keep it at 1,000,000 or fewer", at: field.keyNode)
        }
        return spec
    }

    /// A list of absolute domain names, e.g. `[victim.dyn.example.]`.
    mutating func readNames(_ field: Field?) -> [DNSName]? {
        guard let field, let items = list(field, expected: "a list of domain names") else { return nil }
        return items.compactMap { item in
            parse(item, key: nil, expected: "an absolute domain name (ending in '.')") { Self.dnsName($0, absolute: true) }
        }
    }

    /// A domain name; `absolute` demands the trailing dot, else one is added (dnsdist's spelling).
    static func dnsName(_ text: String, absolute: Bool) -> Parsed<DNSName> {
        if absolute && !text.hasSuffix(".") { return .invalid("'\(text)' is not absolute: end it with '.'") }
        return DNSName(text.hasSuffix(".") ? text : text + ".").map { Parsed.value($0) } ?? .malformed
    }

    /// A workload name, unique among populations and change streams, that does not collide with the
    /// `server`, `trace` and `replication` figure prefixes; `what` is "population name" or
    /// "change stream name".
    mutating func readWorkloadName(_ field: Field?, what: String) -> String? {
        guard let field, let name = identifier(field.value, key: field.keyNode, what: what) else {
            return nil
        }
        if Self.reservedPopulationNames.contains(name) {
            report("\(what) '\(name)' is reserved (it begins figure names such as '\(name).…')", at: field.value)
            return nil
        }
        if let first = workloadNamePositions[name] {
            report("duplicate \(what) '\(name)' (first defined at \(first))", at: field.value)
            return nil
        }
        workloadNamePositions[name] = field.value.position
        return name
    }

    /// `targets: [ns1, …]`: known nameservers, at least one, no repeats.
    mutating func readTargets(_ field: Field?) -> [String]? {
        guard let field, let items = list(field, expected: "a list of nameservers") else { return nil }
        if items.isEmpty {
            report("targets must list at least one nameserver", at: field.value)
        }
        var targets: [String] = []
        for item in items {
            guard let host = anyHostReference(item, key: nil) else { continue }
            if targets.contains(host) {
                report("duplicate target '\(host)'", at: item)
            } else {
                targets.append(host)
            }
        }
        return targets
    }

    /// `qtypes: { A: 70%, AAAA: 30% }`: known RR types with shares summing to 100% (within 0.01%).
    ///
    /// A sum that is off by at most 0.01% is corrected on the largest share, so the weights always
    /// add up to exactly 1,000,000 parts per million.
    mutating func readQueryTypes(_ field: Field?) -> [(RRType, UInt32)]? {
        guard let field else { return nil }
        guard case .mapping(let mapping) = field.value else {
            reportExpected("a mapping of RR types to percentages", found: field.value, key: field.keyNode)
            return nil
        }
        var weights: [(RRType, UInt32)] = []
        var usable = true
        for (keyNode, value) in mapping {
            let type = readQueryType(keyNode, seen: weights.map(\.0))
            let share = parse(value, key: keyNode, expected: ValueText.percentageExpected, ValueText.partsPerMillion)
            guard let type, let share else {
                usable = false
                continue
            }
            weights.append((type, share))
        }
        guard usable else { return nil }
        let total = weights.reduce(0) { $0 + Int($1.1) }
        guard abs(total - 1_000_000) <= 100 else {
            let sum = ValueText.percentText(partsPerMillion: total)
            report("qtypes sum to \(sum); they must sum to 100%", at: field.value)
            return nil
        }
        if let largest = weights.indices.max(by: { weights[$0].1 < weights[$1].1 }) {
            weights[largest].1 = UInt32(Int(weights[largest].1) + 1_000_000 - total)
        }
        return weights
    }

    mutating func readQueryType(_ node: Node, seen: [RRType]) -> RRType? {
        guard let text = scalar(node, key: nil, expected: "an RR type") else { return nil }
        guard let type = RRType(mnemonic: text) else {
            if let suggestion = Suggestion.closest(to: text, in: Self.commonTypes) {
                report("unknown RR type '\(text)' in qtypes; did you mean '\(suggestion)'?", at: node)
            } else {
                report("unknown RR type '\(text)' in qtypes (use a mnemonic such as A, AAAA, TXT or TYPE65)", at: node)
            }
            return nil
        }
        if seen.contains(type) {
            report("duplicate RR type '\(type)' in qtypes", at: node)
            return nil
        }
        return type
    }

    /// `edns: { share: 90%, sizes: [1232, 4096] }`.
    mutating func readEDNS(_ field: Field?) -> (share: UInt32?, sizes: [UInt16]?)? {
        guard let field,
            let fields = mapping(field.value, key: field.keyNode, context: "edns", allowed: Self.ednsKeys)
        else { return nil }
        let share = percentage(fields["share"])
        guard let sizesField = fields["sizes"], let items = list(sizesField, expected: "a list of EDNS sizes") else {
            return (share, nil)
        }
        if items.isEmpty {
            report("sizes must list at least one EDNS size", at: sizesField.value)
        }
        let sizes = items.compactMap { item in
            parse(item, key: nil, expected: "an integer") { text -> Parsed<UInt16> in
                guard let value = ValueText.integer(text) else { return .malformed }
                guard (512...65_535).contains(value) else {
                    return .invalid(ValueText.rangeComplaint("EDNS size", value, 512...65_535))
                }
                return .value(UInt16(value))
            }
        }
        return (share, sizes)
    }
}
