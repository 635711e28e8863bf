import DNSWire
import Determinism

/// The selectors of one rule chain compiled into a flat pre-order program: node `i`'s subtree
/// occupies `i..<ends[i]`, so And/Or walk their children by jumping from end to end. Payloads
/// that are not plain integers (name sets, netmasks, regexes, rate state, tags) live in side
/// tables indexed from the node. Evaluation allocates nothing except for `Regex`, which needs the
/// qname as text.
///
/// The program is immutable once compiled; the rate selectors' state lives apart in a
/// `SelectorState` passed `inout`, so evaluation borrows the program without retaining its
/// arrays.
struct SelectorProgram: Sendable {
    enum Op: Sendable {
        case all
        case names(Int32)
        case qtype(UInt16)
        case qclass(UInt16)
        case opcode(UInt8)
        case rd
        case dnssec
        case regex(Int32)
        case netmask(Int32)
        case tcp(Bool)
        case maxQPSIP(Int32)
        case maxQPS(Int32)
        case labelsOutside(min: Int32, max: Int32)
        case wireLengthOutside(min: Int32, max: Int32)
        case payloadSize(PayloadComparison, Int32)
        case proba(partsPerMillion: UInt32)
        case tag(Int32)
        case rcode(UInt8)
        case and
        case or
        case not
    }

    private(set) var ops: [Op] = []
    private(set) var ends: [Int32] = []
    private var nameMatchers = BorrowedObjects<NameMatcher>()
    private var regexes = BorrowedObjects<CompiledRegex>()
    private var netmasks = BorrowedObjects<CompiledNetmasks>()
    private var tagTests: [RuleTags.Entry] = []

    init() {}

    /// Appends `selector` (its rate state to `state`) and returns the index of its root node.
    mutating func compile(
        _ selector: SelectorConfig, rule: Int, name: String?, state: inout SelectorState
    ) throws(RuleConfigError) -> Int {
        func fail(_ reason: RuleConfigError.Reason) -> RuleConfigError {
            RuleConfigError(rule: rule, name: name, reason: reason)
        }
        let root = ops.count
        ops.append(.all)
        ends.append(0)
        let op: Op
        switch selector {
        case .all: op = .all
        case .qname(let names):
            nameMatchers.append(NameMatcher(names, suffix: false))
            op = .names(Int32(nameMatchers.count - 1))
        case .qnameSuffix(let names):
            nameMatchers.append(NameMatcher(names, suffix: true))
            op = .names(Int32(nameMatchers.count - 1))
        case .qtype(let type): op = .qtype(type.rawValue)
        case .qclass(let qclass): op = .qclass(qclass.rawValue)
        case .opcode(let opcode): op = .opcode(opcode.rawValue)
        case .rd: op = .rd
        case .dnssec: op = .dnssec
        case .regex(let pattern):
            do {
                regexes.append(try CompiledRegex(pattern))
            } catch {
                throw fail(.invalidRegex(pattern: pattern, message: error.message))
            }
            op = .regex(Int32(regexes.count - 1))
        case .netmaskGroup(let group):
            netmasks.append(CompiledNetmasks(group))
            op = .netmask(Int32(netmasks.count - 1))
        case .tcp(let connection): op = .tcp(connection)
        case .maxQPSIP(let qps, let ipv4Mask, let ipv6Mask, let burst, let expiration, let cleanupDelay):
            guard (0...32).contains(ipv4Mask), (0...128).contains(ipv6Mask) else {
                throw fail(.maskOutOfRange(ipv4: ipv4Mask, ipv6: ipv6Mask))
            }
            guard expiration >= .zero, cleanupDelay >= .zero else { throw fail(.negativeDuration) }
            state.clientTables.append(
                ClientRateTable(
                    rate: qps, burst: burst, v4Mask: ipv4Mask, v6Mask: ipv6Mask, expiration: expiration,
                    cleanupDelay: cleanupDelay))
            op = .maxQPSIP(Int32(state.clientTables.count - 1))
        case .maxQPS(let qps, let burst):
            state.buckets.append(TokenBucket(rate: qps, burst: burst))
            op = .maxQPS(Int32(state.buckets.count - 1))
        case .qnameLabelsCount(let low, let high):
            for bound in [low, high] where bound < 0 { throw fail(.negativeBound(bound)) }
            op = .labelsOutside(min: Int32(clamping: low), max: Int32(clamping: high))
        case .qnameWireLength(let low, let high):
            for bound in [low, high] where bound < 0 { throw fail(.negativeBound(bound)) }
            op = .wireLengthOutside(min: Int32(clamping: low), max: Int32(clamping: high))
        case .payloadSize(let comparison, let size):
            guard size >= 0 else { throw fail(.negativeBound(size)) }
            op = .payloadSize(comparison, Int32(clamping: size))
        case .proba(let probability):
            guard probability >= 0, probability <= 1 else { throw fail(.probabilityOutOfRange(probability)) }
            op = .proba(partsPerMillion: UInt32((probability * 1_000_000).rounded()))
        case .tag(let tag, let value):
            guard !tag.isEmpty else { throw fail(.emptyTagName) }
            tagTests.append(RuleTags.Entry(name: tag, value: value))
            op = .tag(Int32(tagTests.count - 1))
        case .rcode(let rcode): op = .rcode(UInt8(rcode.rawValue & 0xF))
        case .and(let children):
            for child in children { _ = try compile(child, rule: rule, name: name, state: &state) }
            op = .and
        case .or(let children):
            for child in children { _ = try compile(child, rule: rule, name: name, state: &state) }
            op = .or
        case .not(let child):
            _ = try compile(child, rule: rule, name: name, state: &state)
            op = .not
        }
        ops[root] = op
        ends[root] = Int32(ops.count)
        return root
    }

