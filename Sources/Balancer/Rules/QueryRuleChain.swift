import DNSWire
import Determinism

/// What the query rules decided (dnsdist's `processRulesResult`): forward, or answer or drop here.
public enum QueryVerdict: Sendable, Equatable {
    /// Send to a backend of `QueryRuleOutcome.pool` (Allow, Pool, or no terminal rule).
    case forward
    case drop
    /// Answer with TC=1 (only ever produced for Do53/UDP).
    case truncate
    /// Answer with this RCODE and these header bits (already resolved against the query).
    case rcode(RCode, aa: Bool, ad: Bool, ra: Bool)
    /// Answer with these addresses; `SelfAnswer` keeps those that fit the qtype.
    case spoof([IPAddress], ttl: UInt32)
    case spoofCNAME(DNSName, ttl: UInt32)

    /// True when the balancer answers the client itself.
    public var isSelfAnswer: Bool {
        switch self {
        case .forward, .drop: false
        case .truncate, .rcode, .spoof, .spoofCNAME: true
        }
    }
}

/// The result of running the query rules over one query.
public struct QueryRuleOutcome: Sendable, Equatable {
    public var verdict: QueryVerdict
    /// The pool to forward to; "" is the default pool.
    public var pool: String
    /// Extra delay before the answer goes back (Delay, Do53/UDP only); the last Delay wins.
    public var delay: SimDuration?
    /// Neither look up nor fill the packet cache (SetSkipCache).
    public var skipCache: Bool
    /// Clear RD before forwarding (SetNoRecurse).
    public var clearRD: Bool
    /// Index of the rule whose action stopped processing, nil when none did.
    public var matchedRule: Int?
    /// Some Log action ran.
    public var logged: Bool
    /// Tags set by SetTag, to pass to the response rules.
    public var tags: RuleTags

    public init(
        verdict: QueryVerdict = .forward, pool: String = "", delay: SimDuration? = nil, skipCache: Bool = false,
        clearRD: Bool = false, matchedRule: Int? = nil, logged: Bool = false, tags: RuleTags = RuleTags()
    ) {
        self.verdict = verdict
        self.pool = pool
        self.delay = delay
        self.skipCache = skipCache
        self.clearRD = clearRD
        self.matchedRule = matchedRule
        self.logged = logged
        self.tags = tags
    }
}

/// A compiled `query_rules` list with its rate state. Rules run in order; each matching rule's
/// action applies, and the first terminal one stops processing (dnsdist's `applyRulesToQuery`).
public struct QueryRuleChain: Sendable {
    enum Action: Sendable {
        case drop
        case allow
        case tc
        case rcode(RCode, aa: Bool?, ad: Bool?, ra: Bool?)
        case spoof([IPAddress], ttl: UInt32, hasV4: Bool, hasV6: Bool)
        case spoofCNAME(DNSName, ttl: UInt32)
        case pool(String, stop: Bool)
        case qpsPool(Int32, pool: String, stop: Bool)
        case delay(SimDuration)
        case none
        case log
        case qps(Int32)
        case setSkipCache
        case setTag(RuleTags.Entry)
        case noRecurse
    }

    struct Rule: Sendable {
        var root: Int
        var action: Action
        /// Wrapped in `Continue`: never terminal, verdicts ignored.
        var continues: Bool
    }

    private var program = SelectorProgram()
    private var rules: [Rule] = []
    private var actionBuckets: [TokenBucket] = []
    /// Names as configured, in order.
    public let names: [String?]
    /// Times each rule's selector matched, in rule order (dnsdist's per-rule `matches`).
    public private(set) var hits: [UInt64]

    public init(_ configs: [QueryRuleConfig]) throws(RuleConfigError) {
        names = configs.map(\.name)
        hits = [UInt64](repeating: 0, count: configs.count)
        for (index, config) in configs.enumerated() {
            let root = try program.compile(config.selector, rule: index, name: config.name)
            var action = config.action
            var continues = false
            while case .continue(let inner) = action {
                continues = true
                action = inner
            }
            rules.append(Rule(root: root, action: try compile(action, rule: index, name: config.name), continues: continues))
        }
    }

