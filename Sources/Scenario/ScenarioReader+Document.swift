import Balancer
import Determinism
import Yams

/// The top level of a scenario file.
extension ScenarioReader {
    static let topLevelKeys = [
        "version", "name", "seed", "duration", "epoch", "sites", "links", "nameservers", "balancers", "dnsdist", "edge",
        "web", "customers", "backups", "zones", "workload",
        "faults", "random_faults", "expect",
    ]
    static let requiredTopLevelKeys = ["version", "name", "duration", "sites", "nameservers", "zones"]
    /// 2026-01-01T00:00:00Z.
    static let defaultEpochSeconds: Int64 = 1_767_225_600

    /// Reads the whole document; nil (with errors recorded) when anything is wrong.
    ///
    /// Every section is read even after errors, so the user sees all problems at once; placeholder
    /// values stand in for parts that failed and the result is discarded when `errors` is not empty.
    mutating func readScenario(_ root: Node, sourceDigest: UInt64) -> Scenario? {
        guard let fields = mapping(root, context: "the scenario", allowed: Self.topLevelKeys,
                                   required: Self.requiredTopLevelKeys)
        else { return nil }
        let version = readVersion(fields["version"])
        let name = parse(fields["name"], expected: "a scenario name") { text in
            ValueText.isScenarioName(text) ? .value(text)
                : .invalid("bad scenario name '\(text)': use lowercase letters, digits, '.', '_' and '-'")
        }
        let seed = parse(fields["seed"], expected: "an unsigned 64-bit integer") { text in
            UInt64(text).map { .value($0) } ?? .malformed
        }
        runDuration = duration(fields["duration"], .positive)
        runDurationText = fields["duration"]?.value.scalar?.string
        let epoch = parse(fields["epoch"], expected: "a UTC date like 2026-01-01T00:00:00Z", ValueText.epochSeconds)
        let sites = readSites(fields["sites"])
        let links = readLinks(fields["links"])
        let nameservers = readNameservers(fields["nameservers"])
        let balancers = readBalancers(fields["balancers"])
        let balancerConfig = readDNSDist(fields["dnsdist"])
        if !balancers.isEmpty && balancerConfig == nil && fields["dnsdist"] == nil {
            report("balancers need a 'dnsdist' section (their backends, pools and rules)", at: fields["balancers"]!.value)
        }
        let edge = readEdge(fields["edge"])
        let web = readWeb(fields["web"])
        let customers = readCustomers(fields["customers"])
        let backups = readBackups(fields["backups"])
        let zoneFiles = readZones(fields["zones"])
        let workload = readWorkload(fields["workload"])
        let faults = readFaults(fields["faults"])
        let randomFaults = readRandomFaults(fields["random_faults"])
        checkWebPart(web: web, customers: customers, at: root)
        let expectations = readExpectations(fields["expect"])
        guard errors.isEmpty, let version, let name, let runDuration else { return nil }
        var scenario = Scenario(
            version: version, name: name, seed: seed ?? 1, duration: runDuration,
            epochSeconds: epoch ?? Self.defaultEpochSeconds, sites: sites, links: links, nameservers: nameservers,
            zoneFiles: zoneFiles, workload: workload.populations, changes: workload.changes, faults: faults,
            randomFaults: randomFaults, expectations: expectations, sourceDigest: sourceDigest)
        scenario.balancers = balancers
        scenario.balancerConfig = balancerConfig ?? BalancerConfig()
        scenario.edge = edge
        scenario.webPart.web = web
        scenario.webPart.customers = customers
        scenario.webPart.updaters = updaterSpecs
        scenario.webPart.ipChanges = ipChangeSpecs
        scenario.replays = replaySpecs
        scenario.backups = backups
        return scenario
    }

    static let edgeKeys = ["protect", "drop_source_ports", "max_pps_per_source", "max_pps"]

    /// `edge`: the hoster's DoS filter; `protect` defaults to every balancer (or, without
    /// balancers, every nameserver).
    mutating func readEdge(_ field: Field?) -> EdgeSpec? {
        guard let field, let items = mapping(field.value, key: field.keyNode, context: "edge", allowed: Self.edgeKeys)
        else { return nil }
        var protect = balancerNames.isEmpty ? hostNames : balancerNames
        if let list = items["protect"], let entries = self.list(list, expected: "a list of hosts") {
            protect = entries.compactMap { entry in
                reference(entry, key: nil, what: "host", known: hostNames + balancerNames,
                          listName: "nameservers and balancers", checked: hostsUsable)
            }
        }
        var ports: [UInt16] = []
        if let list = items["drop_source_ports"], let entries = self.list(list, expected: "a list of ports") {
            for entry in entries {
                if let port = parse(entry, key: nil, expected: "a port number 1 to 65535", { text -> Parsed<UInt16> in
                    guard let value = ValueText.integer(text), (1...65_535).contains(value) else { return .malformed }
                    return .value(UInt16(value))
                }) { ports.append(port) }
            }
        }
        let perSource = integer(items["max_pps_per_source"], name: "max_pps_per_source", in: 0...1_000_000_000)
        let total = integer(items["max_pps"], name: "max_pps", in: 0...1_000_000_000)
        hasEdge = true
        return EdgeSpec(protect: protect, dropSourcePorts: ports, maxPacketsPerSecondPerSource: perSource ?? 0,
                        maxPacketsPerSecond: total ?? 0)
    }

    mutating func readVersion(_ field: Field?) -> Int? {
        guard let version = integer(field, name: "version", in: Int.min...Int.max), let field else { return nil }
        guard version == ScenarioLoader.schemaVersion else {
            report("unsupported version \(version); this ddnslab reads version \(ScenarioLoader.schemaVersion)",
                   at: field.value)
            return nil
        }
        return version
    }

    /// `zones: [path, …]`: at least one, no repeats; kept as written.
    mutating func readZones(_ field: Field?) -> [String] {
        guard let field, let items = list(field, expected: "a list of zone files") else { return [] }
        if items.isEmpty {
            report("zones must list at least one zone file", at: field.value)
        }
        var paths: [String] = []
        for item in items {
            guard let path = scalar(item, key: nil, expected: "a zone file path") else { continue }
            if paths.contains(path) {
                report("duplicate zone file '\(path)'", at: item)
            }
            paths.append(path)
        }
        return paths
    }
}
