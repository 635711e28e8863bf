import DNSWire
import Determinism
import Yams

/// `web`, `customers`, and the workload items `updaters` and `ip_changes`.
extension ScenarioReader {
    static let webKeys = ["name", "site", "networks", "capacity", "primary", "limits"]
    static let webLimitKeys = ["daily_updates", "requests_per_window", "window", "abuse_nochg", "abuse_block"]
    static let customersKeys = ["count", "zone", "ttl", "ipv6"]
    static let updaterKeys = ["name", "model", "share", "site", "interval", "bad_token", "start"]
    static let ipChangeKeys = ["kind", "at", "spread", "mean_interval", "share", "ipv6_prefix"]

    /// `web: { name: www, site: fsn1, primary: ns1, limits: {…} }`.
    mutating func readWeb(_ field: Field?) -> WebSpec? {
        guard let field, let fields = mapping(field.value, key: field.keyNode, context: "web", allowed: Self.webKeys,
                                              required: ["name", "site"])
        else { return nil }
        let name = declareHostName(fields["name"])
        if let name { webNames.append(name) }
        let site = fields["site"].flatMap { siteReference($0.value, key: $0.keyNode) }
        let networks = readHostNetworks(fields["networks"], site: site)
        let capacity = readCapacity(fields["capacity"])
        var primary = fields["primary"].flatMap { primaryReference($0.value, key: $0.keyNode) }
        if fields["primary"] == nil {
            let primaries = hostNames.filter { hostRoles[$0] == .primary }
            if primaries.count == 1 {
                primary = primaries[0]
            } else {
                report("web needs 'primary': the primary whose database it writes (found \(primaries.count) primaries)",
                       at: field.value)
            }
        }
        let limits = readWebLimits(fields["limits"])
        guard let name, let site, let primary else { return nil }
        return WebSpec(name: name, site: site, networks: networks ?? siteNetworks[site] ?? [],
                       capacity: capacity ?? CapacitySpec(cores: 2, serviceTime: .milliseconds(1)), primary: primary,
                       limits: limits ?? WebLimitsSpec(), position: field.value.position)
    }

    mutating func readWebLimits(_ field: Field?) -> WebLimitsSpec? {
        guard let field, let fields = mapping(field.value, key: field.keyNode, context: "limits", allowed: Self.webLimitKeys)
        else { return nil }
        var limits = WebLimitsSpec()
        if let value = integer(fields["daily_updates"], name: "daily_updates", in: 1...1_000_000) { limits.dailyUpdates = value }
        if let value = integer(fields["requests_per_window"], name: "requests_per_window", in: 1...1_000_000) {
            limits.requestsPerWindow = value
        }
        if let value = duration(fields["window"], .positive) { limits.window = value }
        if let value = integer(fields["abuse_nochg"], name: "abuse_nochg", in: 1...1_000_000) { limits.abuseNochg = value }
        if let value = duration(fields["abuse_block"], .positive) { limits.abuseBlock = value }
        return limits
    }

    /// `customers: { count: 10000, zone: dyn.example, ttl: 60, ipv6: 50% }`.
    mutating func readCustomers(_ field: Field?) -> CustomersSpec? {
        guard let field, let fields = mapping(field.value, key: field.keyNode, context: "customers",
                                              allowed: Self.customersKeys, required: ["count", "zone"])
        else { return nil }
        let count = integer(fields["count"], name: "count", in: 1...1_000_000)
        let zone = parse(fields["zone"], expected: "a zone name like dyn.example") { Self.dnsName($0, absolute: false) }
        let ttl = integer(fields["ttl"], name: "ttl", in: 1...86_400)
        let ipv6 = percentage(fields["ipv6"])
        guard let count, let zone else { return nil }
        return CustomersSpec(count: count, zone: zone, ttl: UInt32(ttl ?? 60), ipv6PartsPerMillion: ipv6 ?? 0,
                             position: field.value.position)
    }

