import DNSWire
import Determinism

/// A dnsdist-style load balancer as a sans-IO machine.
///
/// A query goes through dnsdist's order (`applyRulesToQuery`): ACL, ring buffer, dynamic blocks
/// (client, then suffix), query rules (first terminal action wins), the pool's packet cache, the
/// pool's policy, then out to the chosen backend under an ID of the balancer's own. The answer
/// comes back through the response rules and the cache, with the client's ID restored. Health
/// checks, dynamic-block maintenance and UDP timeouts run from `wake`.
///
/// `ClientHandle` is whatever the host needs to send an answer back (a datagram's endpoints, or a
/// connection), packed into 16 octets; the machine only stores and returns it. (A concrete type
/// rather than a generic parameter: across modules a generic machine would run unspecialized,
/// through value witnesses, at a third of the speed.)
public struct BalancerMachine: Sendable {
    public typealias Client = ClientHandle

    public enum Action: Sendable {
        /// An answer for a client; `at` is later than now only under a Delay action.
        case respond(Client, [UInt8], at: Instant)
        /// A query for backend `backend`, over UDP, or over the host's connection to it when the
        /// client came over a connection (dnsdist forwards TCP/DoT/DoH queries over TCP).
        case forward(backend: Int, [UInt8], overTCP: Bool)
        /// A health-check probe for `backend` (sent from its own socket; answers come back
        /// through `probeResponse`).
        case probe(backend: Int, [UInt8], overTCP: Bool)
    }

    public let config: BalancerConfig
    /// Hot copies of configuration the query path reads (reading through `config` copies the
    /// whole struct, arrays and all, inside a mutating method).
    private let acl: NetmaskGroup
    private let aclAllowsAll: Bool
    private let udpTimeout: SimDuration
    private let tcpReadTimeout: SimDuration
    public private(set) var stats = BalancerStats()
    public private(set) var backends: BackendTable
    public private(set) var dynamicBlocks: DynBlockEngine
    private var queryRules: QueryRuleChain
    private var responseRules: ResponseRuleChain
    private var caches: [BalancerPacketCache]
    /// Where the default pool and each pool the query rules name (`QueryRuleOutcome.poolSlot`)
    /// lead: the backend table's pool index and the pool's cache, resolved once.
    private let defaultRoute: PoolRoute
    private let ruleRoutes: [PoolRoute]
    /// For each cache, the pools that use it (its stale data is kept while none has a backend up).
    private let cachePools: [[String]]
    private var random: SeededRandom
    /// Dynamic-block and backend events not yet collected by the host.
    public private(set) var events: [BalancerEvent] = []

    /// Per backend, by the balancer's query ID: forwarded queries awaiting an answer. Slots are
    /// never optional: a free slot holds `InFlight.vacant` (an optional entry is copied, through
    /// generic value witnesses, whenever it is tested or taken).
    private var inFlight: [[InFlight]]
    private var nextID: [UInt16]
    private var timeouts: TimeoutQueue = TimeoutQueue()
    /// Queries forwarded over a connection wait `tcpReadTimeout` (dnsdist's `tcp_recv_timeout`).
    private var connectionTimeouts: TimeoutQueue = TimeoutQueue()
    private var generation: UInt32 = 0
    private var nextMaintenance: Instant
    /// The outstanding health probe of each backend (its answer carries the low 16 bits).
    private var probeIDs: [UInt64?]

    struct InFlight: Sendable {
        var client: Client
        var query: QueryView
        var cacheKey: UInt64?
        var cacheIndex: Int?
        var sentAt: Instant
        var generation: UInt32
        var delay: SimDuration?
        var overTCP: Bool
        /// False for a free slot.
        var live: Bool = true

        /// A free slot (its query holds no octets).
        static var vacant: InFlight {
            InFlight(
                client: ClientHandle(high: 0, low: 0), query: .placeholder, cacheKey: nil, cacheIndex: nil,
                sentAt: .zero, generation: 0, delay: nil, overTCP: false, live: false)
        }
    }

