import Balancer
import DNSWire
import Determinism
import Yams

/// `query_rules`, `response_rules` and `dynamic_rules` in dnsdist 2.0's YAML vocabulary:
/// selectors and actions are `{type: Name, parameter: value, …}` with dnsdist's names (the Lua
/// name without `Rule`/`Action`).
extension ScenarioReader {
    static let selectorParameters: [String: [String]] = [
        "All": [], "QName": ["qname"], "QNameSet": ["qnames"], "QNameSuffix": ["suffixes", "quiet"],
        "QType": ["qtype"], "QClass": ["qclass"], "Opcode": ["code"], "RD": [], "DNSSEC": [],
        "Regex": ["expression"], "NetmaskGroup": ["netmasks", "source", "quiet"], "TCP": ["tcp"],
        "MaxQPSIP": ["qps", "ipv4_mask", "ipv6_mask", "burst", "expiration", "cleanup_delay", "scan_fraction", "shards"],
        "MaxQPS": ["qps", "burst"], "QNameLabelsCount": ["min_labels_count", "max_labels_count"],
        "QNameWireLength": ["min", "max"], "PayloadSize": ["comparison", "size"], "Proba": ["probability"],
        "Tag": ["tag", "value"], "RCode": ["rcode"], "And": ["selectors"], "Or": ["selectors"], "Not": ["selector"],
    ]
    static let queryActionParameters: [String: [String]] = [
        "Drop": [], "Allow": [], "TC": [], "RCode": ["rcode", "aa", "ad", "ra"], "Spoof": ["ips", "ttl"],
        "SpoofCNAME": ["cname", "ttl"], "Pool": ["pool_name", "stop_processing"],
        "QPSPool": ["limit", "pool_name", "stop_processing"], "Delay": ["msec"], "None": [], "Log": [],
        "QPS": ["limit"], "SetSkipCache": [], "SetTag": ["tag", "value"], "NoRecurse": [], "Continue": ["action"],
    ]
    static let responseActionParameters: [String: [String]] = [
        "Allow": [], "Drop": [], "Delay": ["msec"], "ServFail": [], "TC": [], "Log": [], "None": [],
        "SetTag": ["tag", "value"], "SetSkipCache": [],
    ]

    mutating func readQueryRules(_ field: Field?) -> [QueryRuleConfig] {
        guard let field, let items = list(field, expected: "a list of rules") else { return [] }
        var rules: [QueryRuleConfig] = []
        for item in items {
            guard let fields = mapping(item, context: "query rule", allowed: Self.ruleKeys, required: ["selector", "action"]),
                let selectorField = fields["selector"], let actionField = fields["action"]
            else { continue }
            let selector = readSelector(selectorField.value, key: selectorField.keyNode)
            let action = readQueryAction(actionField.value, key: actionField.keyNode)
            guard let selector, let action else { continue }
            rules.append(QueryRuleConfig(name: text(fields["name"], expected: "a rule name"), selector: selector, action: action))
        }
        return rules
    }

    mutating func readResponseRules(_ field: Field?) -> [ResponseRuleConfig] {
        guard let field, let items = list(field, expected: "a list of rules") else { return [] }
        var rules: [ResponseRuleConfig] = []
        for item in items {
            guard let fields = mapping(item, context: "response rule", allowed: Self.ruleKeys, required: ["selector", "action"]),
                let selectorField = fields["selector"], let actionField = fields["action"]
            else { continue }
            let selector = readSelector(selectorField.value, key: selectorField.keyNode)
            let action = readResponseAction(actionField.value, key: actionField.keyNode)
            guard let selector, let action else { continue }
            rules.append(ResponseRuleConfig(name: text(fields["name"], expected: "a rule name"), selector: selector, action: action))
        }
        return rules
    }

    /// `{type: X, …}`: the type and its parameter fields (unknown parameters are reported).
    private mutating func typed(_ node: Node, key: Node?, what: String, catalog: [String: [String]]) -> (String, Fields)? {
        guard case .mapping(let mapping) = node else {
            reportExpected("a mapping with a 'type'", found: node, key: key)
            return nil
        }
        guard let typeNode = mapping["type"], case .scalar(let scalar) = typeNode else {
            report("\(what) needs a 'type'", at: Self.position(of: node, key: key))
            return nil
        }
        let type = scalar.string
        guard let parameters = catalog[type] else {
            let known = catalog.keys.sorted()
            if let suggestion = Suggestion.closest(to: type, in: known) {
                report("unknown \(what) type '\(type)'; did you mean '\(suggestion)'?", at: typeNode)
            } else {
                report("unknown \(what) type '\(type)' (known: \(known.joined(separator: ", ")))", at: typeNode)
            }
            return nil
        }
        guard let fields = self.mapping(node, key: key, context: "\(what) \(type)", allowed: ["type", "name"] + parameters)
        else { return nil }
        return (type, fields)
    }

