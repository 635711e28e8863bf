import DNSWire
import Determinism

/// The balancer's dynamic blocks: dnsdist's query and response ring buffers, its
/// `DynBlockRulesGroup`s (YAML `dynamic_rules`), and the client (NMG) and suffix (SMT) block tables.
///
/// The balancer calls `recordQuery` for every query it accepts and `recordResponse` for every
/// answer it sends (cache hits included, as dnsdist ≥ 1.8 does), `check` before its query rules,
/// and `maintenance` about once a second (dnsdist's maintenance thread). Sans-IO: time comes only
/// from the instants passed in.
public struct DynBlockEngine: Sendable {
    public let settings: DynBlockSettings
    public let ringConfig: RingBufferConfig
    let groups: [CompiledGroup]
    let storeNames: Bool

    var queryRing: Ring<QueryRingEntry>
    var responseRing: Ring<ResponseRingEntry>
    var clientBlocks = ClientBlockTable()
    var suffixBlocks = SuffixBlockTable()
    var nextPurge: Instant?
    /// Lifetime cache hits and misses among recorded responses (dnsdist's `cache-hits` and
    /// `cache-misses`, which `cache-miss-ratio` rules consult).
    public private(set) var cacheHits: UInt64 = 0
    public private(set) var cacheMisses: UInt64 = 0
    public private(set) var counters = DynBlockCounters()

    public init(
        groups: [DynBlockGroupConfig], settings: DynBlockSettings = DynBlockSettings(),
        rings: RingBufferConfig = RingBufferConfig()
    ) throws(DynBlockConfigError) {
        guard rings.size > 0 else { throw .ringSizeNotPositive(rings.size) }
        guard settings.purgeInterval >= .zero else { throw .negativePurgeInterval }
        var names: [String] = []
        for group in groups {
            guard !names.contains(group.name) else { throw .duplicateGroupName(group.name) }
            names.append(group.name)
            try group.validate()
        }
        self.settings = settings
        self.ringConfig = rings
        self.groups = groups.map { CompiledGroup($0, defaultAction: settings.defaultAction) }
        self.storeNames = self.groups.contains { $0.suffixRule != nil }
        queryRing = Ring(capacity: rings.size, filler: .empty)
        responseRing = Ring(capacity: rings.size, filler: .empty)
    }

    // MARK: Rings

    /// Records a query in the query ring (at `query.arrival`).
    public mutating func recordQuery(_ query: QueryView) {
        queryRing.append(
            QueryRingEntry(when: query.arrival, client: query.client, port: query.clientPort, qtype: query.qtype)
        )
    }

    /// Records an answer in the response ring (at `response.sent`). A cache hit counts toward
    /// rcode, ratio and byte rules like any other response.
    public mutating func recordResponse(_ response: ResponseView) {
        recordResponse(
            to: response.query, rcode: response.rcode, size: response.size, sent: response.sent,
            fromCache: response.fromCache, selfAnswered: response.selfAnswered)
    }

    /// `recordResponse(_:)` without building a `ResponseView` (which would copy the query).
    @inline(__always)
    mutating func recordResponse(
        to query: borrowing QueryView, rcode: RCode, size: Int, sent: Instant, fromCache: Bool = false,
        selfAnswered: Bool = false
    ) {
        if fromCache {
            cacheHits += 1
        } else if !selfAnswered {
            cacheMisses += 1
        }
        if storeNames {
            responseRing.append(
                ResponseRingEntry(
                    when: sent, client: query.client, port: query.clientPort, rcode: rcode,
                    size: UInt32(clamping: size), fromCache: fromCache, qname: query.qname))
        } else {
            responseRing.appendNameless(
                when: sent, client: query.client, port: query.clientPort, rcode: rcode, size: UInt32(clamping: size),
                fromCache: fromCache)
        }
    }

    /// Entries currently held by the query and response rings.
    public var ringCounts: (queries: Int, responses: Int) { (queryRing.count, responseRing.count) }

    // MARK: Maintenance

    /// One maintenance tick: reports entries whose time ran out, runs every group's rules over the
    /// rings (in configuration order), and purges expired entries every `purgeInterval`. Events come
    /// out in that order, each step's sorted by key.
    public mutating func maintenance(now: Instant) -> [DynBlockEvent] {
        var events = expiryEvents(now: now)
        let hitRatio: Double? =
            cacheHits > 0 && cacheMisses > 0 ? Double(cacheHits) / Double(cacheHits + cacheMisses) : nil
        for group in groups {
            group.apply(
                now: now, queries: queryRing, responses: responseRing, globalCacheHitRatio: hitRatio,
                clientBlocks: &clientBlocks, suffixBlocks: &suffixBlocks, events: &events
            )
        }
        for event in events { count(event) }
        if settings.purgeInterval > .zero {
            if let due = nextPurge {
                if now >= due {
                    clientBlocks.purge(now: now)
                    suffixBlocks.purge(now: now)
                    nextPurge = now + settings.purgeInterval
                }
            } else {
                nextPurge = now + settings.purgeInterval
            }
        }
        return events
    }

