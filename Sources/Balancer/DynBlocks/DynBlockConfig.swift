import DNSWire
import Determinism

/// `ring_buffers`: the capacity of the query ring and of the response ring (each holds `size`
/// entries; the oldest entry is overwritten). dnsdist's `shards` only matter for lock contention
/// and are not modelled. The capacity bounds what rate rules can see (dnsdist issue #10239): a rule
/// over `seconds` only counts what the ring still holds.
public struct RingBufferConfig: Sendable, Equatable {
    public var size: Int

    public init(size: Int = 10000) {
        self.size = size
    }
}

/// `dynamic_rules_settings`.
public struct DynBlockSettings: Sendable, Equatable {
    /// `purge_interval`: how often expired entries are removed from the block tables. Expired
    /// entries stop applying at once regardless; zero disables removal.
    public var purgeInterval: SimDuration
    /// `default_action`: the action of rules (and manual blocks) that name none.
    public var defaultAction: DynBlockAction

    public init(purgeInterval: SimDuration = .seconds(60), defaultAction: DynBlockAction = .drop) {
        self.purgeInterval = purgeInterval
        self.defaultAction = defaultAction
    }
}

/// What a dynamic block does to a matching query (dnsdist's `DNSAction` values accepted by
/// `setDynBlocksAction` and by rules; `SetTag` is not modelled).
public enum DynBlockAction: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Drop the query silently.
    case drop
    /// Answer REFUSED.
    case refused
    /// Answer NXDOMAIN.
    case nxdomain
    /// Answer with TC=1 over UDP; over any connection-based transport the block does not apply.
    case truncate
    /// Do nothing (what warning entries carry).
    case noop
    /// Clear the RD bit and let the query through.
    case noRecurse

    /// The spelling of dnsdist's YAML (`Drop`, `Refused`, `NXDomain`, `Truncate`, `NoOp`, `NoRecurse`).
    public var description: String {
        switch self {
        case .drop: "Drop"
        case .refused: "Refused"
        case .nxdomain: "NXDomain"
        case .truncate: "Truncate"
        case .noop: "NoOp"
        case .noRecurse: "NoRecurse"
        }
    }
}

/// Which qualifying suffix a suffix-match rule blocks when a suffix and one of its ancestors (or
/// descendants) both pass the visitor's thresholds.
public enum SuffixSelection: Sendable, Equatable {
    /// Block the most specific qualifying suffixes only: a qualifying suffix is skipped when one of
    /// its descendants also qualifies (so the victim zone is blocked, not the provider zone above it).
    case deepest
    /// Block the least specific qualifying suffixes only: a qualifying suffix is skipped when one
    /// of its ancestors also qualifies.
    case shallowest
}

/// Our declarative substitute for dnsdist's `visitor_function_*` (a Lua visitor over per-suffix
/// `StatNode` counters), modelled on PowerDNS Defender's PRSD (random-subdomain) detector.
///
/// For every suffix of every qname in the response ring within the rule's window, with at least
/// `minimumLabels` and at most `maximumLabels` labels, the rule aggregates the responses for that
/// name and everything below it: queries, NOERROR, NXDOMAIN, SERVFAIL, bytes, cache hits, and the
/// number of distinct child labels. A suffix qualifies when every configured threshold holds; the
/// block then applies to that suffix and everything below it.
public struct SuffixMatchVisitor: Sendable, Equatable {
    /// The shallowest suffix considered (Defender: "domain ≥ 2 labels"). Set it to the provider
    /// zone's label count + 1 to make blocking the provider zone itself impossible.
    public var minimumLabels: Int
    /// The deepest suffix considered.
    public var maximumLabels: Int
    /// Qualifies only when `queries > minimumQueryRate × seconds` (the `>` of dnsdist's rate rules).
    public var minimumQueryRate: Double
    /// Qualifies only with at least this many distinct child labels seen below the suffix.
    public var minimumDistinctChildren: Int
    /// When set, qualifies only when `(nxdomains + servfails) / queries ≥ failureRatio`.
    public var failureRatio: Double?
    /// When set, qualifies only when `cacheHits / queries ≤ maximumCacheHitRatio`.
    public var maximumCacheHitRatio: Double?
    /// When set, qualifies only when `queries / distinctChildren ≤ maximumQueriesPerChild` (random
    /// labels are each asked about once or twice; a popular zone's few children are asked often).
    public var maximumQueriesPerChild: Double?
    public var selection: SuffixSelection

