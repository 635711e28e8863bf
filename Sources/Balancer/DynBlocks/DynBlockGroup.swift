import DNSWire
import Determinism

/// A client rule ready to evaluate: thresholds, window, and its counter slots.
struct CompiledRule {
    enum Kind {
        case queryRate
        case responseByteRate
        case cacheMissRatio(minimumGlobalCacheHitRatio: Double)
        case qtypeRate(RRType)
        case rcodeRate(RCode)
        case rcodeRatio(RCode)
    }

    /// dnsdist's control flow: after a block from a query-rate, response-byte-rate or cache-miss
    /// rule it moves to the next client; after a block from a qtype, rcode-rate or rcode-ratio
    /// rule it skips the remaining rules of that family only.
    enum Family: Int { case single = 0, qtype, rcodeRate, rcodeRatio }

    var kind: Kind
    var seconds: Int
    var window: SimDuration
    var duration: SimDuration
    var rate: Int
    var warningRate: Int
    var ratio: Double
    var warningRatio: Double
    var minimumNumberOfResponses: Int
    var action: DynBlockAction
    var reason: String

    var family: Family {
        switch kind {
        case .queryRate, .responseByteRate, .cacheMissRatio: .single
        case .qtypeRate: .qtype
        case .rcodeRate: .rcodeRate
        case .rcodeRatio: .rcodeRatio
        }
    }

    var readsQueries: Bool {
        switch kind {
        case .queryRate, .qtypeRate: true
        default: false
        }
    }

    /// Evaluation order of dnsdist's `apply`: query rate, response byte rate, cache-miss ratio,
    /// then qtype rules, rcode-rate rules and rcode-ratio rules, each by ascending code.
    var order: (Int, Int) {
        switch kind {
        case .queryRate: (0, 0)
        case .responseByteRate: (1, 0)
        case .cacheMissRatio: (2, 0)
        case .qtypeRate(let qtype): (3, Int(qtype.rawValue))
        case .rcodeRate(let rcode): (4, Int(rcode.rawValue))
        case .rcodeRatio(let rcode): (5, Int(rcode.rawValue))
        }
    }

    enum Verdict { case none, warning, block }

    /// `count` is the numerator (queries, bytes, matching responses, misses); `total` the
    /// responses counted for ratio rules.
    func verdict(count: Int, total: Int, globalCacheHitRatioMet: Bool) -> Verdict {
        switch kind {
        case .queryRate, .responseByteRate, .qtypeRate, .rcodeRate:
            if count > seconds * rate { return .block }
            if warningRate > 0 && count > seconds * warningRate { return .warning }
            return .none
        case .rcodeRatio, .cacheMissRatio:
            if case .cacheMissRatio = kind, !globalCacheHitRatioMet { return .none }
            guard total >= minimumNumberOfResponses else { return .none }
            if Double(count) > ratio * Double(total) { return .block }
            if warningRatio > 0 && Double(count) > warningRatio * Double(total) { return .warning }
            return .none
        }
    }
}

struct CompiledSuffixRule {
    var visitor: SuffixMatchVisitor
    var seconds: Int
    var window: SimDuration
    var duration: SimDuration
    var action: DynBlockAction
    var reason: String
}

/// One `dynamic_rules` group, compiled (dnsdist's `DynBlockRulesGroup`).
struct CompiledGroup {
    var name: String
    var maskIPv4: Int
    var maskIPv6: Int
    var maskPort: Int
    var excludeRanges: NetmaskGroup
    var includeRanges: NetmaskGroup
    var excludeDomains: [DNSName]
    /// Client rules in evaluation order.
    var rules: [CompiledRule]
    var suffixRule: CompiledSuffixRule?