    /// Evaluates the subtree at `node`. `rcode` is the response's low RCODE bits (0 for a query);
    /// `size` the message length; `now` the instant rate selectors use. `tags` is only read; it is
    /// `inout` so that the caller's tags are not copied per rule.
    ///
    /// Inlined into the rule loops, so that a leaf selector (most rules) costs no call; And, Or
    /// and Not go through `matchesCompound`, which recurses.
    @inline(__always)
    func matches(
        _ node: Int, _ query: borrowing QueryView, rcode: UInt8, size: Int, now: Instant, tags: inout RuleTags,
        state: inout SelectorState, random: inout SeededRandom
    ) -> Bool {
        switch ops[node] {
        case .and, .or, .not:
            return matchesCompound(
                node, query, rcode: rcode, size: size, now: now, tags: &tags, state: &state, random: &random)
        case .all:
            return true
        case .names(let index):
            return nameMatchers.with(index) { matcher in query.withQNameWire { matcher.matches(wire: $0) } }
        case .qtype(let type):
            return query.qtype.rawValue == type
        case .qclass(let qclass):
            return query.qclass.rawValue == qclass
        case .opcode(let opcode):
            return query.opcode.rawValue == opcode
        case .rd:
            return query.flags.contains(.rd)
        case .dnssec:
            return query.dnssecOK
        case .regex(let index):
            return regexes.with(index) { $0.matches(query.qname) }
        case .netmask(let index):
            return netmasks.with(index) { $0.contains(query.client) }
        case .tcp(let connection):
            return query.transport.isConnectionBased == connection
        case .maxQPSIP(let index):
            return state.clientTables[Int(index)].exceeds(query.client, now: now.nanoseconds)
        case .maxQPS(let index):
            return state.buckets[Int(index)].check(now: now.nanoseconds)
        case .labelsOutside(let low, let high):
            let count = query.qnameLabelCount
            return count < Int(low) || count > Int(high)
        case .wireLengthOutside(let low, let high):
            let length = query.qnameWireLength
            return length < Int(low) || length > Int(high)
        case .payloadSize(let comparison, let bound):
            let bound = Int(bound)
            switch comparison {
            case .equal: return size == bound
            case .greater: return size > bound
            case .greaterOrEqual: return size >= bound
            case .smaller: return size < bound
            case .smallerOrEqual: return size <= bound
            }
        case .proba(let ppm):
            if ppm == 0 { return false }
            if ppm >= 1_000_000 { return true }
            return random.chance(partsPerMillion: ppm)
        case .tag(let index):
            if tags.isEmpty { return false }
            let test = tagTests[Int(index)]
            guard let value = tags[test.name] else { return false }
            return test.value.isEmpty || value == test.value
        case .rcode(let expected):
            return rcode == expected
        }
    }

