import DNSWire
import DNSZone
import Determinism
import LabMetrics

/// A population of resolvers querying authoritative servers (sans-IO).
///
/// Theory of operation. One machine stands for `clientCount` clients (each its own source address).
/// A rate process schedules queries; each picks a client, a server, a query type by weight, and a
/// name: with probability `nxdomain` a fresh random label under a zone apex, else a name of the zone
/// drawn by Zipf popularity. Queries go over UDP with or without EDNS; a lost query is retried
/// after `timeout` with a new ID and port to the next server (like BIND and Unbound, up to
/// `retries` times), then
/// counted as a timeout. A truncated answer is retried over TCP when `tcpFallback` is on
/// (RFC 7766 §5). Every final outcome is scored by the `AnswerOracle` and recorded with the latency
/// from the first transmission.
///
/// Timers: the machine has one deadline, the earlier of the next send and the oldest retry
/// deadline; the host wakes it then (`nextDeadline`).
public struct ResolverPopulation: Sendable {
    public let config: ResolverPopulationConfig
    var random: SeededRandom
    var oracle: AnswerOracle
    private let names: [DNSName]
    private let apexes: [DNSName]
    private let zipf: ZipfDistribution
    var pending = UInt64Map<Pending>(minimumCapacity: 1024)
    var deadlines: [(at: UInt64, key: UInt64, attempt: UInt8)] = []
    private var deadlineHead = 0
    private var nextSendAt: UInt64 = 0
    var nextTCPTag: UInt64 = 1
    var tcpByConnection = UInt64Map<UInt64>()
    /// Connection transports: each client's connection to each server, and its tag's stream key.
    var streams = UInt64Map<Stream>()
    var streamByTag = UInt64Map<UInt64>()
    /// Connection-exhaustion attack state (`config.hold`).
    var hold = HoldState()
    private var writer = WireWriter(capacity: 512)
    /// Encoded queries by (name rank, type, EDNS size): a new query copies one and patches its ID,
    /// as dnsperf sends from prepared buffers. Names drawn for NXDOMAIN are unique and not kept.
    private var templates = UInt64Map<[UInt8]>(minimumCapacity: 256)
    /// Verdicts by response bytes (ID excluded) for a query template: the same bytes for the same
    /// question get the same verdict, so repeated answers are scored without decoding them again.
    var verdicts = UInt64Map<Verdict>(minimumCapacity: 256)
    public internal(set) var metrics = PopulationMetrics()

    struct Pending: Sendable {
        var name: DNSName
        var type: RRType
        /// Template key: name rank, type and EDNS choice; 0 for a name not in the zone.
        var template: UInt64 = 0
        var firstSent: UInt64
        var attempt: UInt8
        var server: Int
        var client: UInt32
        var tcpTag: UInt64 = 0
    }

    /// What the machine asks its host to do.
    public enum Action: Sendable, Equatable {
        /// A datagram to send at `at` (a wake-up emits the queries of its batch window, each at its own instant).
        case sendUDP(client: UInt32, port: UInt16, server: Int, bytes: [UInt8], at: Instant)
        case connectTCP(client: UInt32, server: Int, tag: UInt64)
        case sendTCP(tag: UInt64, bytes: [UInt8])
        case closeTCP(tag: UInt64)
    }

    public init(config: ResolverPopulationConfig, zones: ZoneSet, seed: UInt64) {
        self.config = config
        random = SeededRandom(seed: seed, label: "resolvers:\(config.name)")
        oracle = AnswerOracle(zones: zones)
        var all: [DNSName] = []
        for zone in zones.zones {
            for record in zone.records where record.type != .ns || record.name == zone.origin {
                if all.last != record.name && !record.name.isWildcard { all.append(record.name) }
            }
        }
        var unique: [DNSName] = []
        var seen = Set<DNSName>()
        for name in all where seen.insert(name).inserted { unique.append(name) }
        // Popularity order is a fixed shuffle of the zone's names, so rank 1 is not always the apex.
        var shuffler = SeededRandom(seed: seed, label: "resolvers:\(config.name):ranks")
        shuffler.shuffle(&unique)
        names = unique.isEmpty ? zones.zones.map(\.origin) : unique
        apexes = zones.zones.map(\.origin)
        zipf = ZipfDistribution(count: max(1, names.count), exponent: config.zipfExponent)
        nextSendAt = config.startAt.nanoseconds
    }

    /// The next instant the host must wake the machine.
    public var nextDeadline: Instant? {
        var next: UInt64 = nextSendAt < config.stopAt.nanoseconds ? nextSendAt : .max
        if deadlineHead < deadlines.count { next = min(next, deadlines[deadlineHead].at) }
        if let held = holdDeadline { next = min(next, held) }
        return next == .max ? nil : Instant(nanoseconds: next)
    }

    /// Queries due within this window after a wake-up are emitted by that wake-up, each with its own
    /// send instant: one timer event per window instead of one per query.
    public static let batchWindow: UInt64 = 1_000_000

    /// Sends what is due (within the batch window) and handles expired deadlines.
    public mutating func wake(now: Instant, actions: inout [Action]) {
        expireDeadlines(now: now, actions: &actions)
        if config.hold != nil { wakeHold(now: now, actions: &actions) }
        let horizon = now.nanoseconds &+ Self.batchWindow
        while nextSendAt < horizon && nextSendAt < config.stopAt.nanoseconds {
            let rate = config.rate.perSecond(Instant(nanoseconds: nextSendAt))
            if rate > 0 { sendNewQuery(now: Instant(nanoseconds: max(nextSendAt, now.nanoseconds)), actions: &actions) }
            if let gap = config.rate.gap(rate: rate, random: &random) {
                nextSendAt &+= UInt64(gap)
            } else {
                nextSendAt &+= 1_000_000_000
            }
        }
    }