    mutating func readSelector(_ node: Node, key: Node?) -> SelectorConfig? {
        guard let (type, fields) = typed(node, key: key, what: "selector", catalog: Self.selectorParameters) else { return nil }
        func required(_ name: String) -> Field? {
            if let field = fields[name] { return field }
            report("selector \(type) needs '\(name)'", at: node)
            return nil
        }
        switch type {
        case "All": return .all
        case "QName": return domainName(required("qname")).map { .qname([$0]) }
        case "QNameSet": return domainNames(required("qnames")).map { .qname($0) }
        case "QNameSuffix": return domainNames(required("suffixes")).map { .qnameSuffix($0) }
        case "QType": return rrType(required("qtype")).map { .qtype($0) }
        case "QClass":
            return integer(required("qclass"), name: "qclass", in: 0...65_535).map { .qclass(DNSClass(rawValue: UInt16($0))) }
        case "Opcode":
            return integer(required("code"), name: "code", in: 0...15).map { .opcode(Opcode(rawValue: UInt8($0))) }
        case "RD": return .rd
        case "DNSSEC": return .dnssec
        case "Regex": return text(required("expression"), expected: "a regular expression").map { .regex($0) }
        case "NetmaskGroup": return readNetmasks(required("netmasks")).map { .netmaskGroup($0) }
        case "TCP": return .tcp(bool(fields["tcp"]) ?? true)
        case "MaxQPSIP":
            guard let qps = integer(required("qps"), name: "qps", in: 1...Int(UInt32.max)) else { return nil }
            let v4 = integer(fields["ipv4_mask"], name: "ipv4_mask", in: 0...32) ?? 32
            let v6 = integer(fields["ipv6_mask"], name: "ipv6_mask", in: 0...128) ?? 64
            let burst = integer(fields["burst"], name: "burst", in: 0...Int(UInt32.max)) ?? 0
            let expiration = seconds(fields["expiration"]) ?? .seconds(300)
            let cleanup = seconds(fields["cleanup_delay"]) ?? .seconds(60)
            return .maxQPSIP(qps: UInt32(qps), ipv4Mask: v4, ipv6Mask: v6, burst: UInt32(burst), expiration: expiration,
                             cleanupDelay: cleanup)
        case "MaxQPS":
            guard let qps = integer(required("qps"), name: "qps", in: 1...Int(UInt32.max)) else { return nil }
            let burst = integer(fields["burst"], name: "burst", in: 0...Int(UInt32.max)) ?? 0
            return .maxQPS(qps: UInt32(qps), burst: UInt32(burst))
        case "QNameLabelsCount":
            let low = integer(fields["min_labels_count"], name: "min_labels_count", in: 0...127) ?? 0
            let high = integer(fields["max_labels_count"], name: "max_labels_count", in: 0...127) ?? 127
            return .qnameLabelsCount(min: low, max: high)
        case "QNameWireLength":
            let low = integer(fields["min"], name: "min", in: 0...255) ?? 0
            let high = integer(fields["max"], name: "max", in: 0...255) ?? 255
            return .qnameWireLength(min: low, max: high)
        case "PayloadSize":
            let comparison = parse(required("comparison"), expected: "equal, greater, greaterOrEqual, smaller or smallerOrEqual") {
                PayloadComparison(rawValue: $0).map(Parsed.value) ?? .malformed
            }
            let size = integer(required("size"), name: "size", in: 0...65_535)
            guard let comparison, let size else { return nil }
            return .payloadSize(comparison, size)
        case "Proba": return double(required("probability"), name: "probability", in: 0...1).map { .proba($0) }
        case "Tag":
            guard let tag = text(required("tag"), expected: "a tag name") else { return nil }
            return .tag(name: tag, value: text(fields["value"], expected: "a tag value") ?? "")
        case "RCode": return rcode(required("rcode")).map { .rcode($0) }
        case "And", "Or":
            guard let field = required("selectors"), let items = list(field, expected: "a list of selectors") else { return nil }
            let selectors = items.compactMap { readSelector($0, key: nil) }
            guard selectors.count == items.count else { return nil }
            return type == "And" ? .and(selectors) : .or(selectors)
        case "Not":
            guard let field = required("selector") else { return nil }
            return readSelector(field.value, key: field.keyNode).map { .not($0) }
        default: return nil
        }
    }