    public init(config: BalancerConfig, seed: UInt64, label: String = "balancer") throws(BalancerSetupError) {
        self.config = config
        acl = config.acl
        aclAllowsAll = config.acl.masks.contains { $0.prefixLength == 0 && $0.address == .v4(IPv4Address(0)) }
            && config.acl.masks.contains { $0.prefixLength == 0 && $0.address != .v4(IPv4Address(0)) }
        udpTimeout = config.udpTimeout
        tcpReadTimeout = config.tcpReadTimeout
        do {
            backends = try BackendTable(backends: config.backends, pools: config.pools, loadBalancing: config.loadBalancing)
        } catch {
            throw .backends("\(error)")
        }
        do {
            queryRules = try QueryRuleChain(config.queryRules)
            responseRules = try ResponseRuleChain(config.responseRules)
        } catch {
            throw .rules("\(error)")
        }
        do {
            dynamicBlocks = try DynBlockEngine(
                groups: config.dynamicRules, settings: config.dynamicRulesSettings, rings: config.ringBuffers)
        } catch {
            throw .dynamicRules("\(error)")
        }
        var caches: [BalancerPacketCache] = []
        for cache in config.packetCaches {
            do {
                caches.append(try BalancerPacketCache(config: cache, settings: config.cacheSettings))
            } catch {
                throw .backends("\(error)")
            }
        }
        self.caches = caches
        var poolCache: [String: Int] = [:]
        for pool in config.pools {
            guard let name = pool.packetCache else { continue }
            guard let index = config.packetCaches.firstIndex(where: { $0.name == name }) else {
                throw .unknownPacketCache(pool: pool.name, cache: name)
            }
            poolCache[pool.name] = index
        }
        let table = backends
        func route(_ name: String) -> PoolRoute {
            PoolRoute(backendPool: table.poolIndex(named: name), cache: poolCache[name])
        }
        defaultRoute = route("")
        ruleRoutes = queryRules.poolNames.map(route)
        cachePools = caches.indices.map { index in config.pools.map(\.name).filter { poolCache[$0] == index } }
        random = SeededRandom(seed: seed, label: label)
        inFlight = Array(repeating: [], count: config.backends.count)
        nextID = Array(repeating: 0, count: config.backends.count)
        probeIDs = Array(repeating: nil, count: config.backends.count)
        nextMaintenance = .zero
    }

    // MARK: Queries

    /// A query from a client arrived on a frontend.
    public mutating func query(
        _ bytes: [UInt8], from client: Client, address: IPAddress, port: UInt16, transport: FrontendProtocol,
        now: Instant, actions: inout [Action]
    ) {
        stats.queries &+= 1
        guard aclAllowsAll || acl.contains(address) else {
            stats.aclDrops &+= 1
            return
        }
        guard let parsed = ParsedQuery.parse(bytes) else {
            stats.nonCompliantQueries &+= 1
            return
        }
        let view = QueryView(
            client: address, clientPort: port, transport: transport, parsed: parsed, size: bytes.count, arrival: now)
        dynamicBlocks.recordQuery(view)

        if let block = dynamicBlocks.check(view) {
            stats.dynBlocked &+= 1
            switch block.action {
            case .drop: return
            case .refused: return selfAnswer(.rcode(.refused, aa: false, ad: false, ra: false), bytes, view, client, now, &actions)
            case .nxdomain: return selfAnswer(.rcode(.nxDomain, aa: false, ad: false, ra: false), bytes, view, client, now, &actions)
            case .truncate: return selfAnswer(.truncate, bytes, view, client, now, &actions)
            case .noop, .noRecurse: break
            }
        }

        let outcome = queryRules.evaluate(view, random: &random)
        switch outcome.verdict {
        case .forward: break
        case .drop:
            stats.ruleDrop &+= 1
            return
        case .truncate, .rcode, .spoof, .spoofCNAME:
            return selfAnswer(outcome.verdict, bytes, view, client, now, &actions, delay: outcome.delay)
        }

        var outgoing = bytes
        if outcome.clearRD { outgoing[2] &= ~0x01 }
        let route = outcome.poolSlot < 0 ? defaultRoute : ruleRoutes[Int(outcome.poolSlot)]
        let cacheIndex = outcome.skipCache ? nil : route.cache
        var cacheKey: UInt64?
        if let cacheIndex {
            let noBackendUp = route.backendPool.map { !backends.hasUpBackend(poolIndex: $0) } ?? true
            switch caches[cacheIndex].lookup(query: outgoing, view: view, now: now, noBackendUp: noBackendUp) {
            case .hit(let answer):
                stats.cacheHits &+= 1
                dynamicBlocks.recordResponse(
                    to: view, rcode: answer.responseCode, size: answer.count, sent: now, fromCache: true)
                return respond(answer, transport: view.transport, client: client, delay: outcome.delay, now: now, &actions)
            case .miss(let key):
                stats.cacheMisses &+= 1
                cacheKey = key
            case .uncacheable:
                break
            }
        }

        guard let backend = selectBackend(route, view) else {
            stats.noPolicy &+= 1
            if backends.servfailOnNoServer {
                selfAnswer(.rcode(.servFail, aa: false, ad: false, ra: false), bytes, view, client, now, &actions)
            }
            return
        }
        forward(outgoing, view: view, client: client, backend: backend, cacheIndex: cacheIndex, cacheKey: cacheKey,
                delay: outcome.delay, now: now, &actions)
    }