    init(_ config: DynBlockGroupConfig, defaultAction: DynBlockAction) {
        name = config.name
        maskIPv4 = config.maskIPv4
        maskIPv6 = config.maskIPv6
        maskPort = config.maskPort
        excludeRanges = config.excludeRanges
        includeRanges = config.includeRanges
        excludeDomains = config.excludeDomains
        var rules: [CompiledRule] = []
        for rule in config.rules {
            let action = rule.action ?? defaultAction
            let window = SimDuration.seconds(Int64(rule.seconds))
            let duration = SimDuration.seconds(Int64(rule.actionDuration))
            let kind: CompiledRule.Kind
            switch rule.kind {
            case .queryRate: kind = .queryRate
            case .responseByteRate: kind = .responseByteRate
            case .cacheMissRatio(let global): kind = .cacheMissRatio(minimumGlobalCacheHitRatio: global)
            case .qtypeRate(let qtype): kind = .qtypeRate(qtype)
            case .rcodeRate(let rcode): kind = .rcodeRate(rcode)
            case .rcodeRatio(let rcode): kind = .rcodeRatio(rcode)
            case .suffixMatch(let visitor):
                suffixRule = CompiledSuffixRule(
                    visitor: visitor, seconds: rule.seconds, window: window, duration: duration, action: action,
                    reason: rule.comment
                )
                continue
            }
            rules.append(
                CompiledRule(
                    kind: kind, seconds: rule.seconds, window: window, duration: duration, rate: rule.rate,
                    warningRate: rule.warningRate, ratio: rule.ratio, warningRatio: rule.warningRatio,
                    minimumNumberOfResponses: rule.minimumNumberOfResponses, action: action, reason: rule.comment
                )
            )
        }
        self.rules = rules.sorted { $0.order < $1.order }
    }

    var hasQueryRules: Bool { rules.contains { $0.readsQueries } }
    var hasResponseRules: Bool { rules.contains { !$0.readsQueries } }

    func clientKey(_ address: IPAddress, port: UInt16) -> ClientKey {
        ClientKey(address: address, port: port, v4Mask: maskIPv4, v6Mask: maskIPv6, portBits: maskPort)
    }

    /// Exclusions are address-based (no port), on the masked network address, as in dnsdist; the
    /// more specific of a matching exclude and include range wins, include on a tie.
    func isExcluded(_ key: ClientKey) -> Bool {
        guard let excluded = excludeRanges.mostSpecificMatch(key.address) else { return false }
        guard let included = includeRanges.mostSpecificMatch(key.address) else { return true }
        return excluded.prefixLength > included.prefixLength
    }

    func isExcluded(_ name: DNSName) -> Bool {
        excludeDomains.contains { name.isSubdomain(of: $0) }
    }
}

/// Per-client counters of one `apply`: two slots per rule (numerator, ratio denominator).
struct ClientCounts {
    var rows: [ClientKey: Int] = [:]
    var keys: [ClientKey] = []
    var values: [Int] = []
    let width: Int

    init(ruleCount: Int) { width = ruleCount * 2 }

    mutating func row(for key: ClientKey) -> Int {
        if let row = rows[key] { return row }
        let row = keys.count
        rows[key] = row
        keys.append(key)
        values.append(contentsOf: repeatElement(0, count: width))
        return row
    }
}