    mutating func readQueryAction(_ node: Node, key: Node?) -> QueryActionConfig? {
        guard let (type, fields) = typed(node, key: key, what: "action", catalog: Self.queryActionParameters) else { return nil }
        func required(_ name: String) -> Field? {
            if let field = fields[name] { return field }
            report("action \(type) needs '\(name)'", at: node)
            return nil
        }
        switch type {
        case "Drop": return .drop
        case "Allow": return .allow
        case "TC": return .tc
        case "RCode":
            return rcode(required("rcode")).map { .rcode($0, aa: bool(fields["aa"]), ad: bool(fields["ad"]), ra: bool(fields["ra"])) }
        case "Spoof":
            guard let field = required("ips"), let items = list(field, expected: "a list of addresses") else { return nil }
            let ips = items.compactMap { item in
                parse(item, key: nil, expected: "an IP address") { IPAddress($0).map(Parsed.value) ?? .malformed }
            }
            let ttl = integer(fields["ttl"], name: "ttl", in: 0...Int(UInt32.max)) ?? 60
            return .spoof(ips, ttl: UInt32(ttl))
        case "SpoofCNAME":
            let ttl = integer(fields["ttl"], name: "ttl", in: 0...Int(UInt32.max)) ?? 60
            return domainName(required("cname")).map { .spoofCNAME($0, ttl: UInt32(ttl)) }
        case "Pool":
            return text(required("pool_name"), expected: "a pool name").map { .pool($0, stop: bool(fields["stop_processing"]) ?? true) }
        case "QPSPool":
            guard let limit = integer(required("limit"), name: "limit", in: 1...Int(UInt32.max)),
                let pool = text(required("pool_name"), expected: "a pool name") else { return nil }
            return .qpsPool(maxQPS: UInt32(limit), pool: pool, stop: bool(fields["stop_processing"]) ?? true)
        case "Delay":
            return integer(required("msec"), name: "msec", in: 0...3_600_000).map { .delay(milliseconds: UInt32($0)) }
        case "None": return QueryActionConfig.none
        case "Log": return .log
        case "QPS": return integer(required("limit"), name: "limit", in: 1...Int(UInt32.max)).map { .qps(maxQPS: UInt32($0)) }
        case "SetSkipCache": return .setSkipCache
        case "SetTag":
            guard let tag = text(required("tag"), expected: "a tag name") else { return nil }
            return .setTag(name: tag, value: text(fields["value"], expected: "a tag value") ?? "")
        case "NoRecurse": return .noRecurse
        case "Continue":
            guard let field = required("action") else { return nil }
            return readQueryAction(field.value, key: field.keyNode).map { .continue($0) }
        default: return nil
        }
    }

    mutating func readResponseAction(_ node: Node, key: Node?) -> ResponseActionConfig? {
        guard let (type, fields) = typed(node, key: key, what: "response action", catalog: Self.responseActionParameters)
        else { return nil }
        switch type {
        case "Allow": return .allow
        case "Drop": return .drop
        case "Delay":
            guard let field = fields["msec"] else {
                report("action Delay needs 'msec'", at: node)
                return nil
            }
            return integer(field, name: "msec", in: 0...3_600_000).map { .delay(milliseconds: UInt32($0)) }
        case "ServFail": return .servFail
        case "TC": return .tc
        case "Log": return .log
        case "None": return ResponseActionConfig.none
        case "SetTag":
            guard let tag = text(fields["tag"], expected: "a tag name") else { return nil }
            return .setTag(name: tag, value: text(fields["value"], expected: "a tag value") ?? "")
        case "SetSkipCache": return .setSkipCache
        default: return nil
        }
    }

    // MARK: dynamic rules

    mutating func dynBlockAction(_ field: Field?) -> DynBlockAction? {
        parse(field, expected: "Drop, Refused, NXDomain, Truncate, NoOp or NoRecurse") { text in
            DynBlockAction.allCases.first { $0.description.lowercased() == text.lowercased() }.map(Parsed.value) ?? .malformed
        }
    }

    mutating func readDynamicGroups(_ field: Field?) -> [DynBlockGroupConfig] {
        guard let field, let items = list(field, expected: "a list of dynamic rule groups") else { return [] }
        var groups: [DynBlockGroupConfig] = []
        for item in items {
            guard let fields = mapping(item, context: "dynamic rules group", allowed: Self.dynamicGroupKeys,
                                       required: ["name", "rules"]),
                let name = text(fields["name"], expected: "a group name"),
                let rulesField = fields["rules"], let ruleItems = list(rulesField, expected: "a list of dynamic rules")
            else { continue }
            var group = DynBlockGroupConfig(name: name, rules: [])
            if let v4 = integer(fields["mask_ipv4"], name: "mask_ipv4", in: 0...32) { group.maskIPv4 = v4 }
            if let v6 = integer(fields["mask_ipv6"], name: "mask_ipv6", in: 0...128) { group.maskIPv6 = v6 }
            if let port = integer(fields["mask_port"], name: "mask_port", in: 0...16) { group.maskPort = port }
            if let exclude = readNetmasks(fields["exclude_ranges"]) { group.excludeRanges = exclude }
            if let include = readNetmasks(fields["include_ranges"]) { group.includeRanges = include }
            if let domains = domainNames(fields["exclude_domains"]) { group.excludeDomains = domains }
            for ruleItem in ruleItems {
                if let rule = readDynamicRule(ruleItem) { group.rules.append(rule) }
            }
            groups.append(group)
        }
        return groups
    }