    /// A backend of the route's pool under its policy; nil for a pool that no backend serves.
    private mutating func selectBackend(_ route: PoolRoute, _ view: borrowing QueryView) -> Int? {
        guard let pool = route.backendPool else { return nil }
        return backends.select(poolIndex: pool, query: view, random: &random)
    }

    private mutating func forward(
        _ bytes: [UInt8], view: consuming QueryView, client: Client, backend: Int, cacheIndex: Int?, cacheKey: UInt64?,
        delay: SimDuration?, now: Instant, _ actions: inout [Action]
    ) {
        let id = nextID[backend]
        nextID[backend] = id &+ 1
        generation &+= 1
        let overTCP = view.transport.isConnectionBased
        let entry = InFlight(client: client, query: view, cacheKey: cacheKey, cacheIndex: cacheIndex, sentAt: now,
                             generation: generation, delay: delay, overTCP: overTCP)
        let slot = Int(id)
        if slot < inFlight[backend].count {
            if inFlight[backend][slot].live {
                // dnsdist reuses the slot and counts it; the older query will never be answered.
                stats.reusedSlots &+= 1
                backends.queryTimedOut(backend: backend, now: now)
            }
            inFlight[backend][slot] = entry
        } else {
            inFlight[backend].append(entry)
        }
        var outgoing = bytes
        outgoing.setMessageID(id)
        backends.queryForwarded(backend: backend, now: now)
        stats.forwarded &+= 1
        if overTCP {
            connectionTimeouts.append(
                TimeoutQueue.Entry(deadline: now + tcpReadTimeout, backend: backend, id: id, generation: generation))
        } else {
            timeouts.append(TimeoutQueue.Entry(deadline: now + udpTimeout, backend: backend, id: id, generation: generation))
        }
        actions.append(.forward(backend: backend, outgoing, overTCP: overTCP))
    }

    // MARK: Responses

    /// An answer from backend `backend` to a forwarded query.
    public mutating func backendResponse(_ bytes: [UInt8], backend: Int, now: Instant, actions: inout [Action]) {
        guard bytes.count >= 12, backend < inFlight.count else {
            stats.nonCompliantResponses &+= 1
            return
        }
        let slot = Int(bytes.messageID)
        guard slot < inFlight[backend].count, inFlight[backend][slot].live else {
            stats.unmatchedResponses &+= 1
            return
        }
        // The entry is swapped out (binding it in place would copy it); a mismatch puts it back.
        var entry = InFlight.vacant
        swap(&entry, &inFlight[backend][slot])
        // dnsdist checks that the answer is for the question it sent.
        guard Self.questionMatches(bytes, entry.query) else {
            swap(&entry, &inFlight[backend][slot])
            stats.unmatchedResponses &+= 1
            return
        }
        let rcode = bytes.responseCode
        backends.responseReceived(backend: backend, sentAt: entry.sentAt, now: now, rcode: rcode, overTCP: entry.overTCP)
        let response = ResponseView(query: entry.query, rcode: rcode, size: bytes.count, sent: now, backend: backend)
        let verdict = responseRules.evaluate(response, random: &random)
        var answer = bytes
        answer.setMessageID(entry.query.id)
        switch verdict.verdict {
        case .allow: break
        case .drop:
            stats.responseDrops &+= 1
            return
        case .servFail:
            if let servfail = SelfAnswer.response(to: answer, verdict: .rcode(.servFail, aa: false, ad: false, ra: true)) {
                answer = servfail
            }
        case .truncate:
            if let truncated = SelfAnswer.response(to: answer, verdict: .truncate) { answer = truncated }
        }
        if let cacheIndex = entry.cacheIndex, let key = entry.cacheKey {
            caches[cacheIndex].insert(key: key, view: entry.query, response: bytes, now: now)
        }
        var delay = entry.delay
        if let extra = verdict.delay { delay = (delay ?? .zero) + extra }
        dynamicBlocks.recordResponse(to: entry.query, rcode: answer.responseCode, size: answer.count, sent: now)
        respond(answer, transport: entry.query.transport, client: entry.client, delay: delay, now: now, &actions)
    }