    /// And, Or and Not: their children in order, stopping at the first that decides.
    @inline(never)
    private func matchesCompound(
        _ node: Int, _ query: borrowing QueryView, rcode: UInt8, size: Int, now: Instant, tags: inout RuleTags,
        state: inout SelectorState, random: inout SeededRandom
    ) -> Bool {
        switch ops[node] {
        case .and:
            var child = node + 1
            let end = Int(ends[node])
            while child < end {
                if !matches(child, query, rcode: rcode, size: size, now: now, tags: &tags, state: &state, random: &random) {
                    return false
                }
                child = Int(ends[child])
            }
            return true
        case .or:
            var child = node + 1
            let end = Int(ends[node])
            while child < end {
                if matches(child, query, rcode: rcode, size: size, now: now, tags: &tags, state: &state, random: &random) {
                    return true
                }
                child = Int(ends[child])
            }
            return false
        case .not:
            return !matches(node + 1, query, rcode: rcode, size: size, now: now, tags: &tags, state: &state, random: &random)
        default:
            return matches(node, query, rcode: rcode, size: size, now: now, tags: &tags, state: &state, random: &random)
        }
    }

}

/// The mutable part of a compiled selector program: the token buckets of `MaxQPS` and the
/// per-subnet tables of `MaxQPSIP`, in compile order.
struct SelectorState: Sendable {
    var clientTables: [ClientRateTable] = []
    var buckets: [TokenBucket] = []

    /// Subnets tracked by each `MaxQPSIP` selector (for tests and reports).
    var clientTableCounts: [Int] { clientTables.map(\.count) }
}

/// A netmask group split by family into (value, mask) pairs for a branch-light linear scan.
/// Immutable; a class so that evaluation borrows it.
final class CompiledNetmasks: Sendable {
    private let v4: [(value: UInt32, mask: UInt32)]
    private let v6: [(high: UInt64, low: UInt64, maskHigh: UInt64, maskLow: UInt64)]

    init(_ group: NetmaskGroup) {
        var v4: [(value: UInt32, mask: UInt32)] = []
        var v6: [(high: UInt64, low: UInt64, maskHigh: UInt64, maskLow: UInt64)] = []
        for netmask in group.masks {
            let length = Int(netmask.prefixLength)
            switch netmask.address {
            case .v4(let address):
                let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << UInt32(32 - length)
                v4.append((address.value & mask, mask))
            case .v6(let address):
                let maskHigh: UInt64 = length >= 64 ? ~0 : (length == 0 ? 0 : ~UInt64(0) << UInt64(64 - length))
                let maskLow: UInt64 = length <= 64 ? 0 : (length == 128 ? ~0 : ~UInt64(0) << UInt64(128 - length))
                v6.append((address.high & maskHigh, address.low & maskLow, maskHigh, maskLow))
            }
        }
        self.v4 = v4
        self.v6 = v6
    }

    func contains(_ address: IPAddress) -> Bool {
        switch address {
        case .v4(let a):
            for entry in v4 where a.value & entry.mask == entry.value { return true }
            return false
        case .v6(let a):
            for entry in v6 where a.high & entry.maskHigh == entry.high && a.low & entry.maskLow == entry.low {
                return true
            }
            return false
        }
    }
}

/// A case-insensitive regex over the qname's presentation form without the trailing dot, as
/// dnsdist's `RegexRule` (POSIX extended, `REG_ICASE`, unanchored search). Swift's `Regex` syntax
/// is close to but not exactly POSIX ERE; see docs/balancer-rules.md.
final class CompiledRegex: @unchecked Sendable {
    // `Regex<AnyRegexOutput>` is immutable after construction and only read when matching.
    private let regex: Regex<AnyRegexOutput>

    struct BuildError: Error {
        var message: String
    }

    init(_ pattern: String) throws(BuildError) {
        do {
            regex = try Regex(pattern).ignoresCase()
        } catch {
            throw BuildError(message: String(describing: error))
        }
    }

    func matches(_ name: DNSName) -> Bool {
        var text = name.description
        if text.count > 1 { text.removeLast() }
        return text.contains(regex)
    }
}

/// Immutable compiled objects that evaluation uses without retaining them: `objects` owns them
/// for the program's lifetime, `references` hands them out as guaranteed references (a retain and
/// release per rule would otherwise cost more than most selectors).
struct BorrowedObjects<Object: AnyObject & Sendable>: @unchecked Sendable {
    private var objects: [Object] = []
    private var references: [Unmanaged<Object>] = []

    var count: Int { objects.count }

    mutating func append(_ object: Object) {
        objects.append(object)
        references.append(Unmanaged.passUnretained(object))
    }

    @inline(__always)
    func with<Result>(_ index: Int32, _ body: (Object) -> Result) -> Result {
        references[Int(index)]._withUnsafeGuaranteedRef(body)
    }
}