    mutating func readDynamicRule(_ node: Node) -> DynBlockRuleConfig? {
        guard let fields = mapping(node, context: "dynamic rule", allowed: Self.dynamicRuleKeys,
                                   required: ["type", "seconds", "action_duration"]),
            let typeField = fields["type"], let type = scalar(typeField.value, key: typeField.keyNode, expected: "a rule type")
        else { return nil }
        func required(_ name: String) -> Field? {
            if let field = fields[name] { return field }
            report("dynamic rule \(type) needs '\(name)'", at: node)
            return nil
        }
        let kind: DynBlockRuleKind?
        switch type {
        case "query-rate": kind = .queryRate
        case "rcode-rate": kind = rcode(required("rcode")).map { .rcodeRate($0) }
        case "rcode-ratio": kind = rcode(required("rcode")).map { .rcodeRatio($0) }
        case "qtype-rate": kind = rrType(required("qtype")).map { .qtypeRate($0) }
        case "response-byte-rate": kind = .responseByteRate
        case "cache-miss-ratio":
            kind = .cacheMissRatio(minimumGlobalCacheHitRatio:
                double(fields["minimum_global_cache_hit_ratio"], name: "minimum_global_cache_hit_ratio", in: 0...1) ?? 0)
        case "suffix-match":
            var visitor = SuffixMatchVisitor()
            if let field = fields["visitor"],
                let v = mapping(field.value, key: field.keyNode, context: "visitor", allowed: Self.visitorKeys) {
                if let value = integer(v["minimum_labels"], name: "minimum_labels", in: 1...127) { visitor.minimumLabels = value }
                if let value = integer(v["maximum_labels"], name: "maximum_labels", in: 1...127) { visitor.maximumLabels = value }
                if let value = integer(v["minimum_distinct_children"], name: "minimum_distinct_children", in: 0...Int(Int32.max)) {
                    visitor.minimumDistinctChildren = value
                }
                if let value = double(v["minimum_query_rate"], name: "minimum_query_rate", in: 0...1e12) {
                    visitor.minimumQueryRate = value
                }
                if let value = double(v["failure_ratio"], name: "failure_ratio", in: 0...1) { visitor.failureRatio = value }
                if let value = double(v["maximum_cache_hit_ratio"], name: "maximum_cache_hit_ratio", in: 0...1) {
                    visitor.maximumCacheHitRatio = value
                }
                if let value = double(v["maximum_queries_per_child"], name: "maximum_queries_per_child", in: 0...1e12) {
                    visitor.maximumQueriesPerChild = value
                }
                if let selection = parse(v["selection"], expected: "deepest or shallowest", { text in
                    text == "deepest" ? .value(SuffixSelection.deepest) : text == "shallowest" ? .value(.shallowest) : .malformed
                }) {
                    visitor.selection = selection
                }
            }
            kind = .suffixMatch(visitor)
        default:
            let known = ["query-rate", "rcode-rate", "rcode-ratio", "qtype-rate", "response-byte-rate", "cache-miss-ratio",
                         "suffix-match"]
            let hint = Suggestion.closest(to: type, in: known).map { "; did you mean '\($0)'?" } ?? ""
            report("unknown dynamic rule type '\(type)'\(hint)", at: typeField.value)
            kind = nil
        }
        let seconds = integer(fields["seconds"], name: "seconds", in: 1...3600)
        let duration = integer(fields["action_duration"], name: "action_duration", in: 1...Int(Int32.max))
        guard let kind, let seconds, let duration else { return nil }
        var rule = DynBlockRuleConfig(kind: kind, seconds: seconds, actionDuration: duration)
        rule.comment = text(fields["comment"], expected: "a comment") ?? ""
        if let rate = integer(fields["rate"], name: "rate", in: 0...Int(Int32.max)) { rule.rate = rate }
        if let ratio = double(fields["ratio"], name: "ratio", in: 0...1) { rule.ratio = ratio }
        if let rate = integer(fields["warning_rate"], name: "warning_rate", in: 0...Int(Int32.max)) { rule.warningRate = rate }
        if let ratio = double(fields["warning_ratio"], name: "warning_ratio", in: 0...1) { rule.warningRatio = ratio }
        if let minimum = integer(fields["minimum_number_of_responses"], name: "minimum_number_of_responses",
                                 in: 0...Int(Int32.max)) {
            rule.minimumNumberOfResponses = minimum
        }
        rule.action = dynBlockAction(fields["action"])
        return rule
    }
}
