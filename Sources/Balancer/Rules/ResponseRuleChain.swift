import DNSWire
import Determinism

/// What the response rules decided.
public enum ResponseVerdict: Sendable, Equatable {
    /// Send the answer on (AllowResponse, or no terminal rule).
    case allow
    case drop
    /// Replace the RCODE with SERVFAIL.
    case servFail
    /// Set TC=1 and strip every record (Do53/UDP only).
    case truncate
}

/// The result of running the response rules over one answer.
public struct ResponseRuleOutcome: Sendable, Equatable {
    public var verdict: ResponseVerdict
    /// DelayResponse, Do53/UDP only; the last one wins.
    public var delay: SimDuration?
    /// SetSkipCacheResponse: do not insert into the packet cache.
    public var skipCache: Bool
    public var logged: Bool
    public var matchedRule: Int?
    /// The query's tags plus those set by SetTagResponse.
    public var tags: RuleTags

    public init(
        verdict: ResponseVerdict = .allow, delay: SimDuration? = nil, skipCache: Bool = false, logged: Bool = false,
        matchedRule: Int? = nil, tags: RuleTags = RuleTags()
    ) {
        self.verdict = verdict
        self.delay = delay
        self.skipCache = skipCache
        self.logged = logged
        self.matchedRule = matchedRule
        self.tags = tags
    }
}

/// A compiled `response_rules` list (dnsdist's `processResponseAfterRules`). Selectors see the
/// query's fields, the response's RCODE (`RCode`) and the response's size (`PayloadSize`); rate
/// selectors run on `ResponseView.sent`.
public struct ResponseRuleChain: Sendable {
    /// Payloads are plain integers; tags live in a side table.
    enum Action: Sendable {
        case allow, drop, servFail, tc, log, none, setSkipCache
        case delay(nanoseconds: Int64)
        case setTag(Int32)
    }

    private let program: SelectorProgram
    private var state: SelectorState
    private var roots: [Int] = []
    private var actions: [Action] = []
    private var tagEntries: [RuleTags.Entry] = []
    public let names: [String?]
    public private(set) var hits: [UInt64]

    public init(_ configs: [ResponseRuleConfig]) throws(RuleConfigError) {
        names = configs.map(\.name)
        hits = [UInt64](repeating: 0, count: configs.count)
        var compiler = SelectorProgram()
        var state = SelectorState()
        for (index, config) in configs.enumerated() {
            roots.append(try compiler.compile(config.selector, rule: index, name: config.name, state: &state))
            switch config.action {
            case .allow: actions.append(.allow)
            case .drop: actions.append(.drop)
            case .servFail: actions.append(.servFail)
            case .tc: actions.append(.tc)
            case .log: actions.append(.log)
            case .none: actions.append(.none)
            case .setSkipCache: actions.append(.setSkipCache)
            case .delay(let milliseconds): actions.append(.delay(nanoseconds: Int64(milliseconds) * 1_000_000))
            case .setTag(let tag, let value):
                guard !tag.isEmpty else {
                    throw RuleConfigError(rule: index, name: config.name, reason: .emptyTagName)
                }
                tagEntries.append(RuleTags.Entry(name: tag, value: value))
                actions.append(.setTag(Int32(tagEntries.count - 1)))
            }
        }
        program = compiler
        self.state = state
    }

    public var count: Int { actions.count }

    /// Runs the rules over `response`; `tags` are the query's (from `QueryRuleOutcome.tags`).
    public mutating func evaluate(
        _ response: ResponseView, tags: RuleTags = RuleTags(), random: inout SeededRandom
    ) -> ResponseRuleOutcome {
        var outcome = ResponseRuleOutcome(tags: tags)
        let rcode = UInt8(response.rcode.rawValue & 0xF)
        let udp = !response.query.transport.isConnectionBased
        for index in actions.indices {
            guard
                program.matches(
                    roots[index], response.query, rcode: rcode, size: response.size, now: response.sent,
                    tags: &outcome.tags, state: &state, random: &random)
            else { continue }
            hits[index] &+= 1
            let stop: Bool
            switch actions[index] {
            case .allow:
                stop = true
            case .drop:
                outcome.verdict = .drop
                stop = true
            case .servFail:
                outcome.verdict = .servFail
                stop = true
            case .tc:
                if udp { outcome.verdict = .truncate }
                stop = udp
            case .log:
                outcome.logged = true
                stop = false
            case .none:
                stop = false
            case .setSkipCache:
                outcome.skipCache = true
                stop = false
            case .delay(let nanoseconds):
                if udp { outcome.delay = SimDuration(nanoseconds: nanoseconds) }
                stop = false
            case .setTag(let index):
                let tag = tagEntries[Int(index)]
                outcome.tags.set(tag.name, to: tag.value)
                stop = false
            }
            if stop {
                outcome.matchedRule = index
                return outcome
            }
        }
        return outcome
    }
}