    private mutating func expiryEvents(now: Instant) -> [DynBlockEvent] {
        var events: [DynBlockEvent] = []
        for (slot, block) in clientBlocks.blocks.enumerated() where !block.expiryReported && !(now < block.entry.until) {
            clientBlocks.markExpiryReported(at: slot)
            events.append(Self.event(.expired, block.entry, at: now))
        }
        for (slot, block) in suffixBlocks.blocks.enumerated() where !block.expiryReported && !(now < block.entry.until) {
            suffixBlocks.markExpiryReported(at: slot)
            events.append(Self.event(.expired, block.entry, at: now))
        }
        return events.sorted { $0.key < $1.key }
    }

    private static func event(_ kind: DynBlockEvent.Kind, _ entry: DynBlockEntry, at now: Instant) -> DynBlockEvent {
        DynBlockEvent(
            kind: kind, at: now, key: entry.key, reason: entry.reason, action: entry.action, until: entry.until,
            warning: entry.warning, group: entry.group
        )
    }

    private mutating func count(_ event: DynBlockEvent) {
        switch event.kind {
        case .inserted, .upgradedFromWarning:
            if event.warning {
                counters.warningEntriesInserted += 1
            } else if case .suffix = event.key {
                counters.suffixEntriesInserted += 1
            } else {
                counters.clientEntriesInserted += 1
            }
        case .refreshed, .expired:
            break
        }
    }

    // MARK: Manual blocks

    /// Blocks a client key by hand (dnsdist's `addDynamicBlock`), with the same refresh rules as a
    /// rule-inserted block. Range exclusions do not apply. Returns the event, or nil when a longer
    /// block already holds.
    public mutating func addBlock(
        _ key: ClientKey, reason: String, action: DynBlockAction? = nil, duration: SimDuration = .seconds(10),
        now: Instant
    ) -> DynBlockEvent? {
        let event = clientBlocks.addOrRefresh(
            key, manualProposal(reason: reason, action: action, duration: duration, now: now), now: now)
        if let event { count(event) }
        return event
    }

    /// Blocks a name and everything below it by hand (dnsdist's `addDynBlockSMT`).
    public mutating func addSuffixBlock(
        _ name: DNSName, reason: String, action: DynBlockAction? = nil, duration: SimDuration = .seconds(10),
        now: Instant
    ) -> DynBlockEvent? {
        let event = suffixBlocks.addOrRefresh(
            name, manualProposal(reason: reason, action: action, duration: duration, now: now), now: now)
        if let event { count(event) }
        return event
    }

    private func manualProposal(reason: String, action: DynBlockAction?, duration: SimDuration, now: Instant) -> BlockProposal {
        BlockProposal(reason: reason, action: action ?? settings.defaultAction, until: now + duration, warning: false, group: nil)
    }

    /// Empties both tables (dnsdist's `clearDynBlocks`).
    public mutating func clearBlocks() {
        clientBlocks.removeAll()
        suffixBlocks.removeAll()
    }

    // MARK: Queries

    /// The block decision for one query, at `query.arrival`: the most specific client entry first,
    /// then the most specific suffix entry, as dnsdist does. Returns nil when no live entry acts on
    /// the query: none matches, the match has expired, it is a NoOp or warning entry, or it is a
    /// Truncate entry and the query came over a connection. Each of those falls through to the
    /// suffix table, as in dnsdist. Allocates nothing when no entry matches.
    public mutating func check(_ query: QueryView) -> DynBlockDecision? {
        if clientBlocks.isEmpty && suffixBlocks.isEmpty { return nil }
        return lookup(query)
    }

    /// The table walk of `check`, kept out of line so that the common no-block test stays tiny.
    @inline(never)
    mutating func lookup(_ query: QueryView) -> DynBlockDecision? {
        if !clientBlocks.isEmpty, let slot = clientBlocks.lookup(query.client, port: query.clientPort) {
            let entry = clientBlocks.blocks[slot].entry
            if let decision = decide(entry, query) {
                clientBlocks.recordHit(at: slot)
                return decision
            }
        }
        if !suffixBlocks.isEmpty, let slot = query.withQNameWire({ suffixBlocks.lookup(wire: $0) }) {
            let entry = suffixBlocks.blocks[slot].entry
            if let decision = decide(entry, query) {
                suffixBlocks.recordHit(at: slot)
                return decision
            }
        }
        return nil
    }

    @inline(__always)
    private mutating func decide(_ entry: DynBlockEntry, _ query: QueryView) -> DynBlockDecision? {
        guard query.arrival < entry.until else { return nil }
        switch entry.action {
        case .noop:
            counters.noopMatches += 1
            return nil
        case .truncate where query.transport.isConnectionBased:
            counters.truncateNotApplied += 1
            return nil
        default:
            counters.countBlocked(entry.action)
            return DynBlockDecision(action: entry.action, reason: entry.reason, key: entry.key)
        }
    }

    // MARK: Inspection

    /// Live entries (`now < until`), warnings included, clients first then suffixes, sorted by key.
    public func activeBlocks(now: Instant) -> [DynBlockEntry] {
        let live = clientBlocks.blocks.map(\.entry).filter { now < $0.until }
            + suffixBlocks.blocks.map(\.entry).filter { now < $0.until }
        return live.sorted { $0.key < $1.key }
    }

    /// Entries held, expired ones not yet purged included (dnsdist's `dyn-block-nmg-size` and SMT size).
    public var storedBlockCounts: (clients: Int, suffixes: Int) { (clientBlocks.count, suffixBlocks.count) }
}