    /// Defaults are Defender's PRSD example thresholds: ≥ 2 labels, ≥ 100 qps, ≥ 50 distinct
    /// children, failure ratio ≥ 0.8, cache-hit ratio ≤ 0.2, queries per child ≤ 2.
    public init(
        minimumLabels: Int = 2, maximumLabels: Int = 4, minimumQueryRate: Double = 100,
        minimumDistinctChildren: Int = 50, failureRatio: Double? = 0.8, maximumCacheHitRatio: Double? = 0.2,
        maximumQueriesPerChild: Double? = 2, selection: SuffixSelection = .deepest
    ) {
        self.minimumLabels = minimumLabels
        self.maximumLabels = maximumLabels
        self.minimumQueryRate = minimumQueryRate
        self.minimumDistinctChildren = minimumDistinctChildren
        self.failureRatio = failureRatio
        self.maximumCacheHitRatio = maximumCacheHitRatio
        self.maximumQueriesPerChild = maximumQueriesPerChild
        self.selection = selection
    }
}

/// A rule's `type` and its type-specific parameter.
public enum DynBlockRuleKind: Sendable, Equatable {
    /// `query-rate`: queries per second from one masked client.
    case queryRate
    /// `rcode-rate`: responses with this RCODE per second to one masked client.
    case rcodeRate(RCode)
    /// `rcode-ratio`: the share of responses with this RCODE among a client's responses.
    case rcodeRatio(RCode)
    /// `qtype-rate`: queries of this type per second.
    case qtypeRate(RRType)
    /// `response-byte-rate`: response bytes per second.
    case responseByteRate
    /// `cache-miss-ratio`: the share of a client's responses that were not cache hits, applied only
    /// while the global cache-hit ratio is at least `minimumGlobalCacheHitRatio`.
    case cacheMissRatio(minimumGlobalCacheHitRatio: Double)
    /// `suffix-match`: per-suffix thresholds (our declarative visitor); blocks names, not clients.
    case suffixMatch(SuffixMatchVisitor)

    /// The YAML `type` value.
    public var typeName: String {
        switch self {
        case .queryRate: "query-rate"
        case .rcodeRate: "rcode-rate"
        case .rcodeRatio: "rcode-ratio"
        case .qtypeRate: "qtype-rate"
        case .responseByteRate: "response-byte-rate"
        case .cacheMissRatio: "cache-miss-ratio"
        case .suffixMatch: "suffix-match"
        }
    }

    var isRatio: Bool {
        switch self {
        case .rcodeRatio, .cacheMissRatio: true
        default: false
        }
    }

    var isRate: Bool {
        switch self {
        case .queryRate, .rcodeRate, .qtypeRate, .responseByteRate: true
        default: false
        }
    }
}

/// One entry of a group's `rules` (dnsdist's `DynamicRuleConfiguration`).
public struct DynBlockRuleConfig: Sendable, Equatable {
    public var kind: DynBlockRuleKind
    /// `seconds`: the look-back window.
    public var seconds: Int
    /// `action_duration`: how long an inserted block lasts, in seconds.
    public var actionDuration: Int
    /// `comment`: the block's reason.
    public var comment: String
    /// `rate`: for rate rules, fires when `count > seconds × rate`.
    public var rate: Int
    /// `ratio`: for ratio rules, fires when `count > ratio × total` and `total ≥ minimumNumberOfResponses`.
    public var ratio: Double
    /// `warning_rate`: 0 for none; must be below `rate`.
    public var warningRate: Int
    /// `warning_ratio`: 0 for none; must be below `ratio`.
    public var warningRatio: Double
    /// `minimum_number_of_responses`, for ratio rules.
    public var minimumNumberOfResponses: Int
    /// `action`; nil applies `dynamic_rules_settings.default_action`.
    public var action: DynBlockAction?