    /// `updaters: { name: routers, model: fritzbox, share: 60%, site: internet, interval: 5m }`.
    mutating func readUpdaters(_ field: Field) -> UpdaterPopulationSpec? {
        guard let fields = mapping(field.value, key: field.keyNode, context: "updaters", allowed: Self.updaterKeys,
                                   required: ["name", "model", "share", "site"])
        else { return nil }
        let name = readWorkloadName(fields["name"], what: "updater population name")
        let model = parse(fields["model"], expected: "ddclient, inadyn, fritzbox or cron") { text -> Parsed<UpdaterModelKind> in
            if let kind = UpdaterModelKind(rawValue: text) { return .value(kind) }
            return .invalid(ValueText.unknownName("updater model", text, UpdaterModelKind.allCases.map(\.rawValue)))
        }
        let share = percentage(fields["share"])
        let site = fields["site"].flatMap { siteReference($0.value, key: $0.keyNode) }
        let interval = duration(fields["interval"], .positive)
        let badToken = bool(fields["bad_token"])
        let start = instantInRun(fields["start"], label: "updaters start")
        guard let name, let model, let share, let site else { return nil }
        var spec = UpdaterPopulationSpec(name: name, model: model, sharePartsPerMillion: share, site: site,
                                         interval: interval, position: field.value.position)
        spec.badToken = badToken ?? false
        spec.start = start ?? .zero
        return spec
    }

    /// `ip_changes: { kind: daily_reconnect, at: "04:00", spread: 10m }` or
    /// `{ kind: random, mean_interval: 6h }`.
    mutating func readIPChanges(_ field: Field) -> IPChangeSpec? {
        guard let fields = mapping(field.value, key: field.keyNode, context: "ip_changes", allowed: Self.ipChangeKeys,
                                   required: ["kind"])
        else { return nil }
        let kindText = parse(fields["kind"], expected: "daily_reconnect or random") { text -> Parsed<String> in
            ["daily_reconnect", "random"].contains(text) ? .value(text)
                : .invalid(ValueText.unknownName("ip change kind", text, ["daily_reconnect", "random"]))
        }
        let share = percentage(fields["share"])
        let prefix = bool(fields["ipv6_prefix"])
        var kind: IPChangeSpec.Kind?
        if kindText == "daily_reconnect" {
            let at = parse(fields["at"], expected: "a time of day like \"04:00\"", ValueText.timeOfDay)
            let spread = duration(fields["spread"], .nonNegative)
            if fields["at"] == nil { report("daily_reconnect needs 'at' (a time of day like \"04:00\")", at: field.value) }
            if let at { kind = .dailyReconnect(at: at, spread: spread ?? .zero) }
        } else if kindText == "random" {
            let mean = duration(fields["mean_interval"], .positive)
            if fields["mean_interval"] == nil { report("random ip changes need 'mean_interval'", at: field.value) }
            if let mean { kind = .random(meanInterval: mean) }
        }
        guard let kind else { return nil }
        var spec = IPChangeSpec(kind: kind, position: field.value.position)
        spec.sharePartsPerMillion = share ?? 1_000_000
        spec.ipv6Prefix = prefix ?? true
        return spec
    }
}

extension ValueText {
    /// `HH:MM` or `HH:MM:SS` → seconds after midnight.
    static func timeOfDay(_ text: String) -> Parsed<Int64> {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isNumber) }),
              let hours = Int64(parts[0]), let minutes = Int64(parts[1])
        else { return .malformed }
        let seconds = parts.count == 3 ? Int64(parts[2]) ?? 99 : 0
        guard hours < 24, minutes < 60, seconds < 60 else {
            return .invalid("'\(text)' is not a time of day (00:00 to 23:59:59)")
        }
        return .value(hours * 3600 + minutes * 60 + seconds)
    }
}

extension ScenarioReader {
    /// Updaters and address changes need customers, customers need a web server, and the shares
    /// of the updater populations add up to at most 100%.
    mutating func checkWebPart(web: WebSpec?, customers: CustomersSpec?, at root: Node) {
        if web == nil, customers != nil { report("'customers' need a 'web' server to update them", at: root) }
        if customers == nil, !updaterSpecs.isEmpty {
            report("updaters need 'customers' (the accounts and hosts they update)", at: root)
        }
        if customers == nil, !ipChangeSpecs.isEmpty { report("ip_changes need 'customers'", at: root) }
        let total = updaterSpecs.reduce(UInt64(0)) { $0 + UInt64($1.sharePartsPerMillion) }
        if total > 1_000_000 {
            report("the updater populations' shares add up to \(ValueText.percentText(partsPerMillion: Int(total))), more than 100%",
                   at: root)
        }
    }
}
