import Determinism
import Yams

/// `sites`, `links` and `nameservers`.
extension ScenarioReader {
    static let siteKeys = ["networks", "local_latency"]
    static let linkKeys = ["between", "latency", "loss", "duplicate", "reorder", "reorder_delay"]
    static let latencyKeys = ["base", "jitter", "tail", "tail_share"]
    static let nameserverKeys = [
        "name", "site", "networks", "capacity", "role", "primary", "notify", "refresh", "join_at",
    ]
    static let capacityKeys = ["cores", "service_time", "queue"]

    // MARK: Sites

    /// `sites: { name: { networks: […], local_latency: … }, … }` in file order.
    mutating func readSites(_ field: Field?) -> [Site] {
        guard let field else {
            sitesUsable = false
            return []
        }
        guard case .mapping(let mapping) = field.value else {
            reportExpected("a mapping of site names to sites", found: field.value, key: field.keyNode)
            sitesUsable = false
            return []
        }
        if mapping.isEmpty {
            report("sites must name at least one site", at: field.value)
        }
        var sites: [Site] = []
        for (keyNode, value) in mapping {
            guard let name = identifier(keyNode, key: nil, what: "site name") else { continue }
            siteNames.append(name)
            guard let fields = self.mapping(value, key: keyNode, context: "site '\(name)'", allowed: Self.siteKeys,
                                            required: ["networks"])
            else { continue }
            let latency = fields["local_latency"].flatMap { readLatency($0) }
            guard let networksField = fields["networks"],
                let networks = readNetworks(networksField, context: "site '\(name)'")
            else { continue }
            siteNetworks[name] = networks
            let localLatency = latency ?? LatencySpec(base: .microseconds(100))
            sites.append(Site(name: name, networks: networks, localLatency: localLatency))
        }
        return sites
    }

    /// A non-empty list of distinct network names.
    mutating func readNetworks(_ field: Field, context: String) -> [String]? {
        guard let items = list(field, expected: "a list of networks") else { return nil }
        if items.isEmpty {
            report("\(context) needs at least one network", at: field.value)
            return nil
        }
        var names: [String] = []
        var usable = true
        for item in items {
            guard let name = identifier(item, key: nil, what: "network name") else {
                usable = false
                continue
            }
            if names.contains(name) {
                report("duplicate network '\(name)' in \(context)", at: item)
            } else {
                names.append(name)
            }
        }
        return usable ? names : nil
    }

    // MARK: Latency

    /// `12ms`, or `{ base: 12ms, jitter: lognormal(2ms, 0.6), tail: pareto(20ms, 1.5), tail_share: 0.1% }`.
    mutating func readLatency(_ field: Field) -> LatencySpec? {
        if case .scalar = field.value {
            return duration(field, .nonNegative).map { LatencySpec(base: $0) }
        }
        guard case .mapping = field.value else {
            reportExpected("a duration like 250ms or a mapping with base, jitter, tail and tail_share",
                           found: field.value, key: field.keyNode)
            return nil
        }
        guard let fields = mapping(field.value, context: "latency", allowed: Self.latencyKeys, required: ["base"])
        else { return nil }
        let base = duration(fields["base"], .nonNegative)
        let jitter = parse(fields["jitter"], expected: ValueText.distributionExpected, ValueText.distribution)
        let tail = parse(fields["tail"], expected: ValueText.distributionExpected, ValueText.distribution)
        let share = percentage(fields["tail_share"])
        if fields["tail"] != nil, fields["tail_share"] == nil {
            report("missing required key 'tail_share' in latency (it goes with 'tail')", at: field.value)
        }
        if let shareField = fields["tail_share"], fields["tail"] == nil {
            report("tail_share needs a tail distribution", at: shareField.keyNode)
        }
        guard let base else { return nil }
        return LatencySpec(base: base, jitter: jitter, tail: tail, tailPartsPerMillion: share ?? 0)
    }

    // MARK: Links

    mutating func readLinks(_ field: Field?) -> [Link] {
        guard let items = list(field, expected: "a list of links") else { return [] }
        return items.compactMap { readLink($0) }
    }