    /// An answer to a health-check probe.
    public mutating func probeResponse(_ bytes: [UInt8], backend: Int, now: Instant, actions: inout [Action]) {
        guard bytes.count >= 12, backend < probeIDs.count, let probe = probeIDs[backend],
              UInt16(truncatingIfNeeded: probe) == bytes.messageID else { return }
        probeIDs[backend] = nil
        backends.probeAnswered(backend: backend, probeID: probe, response: bytes, now: now)
        collectBackendEvents()
    }

    // MARK: Timers

    /// The earliest instant `wake` has work.
    public var nextDeadline: Instant? {
        var next = nextMaintenance
        if let health = backends.nextHealthDeadline, health < next { next = health }
        if let timeout = timeouts.first?.deadline, timeout < next { next = timeout }
        if let timeout = connectionTimeouts.first?.deadline, timeout < next { next = timeout }
        return next
    }

    /// Runs whatever is due: UDP timeouts, health checks, dynamic-block maintenance.
    public mutating func wake(now: Instant, actions: inout [Action]) {
        var queue = timeouts
        timeouts = TimeoutQueue()
        expire(&queue, now: now)
        timeouts = queue
        queue = connectionTimeouts
        connectionTimeouts = TimeoutQueue()
        expire(&queue, now: now)
        connectionTimeouts = queue
        if let health = backends.nextHealthDeadline, health <= now {
            for probe in backends.healthTick(now: now) {
                probeIDs[probe.backend] = probe.probeID
                actions.append(.probe(backend: probe.backend, probe.query, overTCP: probe.useTCP))
            }
        }
        collectBackendEvents()
        if nextMaintenance <= now {
            for event in dynamicBlocks.maintenance(now: now) { events.append(.dynamicBlock(event, at: now)) }
            for index in caches.indices {
            let noBackendUp = cachePools[index].allSatisfy { !backends.hasUpBackend(pool: $0) }
            caches[index].cleaningTick(now: now, noBackendUp: noBackendUp)
        }
            nextMaintenance = now + config.maintenanceInterval
        }
    }

    /// Hands the accumulated events to the host.
    public mutating func takeEvents() -> [BalancerEvent] {
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }

    /// Removes `name` (and, with `suffixMatch`, everything below it) from every packet cache, as
    /// dnsdist's `DELETE /api/v1/cache` does; the web server calls it after an accepted update.
    @discardableResult
    public mutating func purgeCache(name: DNSName, qtype: RRType? = nil, suffixMatch: Bool = false) -> Int {
        var removed = 0
        for index in caches.indices { removed += caches[index].expunge(name: name, qtype: qtype, suffixMatch: suffixMatch) }
        return removed
    }

    /// Every pool's packet cache, in configuration order.
    public var packetCaches: [BalancerPacketCache] { caches }

    // MARK: Helpers

    private mutating func expire(_ queue: inout TimeoutQueue, now: Instant) {
        while let entry = queue.first, entry.deadline <= now {
            queue.removeFirst()
            let slot = Int(entry.id)
            guard slot < inFlight[entry.backend].count, inFlight[entry.backend][slot].live,
                  inFlight[entry.backend][slot].generation == entry.generation else { continue }
            inFlight[entry.backend][slot] = .vacant
            stats.downstreamTimeouts &+= 1
            backends.queryTimedOut(backend: entry.backend, now: now)
        }
    }

    private mutating func collectBackendEvents() {
        for change in backends.drainStateChanges() { events.append(.backend(change)) }
    }