    public init(
        kind: DynBlockRuleKind, seconds: Int, actionDuration: Int, comment: String = "", rate: Int = 0,
        ratio: Double = 0, warningRate: Int = 0, warningRatio: Double = 0, minimumNumberOfResponses: Int = 0,
        action: DynBlockAction? = nil
    ) {
        self.kind = kind
        self.seconds = seconds
        self.actionDuration = actionDuration
        self.comment = comment
        self.rate = rate
        self.ratio = ratio
        self.warningRate = warningRate
        self.warningRatio = warningRatio
        self.minimumNumberOfResponses = minimumNumberOfResponses
        self.action = action
    }
}

/// One entry of `dynamic_rules` (dnsdist's `DynamicRulesConfiguration`).
public struct DynBlockGroupConfig: Sendable, Equatable {
    public var name: String
    /// `mask_ipv4` (32), `mask_ipv6` (64, the YAML default; Lua's is 128), `mask_port` (0).
    public var maskIPv4: Int
    public var maskIPv6: Int
    public var maskPort: Int
    /// `exclude_ranges` / `include_ranges`: the more specific entry wins; on a tie, include wins.
    public var excludeRanges: NetmaskGroup
    public var includeRanges: NetmaskGroup
    /// `exclude_domains`: suffix-match rules never block these names or anything below them.
    public var excludeDomains: [DNSName]
    public var rules: [DynBlockRuleConfig]

    public init(
        name: String, maskIPv4: Int = 32, maskIPv6: Int = 64, maskPort: Int = 0,
        excludeRanges: NetmaskGroup = NetmaskGroup(), includeRanges: NetmaskGroup = NetmaskGroup(),
        excludeDomains: [DNSName] = [], rules: [DynBlockRuleConfig]
    ) {
        self.name = name
        self.maskIPv4 = maskIPv4
        self.maskIPv6 = maskIPv6
        self.maskPort = maskPort
        self.excludeRanges = excludeRanges
        self.includeRanges = includeRanges
        self.excludeDomains = excludeDomains
        self.rules = rules
    }
}

/// Why a dynamic-block configuration was rejected.
public enum DynBlockConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    case ringSizeNotPositive(Int)
    case negativePurgeInterval
    case duplicateGroupName(String)
    case maskOutOfRange(group: String, field: String, value: Int)
    case invalidRule(group: String, rule: Int, problem: String)
    /// dnsdist keeps one rule per type (per RCODE / QTYPE for those types); a second one silently
    /// replaces the first there, here it is an error.
    case duplicateRule(group: String, rule: Int, type: String)

    public var description: String {
        switch self {
        case .ringSizeNotPositive(let size): "ring_buffers.size must be positive, got \(size)"
        case .negativePurgeInterval: "dynamic_rules_settings.purge_interval must not be negative"
        case .duplicateGroupName(let name): "dynamic_rules: duplicate group name '\(name)'"
        case .maskOutOfRange(let group, let field, let value): "dynamic_rules '\(group)': \(field) \(value) out of range"
        case .invalidRule(let group, let rule, let problem): "dynamic_rules '\(group)' rule \(rule): \(problem)"
        case .duplicateRule(let group, let rule, let type): "dynamic_rules '\(group)' rule \(rule): a second \(type) rule"
        }
    }
}