    mutating func readLink(_ node: Node) -> Link? {
        guard let fields = mapping(node, context: "link", allowed: Self.linkKeys, required: ["between", "latency"])
        else { return nil }
        let pair = readSitePair(fields["between"], what: "link")
        let latency = fields["latency"].flatMap { readLatency($0) }
        let loss = percentage(fields["loss"])
        let duplicate = percentage(fields["duplicate"])
        let reorder = percentage(fields["reorder"])
        let reorderDelay = duration(fields["reorder_delay"], .nonNegative)
        guard let pair, let betweenField = fields["between"] else { return nil }
        let key = SitePair(pair.0, pair.1)
        if let first = linkPositions[key] {
            report("duplicate link between '\(pair.0)' and '\(pair.1)' (first defined at \(first))",
                   at: betweenField.value)
            return nil
        }
        linkPositions[key] = betweenField.value.position
        linkCount += 1
        return Link(
            between: pair, latency: latency ?? LatencySpec(base: .zero), lossPartsPerMillion: loss ?? 0,
            duplicatePartsPerMillion: duplicate ?? 0, reorderPartsPerMillion: reorder ?? 0,
            reorderDelay: reorderDelay ?? .milliseconds(5))
    }

    /// `[a, b]`: two different known sites. `what` names the user ("link", "partition", "degrade").
    mutating func readSitePair(_ field: Field?, what: String) -> (String, String)? {
        guard let field, let items = list(field, expected: "a list of two sites") else { return nil }
        guard items.count == 2 else {
            report("\(what) must name two sites, found \(items.count)", at: field.value)
            return nil
        }
        let first = siteReference(items[0], key: nil)
        let second = siteReference(items[1], key: nil)
        guard let first, let second else { return nil }
        if first == second {
            report("\(what) needs two different sites, found '\(first)' twice", at: items[1])
            return nil
        }
        return (first, second)
    }

    // MARK: Nameservers

    mutating func readNameservers(_ field: Field?) -> [NameserverSpec] {
        guard let field, let items = list(field, expected: "a list of nameservers") else {
            hostsUsable = false
            return []
        }
        if items.isEmpty {
            report("nameservers must list at least one nameserver", at: field.value)
        }
        // Two passes: a secondary may name a primary declared after it.
        let drafts = items.map { readNameserver($0) }
        return drafts.compactMap { resolvePrimary(of: $0) }
    }

    mutating func readNameserver(_ node: Node) -> NameserverDraft {
        guard let fields = mapping(node, context: "nameserver", allowed: Self.nameserverKeys,
                                   required: ["name", "site"])
        else { return NameserverDraft(spec: nil, primary: nil) }
        let name = declareHostName(fields["name"])
        if let name { hostNames.append(name) }
        let site = fields["site"].flatMap { siteReference($0.value, key: $0.keyNode) }
        let networks = readHostNetworks(fields["networks"], site: site)
        let capacity = readCapacity(fields["capacity"])
        let (kind, role) = readRole(fields, name: name, node: node)
        let primary = kind == .secondary ? fields["primary"] : nil
        guard let name, let site, let role else { return NameserverDraft(spec: nil, primary: primary) }
        let spec = NameserverSpec(
            name: name, site: site, networks: networks ?? siteNetworks[site] ?? [],
            capacity: capacity ?? CapacitySpec(), role: role, position: node.position)
        return NameserverDraft(spec: spec, primary: primary)
    }

    /// A host name (nameserver or balancer), unique among all hosts; records where it was declared.
    mutating func declareHostName(_ field: Field?) -> String? {
        guard let field, let text = identifier(field.value, key: field.keyNode, what: "host name") else { return nil }
        if let first = hostPositions[text] {
            report("duplicate host name '\(text)' (first defined at \(first))", at: field.value)
            return nil
        }
        hostPositions[text] = field.value.position
        return text
    }

    /// A host's `networks`: each must be one of its site's networks (when those are known).
    mutating func readHostNetworks(_ field: Field?, site: String?) -> [String]? {
        guard let field, let networks = readNetworks(field, context: "nameserver") else { return nil }
        guard let site, let available = siteNetworks[site], case .sequence(let items) = field.value else {
            return networks
        }
        for item in items {
            guard case .scalar(let scalar) = item, networks.contains(scalar.string),
                !available.contains(scalar.string)
            else { continue }
            let list = available.joined(separator: ", ")
            report("network '\(scalar.string)' is not a network of site '\(site)' (it has: \(list))", at: item)
        }
        return networks
    }

    /// `capacity: { cores: 2, service_time: 20us, queue: 1024 }`, each optional.
    mutating func readCapacity(_ field: Field?) -> CapacitySpec? {
        guard let field,
            let fields = mapping(field.value, key: field.keyNode, context: "capacity", allowed: Self.capacityKeys)
        else { return nil }
        let defaults = CapacitySpec()
        let cores = integer(fields["cores"], name: "cores", in: 1...Int.max)
        let serviceTime = duration(fields["service_time"], .positive)
        let queue = integer(fields["queue"], name: "queue", in: 0...Int.max)
        return CapacitySpec(
            cores: cores ?? defaults.cores, serviceTime: serviceTime ?? defaults.serviceTime,
            queueLimit: queue ?? defaults.queueLimit)
    }
}