    private mutating func compile(_ action: QueryActionConfig, rule: Int, name: String?) throws(RuleConfigError) -> Action {
        switch action {
        case .drop: return .drop
        case .allow: return .allow
        case .tc: return .tc
        case .rcode(let rcode, let aa, let ad, let ra):
            guard rcode.rawValue < 16 else {
                throw RuleConfigError(rule: rule, name: name, reason: .extendedRCode(rcode))
            }
            return .rcode(rcode, aa: aa, ad: ad, ra: ra)
        case .spoof(let addresses, let ttl):
            let hasV4 = addresses.contains { if case .v4 = $0 { true } else { false } }
            let hasV6 = addresses.contains { if case .v6 = $0 { true } else { false } }
            return .spoof(addresses, ttl: ttl, hasV4: hasV4, hasV6: hasV6)
        case .spoofCNAME(let target, let ttl): return .spoofCNAME(target, ttl: ttl)
        case .pool(let pool, let stop): return .pool(pool, stop: stop)
        case .qpsPool(let maxQPS, let pool, let stop):
            actionBuckets.append(TokenBucket(rate: maxQPS, burst: maxQPS))
            return .qpsPool(Int32(actionBuckets.count - 1), pool: pool, stop: stop)
        case .delay(let milliseconds): return .delay(.milliseconds(Int64(milliseconds)))
        case .none: return .none
        case .log: return .log
        case .qps(let maxQPS):
            actionBuckets.append(TokenBucket(rate: maxQPS, burst: maxQPS))
            return .qps(Int32(actionBuckets.count - 1))
        case .setSkipCache: return .setSkipCache
        case .setTag(let tag, let value):
            guard !tag.isEmpty else { throw RuleConfigError(rule: rule, name: name, reason: .emptyTagName) }
            return .setTag(RuleTags.Entry(name: tag, value: value))
        case .noRecurse: return .noRecurse
        case .continue(let inner): return try compile(inner, rule: rule, name: name)
        }
    }

    public var count: Int { rules.count }

    /// Runs the rules over `query` at `query.arrival`. `random` feeds `Proba` selectors only.
    public mutating func evaluate(_ query: QueryView, random: inout SeededRandom) -> QueryRuleOutcome {
        var outcome = QueryRuleOutcome()
        for index in rules.indices {
            let rule = rules[index]
            guard
                program.matches(
                    rule.root, query, rcode: 0, size: query.size, now: query.arrival, tags: outcome.tags,
                    random: &random)
            else { continue }
            hits[index] &+= 1
            if apply(rule, to: &outcome, query: query) {
                outcome.matchedRule = index
                return outcome
            }
        }
        return outcome
    }

    /// Applies one action; true when processing stops.
    private mutating func apply(_ rule: Rule, to outcome: inout QueryRuleOutcome, query: QueryView) -> Bool {
        let decides = !rule.continues
        switch rule.action {
        case .drop:
            if decides { outcome.verdict = .drop }
            return decides
        case .allow:
            if decides { outcome.verdict = .forward }
            return decides
        case .tc:
            guard decides, !query.transport.isConnectionBased else { return false }
            outcome.verdict = .truncate
            return true
        case .rcode(let rcode, let aa, let ad, let ra):
            guard decides else { return false }
            outcome.verdict = .rcode(
                rcode, aa: aa ?? query.flags.contains(.aa), ad: ad ?? query.flags.contains(.ad),
                ra: ra ?? query.flags.contains(.ra))
            return true
        case .spoof(let addresses, let ttl, let hasV4, let hasV6):
            let fits: Bool
            switch query.qtype {
            case .a: fits = hasV4
            case .aaaa: fits = hasV6
            case .any: fits = hasV4 || hasV6
            default: fits = false
            }
            guard decides, fits else { return false }
            outcome.verdict = .spoof(addresses, ttl: ttl)
            return true
        case .spoofCNAME(let target, let ttl):
            guard decides else { return false }
            outcome.verdict = .spoofCNAME(target, ttl: ttl)
            return true
        case .pool(let pool, let stop):
            outcome.pool = pool
            return decides && stop
        case .qpsPool(let bucket, let pool, let stop):
            guard actionBuckets[Int(bucket)].check(now: query.arrival.nanoseconds) else { return false }
            outcome.pool = pool
            return decides && stop
        case .delay(let delay):
            if !query.transport.isConnectionBased { outcome.delay = delay }
            return false
        case .none:
            return false
        case .log:
            outcome.logged = true
            return false
        case .qps(let bucket):
            if actionBuckets[Int(bucket)].check(now: query.arrival.nanoseconds) { return false }
            if decides { outcome.verdict = .drop }
            return decides
        case .setSkipCache:
            outcome.skipCache = true
            return false
        case .setTag(let tag):
            outcome.tags.set(tag.name, to: tag.value)
            return false
        case .noRecurse:
            outcome.clearRD = true
            return false
        }
    }

    /// Subnets tracked by each `MaxQPSIP` selector, in the order they appear in the rules.
    public var trackedSubnets: [Int] { program.clientTableCounts }
}