extension DynBlockGroupConfig {
    func validate() throws(DynBlockConfigError) {
        guard (0...32).contains(maskIPv4) else { throw .maskOutOfRange(group: name, field: "mask_ipv4", value: maskIPv4) }
        guard (0...128).contains(maskIPv6) else { throw .maskOutOfRange(group: name, field: "mask_ipv6", value: maskIPv6) }
        guard (0...16).contains(maskPort) else { throw .maskOutOfRange(group: name, field: "mask_port", value: maskPort) }
        var seen: [String] = []
        for (index, rule) in rules.enumerated() {
            try rule.validate(group: name, index: index)
            let identity: String
            switch rule.kind {
            case .rcodeRate(let rcode): identity = "rcode-rate \(rcode)"
            case .rcodeRatio(let rcode): identity = "rcode-ratio \(rcode)"
            case .qtypeRate(let qtype): identity = "qtype-rate \(qtype)"
            default: identity = rule.kind.typeName
            }
            guard !seen.contains(identity) else { throw .duplicateRule(group: name, rule: index, type: identity) }
            seen.append(identity)
        }
    }
}

extension DynBlockRuleConfig {
    func validate(group: String, index: Int) throws(DynBlockConfigError) {
        func fail(_ problem: String) -> DynBlockConfigError { .invalidRule(group: group, rule: index, problem: problem) }
        guard seconds > 0 else { throw fail("seconds must be positive") }
        guard actionDuration > 0 else { throw fail("action_duration must be positive") }
        if kind.isRate {
            guard rate >= 0 else { throw fail("rate must not be negative") }
            guard warningRate >= 0 else { throw fail("warning_rate must not be negative") }
            guard warningRate == 0 || warningRate < rate else { throw fail("warning_rate must be below rate") }
            guard ratio == 0, warningRatio == 0, minimumNumberOfResponses == 0 else {
                throw fail("ratio, warning_ratio and minimum_number_of_responses apply to ratio rules only")
            }
        }
        if kind.isRatio {
            guard ratio.isFinite, ratio >= 0, ratio <= 1 else { throw fail("ratio must lie in 0...1") }
            guard warningRatio.isFinite, warningRatio >= 0 else { throw fail("warning_ratio must lie in 0...1") }
            guard warningRatio == 0 || warningRatio < ratio else { throw fail("warning_ratio must be below ratio") }
            guard minimumNumberOfResponses >= 0 else { throw fail("minimum_number_of_responses must not be negative") }
            guard rate == 0, warningRate == 0 else { throw fail("rate and warning_rate apply to rate rules only") }
        }
        switch kind {
        case .cacheMissRatio(let global):
            guard global.isFinite, global >= 0, global <= 1 else {
                throw fail("minimum_global_cache_hit_ratio must lie in 0...1")
            }
        case .suffixMatch(let visitor):
            guard rate == 0, warningRate == 0, ratio == 0, warningRatio == 0, minimumNumberOfResponses == 0 else {
                throw fail("suffix-match takes its thresholds from the visitor; rate, ratio and warnings do not apply")
            }
            if let problem = visitor.problem { throw fail(problem) }
        default:
            break
        }
    }
}

extension SuffixMatchVisitor {
    var problem: String? {
        if minimumLabels < 1 { return "visitor minimumLabels must be at least 1" }
        if maximumLabels < minimumLabels { return "visitor maximumLabels must not be below minimumLabels" }
        if maximumLabels > 127 { return "visitor maximumLabels must be at most 127" }
        if !minimumQueryRate.isFinite || minimumQueryRate < 0 { return "visitor minimumQueryRate must not be negative" }
        if minimumDistinctChildren < 0 { return "visitor minimumDistinctChildren must not be negative" }
        for (name, value) in [("failureRatio", failureRatio), ("maximumCacheHitRatio", maximumCacheHitRatio)] {
            if let value, !(value.isFinite && value >= 0 && value <= 1) { return "visitor \(name) must lie in 0...1" }
        }
        if let value = maximumQueriesPerChild, !(value.isFinite && value > 0) {
            return "visitor maximumQueriesPerChild must be positive"
        }
        return nil
    }
}