    private mutating func sendNewQuery(now: Instant, actions: inout [Action]) {
        let client = UInt32(random.below(UInt64(config.clientCount)))
        let server = Int(random.below(UInt64(config.serverCount)))
        if config.malformedPartsPerMillion > 0, random.chance(partsPerMillion: config.malformedPartsPerMillion) {
            // Garbage: never answered, never scored; only what it does to the servers matters.
            let bytes = random.bytes(12 + Int(random.below(48)))
            let port = config.sourcePort ?? UInt16(1024 + random.below(64_512))
            metrics.series.recordSent(atSecond: Int(now.seconds))
            metrics.sent &+= 1
            metrics.malformedSent &+= 1
            actions.append(.sendUDP(client: client, port: port, server: server, bytes: bytes, at: now))
            return
        }
        let type = pickType()
        let (name, rank) = pickName()
        metrics.series.recordSent(atSecond: Int(now.seconds))
        metrics.sent &+= 1
        var pendingQuery = Pending(name: name, type: type, firstSent: now.nanoseconds, attempt: 0, server: server, client: client)
        if let rank { pendingQuery.template = UInt64(rank + 1) << 32 | UInt64(type.rawValue) << 8 }
        transmit(pendingQuery, now: now, actions: &actions)
    }

    private mutating func pickType() -> RRType {
        let draw = UInt32(random.below(1_000_000))
        for (type, cumulative) in config.queryTypes where draw < cumulative { return type }
        return config.queryTypes.last?.0 ?? .a
    }

    /// A name and its popularity rank; the rank is nil for a fresh name that does not exist.
    mutating func pickName() -> (DNSName, Int?) {
        if config.nxdomainPartsPerMillion > 0, random.chance(partsPerMillion: config.nxdomainPartsPerMillion),
            let parent = config.randomSubdomainOf.isEmpty ? random.element(of: apexes) : random.element(of: config.randomSubdomainOf)
        {
            let label = Array("nx-\(random.next() & 0xFFFF_FFFF)".utf8)
            return ((try? parent.prepending(label)) ?? parent, nil)
        }
        if !config.fixedNames.isEmpty {
            // Ranks past the zone's names keep the fixed names' query templates apart.
            let index = Int(random.below(UInt64(config.fixedNames.count)))
            return (config.fixedNames[index], names.count + index)
        }
        let rank = zipf.sample(&random)
        return (names[rank], rank)
    }

    /// Sends (or re-sends) a query over UDP with a fresh ID and port, and sets its retry deadline.
    private mutating func transmit(_ query: Pending, now: Instant, actions: inout [Action]) {
        var query = query
        let id = UInt16(truncatingIfNeeded: random.next())
        let port = config.sourcePort ?? UInt16(1024 + random.below(64_512))
        var ednsChoice = 0
        if random.chance(partsPerMillion: config.ednsPartsPerMillion) {
            ednsChoice = 1 + Int(random.below(UInt64(config.ednsSizes.count)))
        }
        if query.template != 0 { query.template = query.template & ~0xFF | UInt64(ednsChoice) }
        var bytes: [UInt8]
        if query.template != 0, let template = templates[query.template] {
            bytes = template
        } else {
            let edns = ednsChoice == 0 ? nil : EDNS(udpPayloadSize: config.ednsSizes[ednsChoice - 1])
            writer.reset()
            guard (try? Message.query(id: 0, name: query.name, type: query.type, edns: edns).encode(into: &writer)) != nil
            else { return }
            bytes = writer.bytes
            if query.template != 0 && templates.count < 1_000_000 { templates[query.template] = bytes }
        }
        bytes[0] = UInt8(id >> 8)
        bytes[1] = UInt8(id & 0xFF)
        if config.transport != .udp {
            sendOnStream(query, bytes: bytes, id: id, now: now, actions: &actions)
            return
        }
        let key = Self.key(client: query.client, port: port, id: id)
        pending[key] = query
        deadlines.append((now.nanoseconds &+ UInt64(config.timeout.nanoseconds), key, query.attempt))
        actions.append(.sendUDP(client: query.client, port: port, server: query.server, bytes: bytes, at: now))
    }

    static func key(client: UInt32, port: UInt16, id: UInt16) -> UInt64 {
        UInt64(client) << 32 | UInt64(port) << 16 | UInt64(id)
    }

    private mutating func expireDeadlines(now: Instant, actions: inout [Action]) {
        while deadlineHead < deadlines.count, deadlines[deadlineHead].at <= now.nanoseconds {
            let entry = deadlines[deadlineHead]
            deadlineHead += 1
            guard var query = pending[entry.key], query.attempt == entry.attempt else { continue }
            pending[entry.key] = nil
            if query.tcpTag != 0 {
                tcpByConnection[query.tcpTag] = nil
                actions.append(.closeTCP(tag: query.tcpTag))
            }
            if Int(query.attempt) < config.retries {
                query.attempt += 1
                query.tcpTag = 0
                // Like a stub's server list (resolv.conf rotation) and BIND's server selection: a
                // retry goes to the next server.
                query.server = (query.server + 1) % config.serverCount
                metrics.retries &+= 1
                transmit(query, now: now, actions: &actions)
            } else {
                finish(query, outcome: .timeout, now: now)
            }
        }
        if deadlineHead > 4096 && deadlineHead * 2 > deadlines.count {
            deadlines.removeFirst(deadlineHead)
            deadlineHead = 0
        }
    }
}
