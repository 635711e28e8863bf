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
    /// Index of `pool` in the chain's `poolNames`, -1 for the default pool: lets the balancer
    /// route by index instead of hashing the pool name per query. Not part of equality.
    var poolSlot: Int32 = -1

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

    public static func == (lhs: QueryRuleOutcome, rhs: QueryRuleOutcome) -> Bool {
        lhs.verdict == rhs.verdict && lhs.pool == rhs.pool && lhs.delay == rhs.delay && lhs.skipCache == rhs.skipCache
            && lhs.clearRD == rhs.clearRD && lhs.matchedRule == rhs.matchedRule && lhs.logged == rhs.logged
            && lhs.tags == rhs.tags
    }
}

/// A compiled `query_rules` list with its rate state. Rules run in order; each matching rule's
/// action applies, and the first terminal one stops processing (dnsdist's `applyRulesToQuery`).
public struct QueryRuleChain: Sendable {
    /// A compiled action. Every payload is a plain integer (strings, names and address lists live
    /// in side tables), so reading a rule copies no reference-counted value.
    enum Action: Sendable {
        case drop
        case allow
        case tc
        case rcode(Int32)
        case spoof(Int32)
        case spoofCNAME(Int32)
        case pool(Int32, stop: Bool)
        case qpsPool(bucket: Int32, pool: Int32, stop: Bool)
        case delay(nanoseconds: Int64)
        case none
        case log
        case qps(bucket: Int32)
        case setSkipCache
        case setTag(Int32)
        case noRecurse
    }

    struct Rule: Sendable {
        var root: Int
        var action: Action
        /// Wrapped in `Continue`: never terminal, verdicts ignored.
        var continues: Bool
    }

    struct RCodeAnswer: Sendable {
        var rcode: RCode
        var aa: Bool?
        var ad: Bool?
        var ra: Bool?
    }

    struct Spoof: Sendable {
        var addresses: [IPAddress]
        var ttl: UInt32
        var hasV4: Bool
        var hasV6: Bool
    }

    /// The side tables actions index into; immutable after compilation.
    final class Payloads: Sendable {
        let rcodes: [RCodeAnswer]
        let spoofs: [Spoof]
        let cnames: [(target: DNSName, ttl: UInt32)]
        let pools: [String]
        let tags: [RuleTags.Entry]

        init(
            rcodes: [RCodeAnswer], spoofs: [Spoof], cnames: [(target: DNSName, ttl: UInt32)], pools: [String],
            tags: [RuleTags.Entry]
        ) {
            self.rcodes = rcodes
            self.spoofs = spoofs
            self.cnames = cnames
            self.pools = pools
            self.tags = tags
        }
    }

    /// Collects side-table entries while compiling.
    private struct PayloadBuilder {
        var rcodes: [RCodeAnswer] = []
        var spoofs: [Spoof] = []
        var cnames: [(target: DNSName, ttl: UInt32)] = []
        var pools: [String] = []
        var tags: [RuleTags.Entry] = []
        var buckets: [TokenBucket] = []

        mutating func pool(_ name: String) -> Int32 {
            if let index = pools.firstIndex(of: name) { return Int32(index) }
            pools.append(name)
            return Int32(pools.count - 1)
        }
    }

    private let program: SelectorProgram
    private var state: SelectorState
    private let rules: [Rule]
    private let payloads: Payloads
    private var actionBuckets: [TokenBucket]
    /// Names as configured, in order.
    public let names: [String?]
    /// Times each rule's selector matched, in rule order (dnsdist's per-rule `matches`).
    public private(set) var hits: [UInt64]

    public init(_ configs: [QueryRuleConfig]) throws(RuleConfigError) {
        names = configs.map(\.name)
        hits = [UInt64](repeating: 0, count: configs.count)
        var compiler = SelectorProgram()
        var state = SelectorState()
        var builder = PayloadBuilder()
        var rules: [Rule] = []
        for (index, config) in configs.enumerated() {
            let root = try compiler.compile(config.selector, rule: index, name: config.name, state: &state)
            var action = config.action
            var continues = false
            while case .continue(let inner) = action {
                continues = true
                action = inner
            }
            let compiled = try Self.compile(action, into: &builder, rule: index, name: config.name)
            rules.append(Rule(root: root, action: compiled, continues: continues))
        }
        self.rules = rules
        program = compiler
        self.state = state
        actionBuckets = builder.buckets
        payloads = Payloads(
            rcodes: builder.rcodes, spoofs: builder.spoofs, cnames: builder.cnames, pools: builder.pools,
            tags: builder.tags)
    }