    private mutating func selfAnswer(
        _ verdict: QueryVerdict, _ bytes: [UInt8], _ view: QueryView, _ client: Client, _ now: Instant,
        _ actions: inout [Action], delay: SimDuration? = nil
    ) {
        switch verdict {
        case .truncate:
            // TC only means something over UDP; over a connection the query goes on (dnsdist ≥ 1.7).
            stats.ruleTruncated &+= 1
        case .rcode(let rcode, _, _, _):
            if rcode == .nxDomain { stats.ruleNXDomain &+= 1 }
            if rcode == .refused { stats.ruleRefused &+= 1 }
            if rcode == .servFail { stats.ruleServFail &+= 1 }
        default: break
        }
        guard let answer = SelfAnswer.response(to: bytes, verdict: verdict) else { return }
        stats.selfAnswered &+= 1
        dynamicBlocks.recordResponse(
            to: view, rcode: answer.responseCode, size: answer.count, sent: now, selfAnswered: true)
        respond(answer, transport: view.transport, client: client, delay: delay, now: now, &actions)
    }

    private mutating func respond(
        _ bytes: [UInt8], transport: FrontendProtocol, client: Client, delay: SimDuration?, now: Instant,
        _ actions: inout [Action]
    ) {
        stats.responses &+= 1
        // Delay only applies over UDP (DelayAction).
        let at = (delay != nil && transport == .do53UDP) ? now + delay! : now
        actions.append(.respond(client, bytes, at: at))
    }

    /// The response's question is the query's (case-insensitively), as dnsdist checks.
    static func questionMatches(_ bytes: [UInt8], _ query: borrowing QueryView) -> Bool {
        guard bytes.count >= 12, bytes[4] == 0, bytes[5] == 1 else { return false }
        // The usual case, an uncompressed name, compared where it lies; anything else is read.
        let length = query.qnameWireLength
        if bytes.count >= 12 + length + 4, bytes[12 + length - 1] == 0,
            let matches = bytes.withUnsafeBufferPointer({ response -> Bool? in
                let name = UnsafeBufferPointer(rebasing: response[12..<12 + length])
                guard Self.isUncompressedName(name) else { return nil }
                return query.withQNameWire { DNSName.equalWires(name, $0) }
            })
        {
            let at = 12 + length
            let type = UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1])
            let klass = UInt16(bytes[at + 2]) << 8 | UInt16(bytes[at + 3])
            return matches && type == query.qtype.rawValue && klass == query.qclass.rawValue
        }
        var reader = WireReader(bytes, offset: 12)
        guard let name = try? reader.readName(), let type = try? reader.readUInt16(), let klass = try? reader.readUInt16()
        else { return false }
        return type == query.qtype.rawValue && klass == query.qclass.rawValue && query.qnameEquals(name)
    }

    /// True when `name` is a whole uncompressed name: labels without pointers whose root label
    /// is its last octet.
    @inline(__always)
    private static func isUncompressedName(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        var position = 0
        while position < name.count {
            let length = name[position]
            if length == 0 { return position == name.count - 1 }
            if length & 0xC0 != 0 { return false }
            position += 1 + Int(length)
        }
        return false
    }
}

/// A pool resolved to indices: its pool in the backend table (nil for a pool no backend or
/// pool config declares) and its packet cache.
struct PoolRoute: Sendable {
    var backendPool: Int?
    var cache: Int?
}

/// The host's reference to a client, opaque to the machine.
public struct ClientHandle: Hashable, Sendable {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }
}

/// Outstanding UDP queries in the order they were sent: with one timeout for all backends the
/// deadlines come out in order, so the oldest is always first (dnsdist scans for the same thing).
struct TimeoutQueue: Sendable {
    struct Entry: Sendable {
        var deadline: Instant
        var backend: Int
        var id: UInt16
        var generation: UInt32
    }

    private var entries: [Entry] = []
    private var head = 0

    var first: Entry? { head < entries.count ? entries[head] : nil }

    mutating func append(_ entry: Entry) { entries.append(entry) }

    mutating func removeFirst() {
        head += 1
        if head >= 4096 && head * 2 >= entries.count {
            entries.removeFirst(head)
            head = 0
        }
    }
}