extension CompiledGroup {
    /// Everything `DynBlockRulesGroup::apply` does: count the rings, then insert or refresh blocks.
    func apply(
        now: Instant, queries: Ring<QueryRingEntry>, responses: Ring<ResponseRingEntry>,
        globalCacheHitRatio: Double?, clientBlocks: inout ClientBlockTable, suffixBlocks: inout SuffixBlockTable,
        events: inout [DynBlockEvent]
    ) {
        var counts = ClientCounts(ruleCount: rules.count)
        let cutoffs = rules.map { now + SimDuration(nanoseconds: -$0.window.nanoseconds) }

        if hasQueryRules {
            let earliest = zip(rules, cutoffs).filter { $0.0.readsQueries }.map(\.1).min() ?? now
            queries.forEach { entry in
                guard entry.when <= now, entry.when >= earliest else { return }
                var row = -1
                for (index, rule) in rules.enumerated() where rule.readsQueries && entry.when >= cutoffs[index] {
                    switch rule.kind {
                    case .queryRate: break
                    case .qtypeRate(let qtype): if qtype != entry.qtype { continue }
                    default: continue
                    }
                    if row < 0 { row = counts.row(for: clientKey(entry.client, port: entry.port)) }
                    counts.values[row * counts.width + index * 2] += 1
                }
            }
        }

        var suffixStats: SuffixStats?
        if let suffixRule {
            suffixStats = SuffixStats(visitor: suffixRule.visitor)
        }
        let readsResponses = hasResponseRules
        if readsResponses || suffixRule != nil {
            let earliest = zip(rules, cutoffs).filter { !$0.0.readsQueries }.map(\.1).min() ?? now
            let suffixCutoff = suffixRule.map { now + SimDuration(nanoseconds: -$0.window.nanoseconds) }
            responses.forEach { entry in
                guard entry.when <= now else { return }
                if let suffixCutoff, entry.when >= suffixCutoff {
                    suffixStats?.submit(entry.qname, rcode: entry.rcode, size: entry.size, cacheHit: entry.fromCache)
                }
                guard readsResponses, entry.when >= earliest else { return }
                let row = counts.row(for: clientKey(entry.client, port: entry.port))
                let base = row * counts.width
                for (index, rule) in rules.enumerated() where !rule.readsQueries && entry.when >= cutoffs[index] {
                    switch rule.kind {
                    case .responseByteRate:
                        counts.values[base + index * 2] += Int(entry.size)
                    case .cacheMissRatio:
                        counts.values[base + index * 2 + 1] += 1
                        if !entry.fromCache { counts.values[base + index * 2] += 1 }
                    case .rcodeRate(let rcode):
                        if rcode == entry.rcode { counts.values[base + index * 2] += 1 }
                    case .rcodeRatio(let rcode):
                        counts.values[base + index * 2 + 1] += 1
                        if rcode == entry.rcode { counts.values[base + index * 2] += 1 }
                    case .queryRate, .qtypeRate:
                        break
                    }
                }
            }
        }

        // Decide per client, in key order so events and insertions never depend on hashing.
        let order = counts.keys.indices.sorted { counts.keys[$0] < counts.keys[$1] }
        for row in order {
            let key = counts.keys[row]
            let base = row * counts.width
            var stoppedFamilies: UInt8 = 0
            ruleLoop: for (index, rule) in rules.enumerated() {
                let familyBit = UInt8(1) << UInt8(rule.family.rawValue)
                if rule.family != .single && stoppedFamilies & familyBit != 0 { continue }
                let globalMet: Bool
                if case .cacheMissRatio(let minimum) = rule.kind {
                    globalMet = globalCacheHitRatio.map { $0 >= minimum } ?? false
                } else {
                    globalMet = true
                }
                let verdict = rule.verdict(
                    count: counts.values[base + index * 2], total: counts.values[base + index * 2 + 1],
                    globalCacheHitRatioMet: globalMet
                )
                switch verdict {
                case .none:
                    continue ruleLoop
                case .warning:
                    insert(key, rule: rule, warning: true, now: now, into: &clientBlocks, events: &events)
                case .block:
                    insert(key, rule: rule, warning: false, now: now, into: &clientBlocks, events: &events)
                    if rule.family == .single { break ruleLoop }
                    stoppedFamilies |= familyBit
                }
            }
        }

        if let suffixRule, let suffixStats {
            for name in suffixStats.selected(seconds: suffixRule.seconds) where !isExcluded(name) {
                let proposal = BlockProposal(
                    reason: suffixRule.reason, action: suffixRule.action, until: now + suffixRule.duration,
                    warning: false, group: self.name
                )
                if let event = suffixBlocks.addOrRefresh(name, proposal, now: now) { events.append(event) }
            }
        }
    }

    private func insert(
        _ key: ClientKey, rule: CompiledRule, warning: Bool, now: Instant, into table: inout ClientBlockTable,
        events: inout [DynBlockEvent]
    ) {
        guard !isExcluded(key) else { return }
        let proposal = BlockProposal(
            reason: rule.reason, action: warning ? .noop : rule.action, until: now + rule.duration, warning: warning,
            group: name
        )
        if let event = table.addOrRefresh(key, proposal, now: now) { events.append(event) }
    }
}