    private static func compile(
        _ action: QueryActionConfig, into builder: inout PayloadBuilder, rule: Int, name: String?
    ) throws(RuleConfigError) -> Action {
        switch action {
        case .drop: return .drop
        case .allow: return .allow
        case .tc: return .tc
        case .rcode(let rcode, let aa, let ad, let ra):
            guard rcode.rawValue < 16 else {
                throw RuleConfigError(rule: rule, name: name, reason: .extendedRCode(rcode))
            }
            builder.rcodes.append(RCodeAnswer(rcode: rcode, aa: aa, ad: ad, ra: ra))
            return .rcode(Int32(builder.rcodes.count - 1))
        case .spoof(let addresses, let ttl):
            let hasV4 = addresses.contains { if case .v4 = $0 { true } else { false } }
            let hasV6 = addresses.contains { if case .v6 = $0 { true } else { false } }
            builder.spoofs.append(Spoof(addresses: addresses, ttl: ttl, hasV4: hasV4, hasV6: hasV6))
            return .spoof(Int32(builder.spoofs.count - 1))
        case .spoofCNAME(let target, let ttl):
            builder.cnames.append((target, ttl))
            return .spoofCNAME(Int32(builder.cnames.count - 1))
        case .pool(let pool, let stop):
            return .pool(builder.pool(pool), stop: stop)
        case .qpsPool(let maxQPS, let pool, let stop):
            builder.buckets.append(TokenBucket(rate: maxQPS, burst: maxQPS))
            return .qpsPool(bucket: Int32(builder.buckets.count - 1), pool: builder.pool(pool), stop: stop)
        case .delay(let milliseconds): return .delay(nanoseconds: Int64(milliseconds) * 1_000_000)
        case .none: return .none
        case .log: return .log
        case .qps(let maxQPS):
            builder.buckets.append(TokenBucket(rate: maxQPS, burst: maxQPS))
            return .qps(bucket: Int32(builder.buckets.count - 1))
        case .setSkipCache: return .setSkipCache
        case .setTag(let tag, let value):
            guard !tag.isEmpty else { throw RuleConfigError(rule: rule, name: name, reason: .emptyTagName) }
            builder.tags.append(RuleTags.Entry(name: tag, value: value))
            return .setTag(Int32(builder.tags.count - 1))
        case .noRecurse: return .noRecurse
        case .continue(let inner): return try compile(inner, into: &builder, rule: rule, name: name)
        }
    }

    public var count: Int { rules.count }

    /// The pools Pool and QPSPool actions name, in order of first mention
    /// (`QueryRuleOutcome.poolSlot` indexes it).
    var poolNames: [String] { payloads.pools }

    /// Runs the rules over `query` at `query.arrival`. `random` feeds `Proba` selectors only.
    public mutating func evaluate(_ query: QueryView, random: inout SeededRandom) -> QueryRuleOutcome {
        var outcome = QueryRuleOutcome()
        for index in rules.indices {
            let rule = rules[index]
            guard
                program.matches(
                    rule.root, query, rcode: 0, size: query.size, now: query.arrival, tags: &outcome.tags,
                    state: &state, random: &random)
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
        case .rcode(let index):
            guard decides else { return false }
            let answer = payloads.rcodes[Int(index)]
            outcome.verdict = .rcode(
                answer.rcode, aa: answer.aa ?? query.flags.contains(.aa), ad: answer.ad ?? query.flags.contains(.ad),
                ra: answer.ra ?? query.flags.contains(.ra))
            return true
        case .spoof(let index):
            let spoof = payloads.spoofs[Int(index)]
            let fits: Bool
            switch query.qtype {
            case .a: fits = spoof.hasV4
            case .aaaa: fits = spoof.hasV6
            case .any: fits = spoof.hasV4 || spoof.hasV6
            default: fits = false
            }
            guard decides, fits else { return false }
            outcome.verdict = .spoof(spoof.addresses, ttl: spoof.ttl)
            return true
        case .spoofCNAME(let index):
            guard decides else { return false }
            let cname = payloads.cnames[Int(index)]
            outcome.verdict = .spoofCNAME(cname.target, ttl: cname.ttl)
            return true
        case .pool(let pool, let stop):
            outcome.pool = payloads.pools[Int(pool)]
            outcome.poolSlot = pool
            return decides && stop
        case .qpsPool(let bucket, let pool, let stop):
            guard actionBuckets[Int(bucket)].check(now: query.arrival.nanoseconds) else { return false }
            outcome.pool = payloads.pools[Int(pool)]
            outcome.poolSlot = pool
            return decides && stop
        case .delay(let nanoseconds):
            if !query.transport.isConnectionBased { outcome.delay = SimDuration(nanoseconds: nanoseconds) }
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
        case .setTag(let index):
            let tag = payloads.tags[Int(index)]
            outcome.tags.set(tag.name, to: tag.value)
            return false
        case .noRecurse:
            outcome.clearRD = true
            return false
        }
    }

    /// Subnets tracked by each `MaxQPSIP` selector, in the order they appear in the rules.
    public var trackedSubnets: [Int] { state.clientTableCounts }
}
