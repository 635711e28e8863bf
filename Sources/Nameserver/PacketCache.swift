import DNSWire
import Determinism

/// A response cache keyed by the query's exact question, as PowerDNS Authoritative's packet cache.
///
/// Theory of operation. A query that is a plain QUERY with one question, no answer or authority
/// records, and at most an OPT record without options is a candidate; its key is the raw question
/// (name as sent, case included, type, class) plus what changes the response: EDNS present, the DO
/// bit, and the size limit the response had to fit. A hit costs a copy of the cached bytes with the
/// query's ID and RD/CD bits patched in, instead of decode, lookup and encode. Entries live `ttl`
/// (PowerDNS `cache-ttl`, default 20 s), and everything is dropped when the zones change, so a
/// cached answer is never older than the TTL relative to the data. The number of entries is bounded;
/// when full, the oldest insertion is evicted first (deterministic, no hash order involved).
public struct PacketCache: Sendable {
    public var ttl: SimDuration
    public var capacity: Int
    /// Entries by the key's 64-bit digest; the entry keeps the whole key to rule out collisions.
    private var entries = UInt64Map<Entry>(minimumCapacity: 1024)
    private var insertionOrder: [UInt64] = []
    private var insertionHead = 0
    public private(set) var hits: UInt64 = 0
    public private(set) var misses: UInt64 = 0

    /// Where the question lies in the query, and what else shapes the response.
    struct Key: Sendable {
        var questionStart: Int
        var questionEnd: Int
        var variant: UInt32
        var digest: UInt64
    }

    struct Entry: Sendable {
        var question: [UInt8]
        var variant: UInt32
        var response: [UInt8]
        var expires: Instant
    }

    public init(ttl: SimDuration = .seconds(20), capacity: Int = 100_000) {
        precondition(capacity >= 0, "capacity is a count")
        self.ttl = ttl
        self.capacity = capacity
    }

    public var isEnabled: Bool { ttl > .zero && capacity > 0 }
    public var count: Int { entries.count }

    /// Drops every entry (the zones changed).
    public mutating func clear() {
        entries.removeAll()
        insertionOrder.removeAll(keepingCapacity: true)
        insertionHead = 0
    }

    /// The cache key of a query, or nil when the query is not cacheable.
    static func key(for query: [UInt8], limit: Int) -> Key? {
        guard query.count >= dnsHeaderLength + 5,
            query[2] & 0xF8 == 0,  // QR = 0, opcode QUERY, AA/TC clear
            query[4] == 0, query[5] == 1, query[6] == 0, query[7] == 0, query[8] == 0, query[9] == 0,
            query[10] == 0, query[11] <= 1
        else { return nil }
        var offset = dnsHeaderLength
        while offset < query.count, query[offset] != 0 {
            guard query[offset] & 0xC0 == 0 else { return nil }  // no pointers in a cacheable question
            offset += 1 + Int(query[offset])
        }
        let questionEnd = offset + 5
        guard questionEnd <= query.count else { return nil }
        var variant = UInt32(min(limit, 0xFFFF))
        if query[11] == 1 {
            // OPT: root owner, TYPE 41, CLASS size, TTL ext-rcode/version/flags, RDLENGTH 0 (no options).
            guard questionEnd + 11 == query.count, query[questionEnd] == 0, query[questionEnd + 1] == 0,
                query[questionEnd + 2] == 41, query[questionEnd + 6] == 0, query[questionEnd + 9] == 0,
                query[questionEnd + 10] == 0
            else { return nil }
            let version = query[questionEnd + 6]
            let dnssecOK = query[questionEnd + 7] & 0x80 != 0
            variant |= 1 << 16 | (dnssecOK ? 1 << 17 : 0) | UInt32(version) << 24
        } else {
            guard questionEnd == query.count else { return nil }
        }
        return Key(questionStart: dnsHeaderLength, questionEnd: questionEnd, variant: variant,
                   digest: digest(query, from: dnsHeaderLength, to: questionEnd, variant: variant))
    }

    /// A 64-bit digest of the question octets and the variant.
    static func digest(_ bytes: [UInt8], from start: Int, to end: Int, variant: UInt32) -> UInt64 {
        StableHash.words64(bytes, from: start, to: end, seed: UInt64(variant) << 20)
    }

    /// True when the entry was made for this very question and variant.
    private static func sameQuestion(_ entry: Entry, _ key: Key, _ query: [UInt8]) -> Bool {
        guard entry.variant == key.variant, entry.question.count == key.questionEnd - key.questionStart else { return false }
        for index in entry.question.indices where entry.question[index] != query[key.questionStart + index] {
            return false
        }
        return true
    }

    /// The cached response to `query`, patched with its ID and RD/CD bits; nil on a miss.
    mutating func lookup(_ key: Key, query: [UInt8], now: Instant) -> [UInt8]? {
        guard let entry = entries[key.digest], entry.expires > now, Self.sameQuestion(entry, key, query) else {
            misses &+= 1
            return nil
        }
        hits &+= 1
        var response = entry.response
        response[0] = query[0]
        response[1] = query[1]
        // RD (bit 0 of octet 2) and CD (bit 4 of octet 3) are copied from the query (RFC 1035 §4.1.1, RFC 4035 §3.1.6).
        response[2] = response[2] & 0xFE | query[2] & 0x01
        response[3] = response[3] & 0xEF | query[3] & 0x10
        return response
    }

    mutating func insert(_ key: Key, query: [UInt8], response: [UInt8], now: Instant) {
        guard isEnabled else { return }
        if entries[key.digest] == nil {
            if entries.count >= capacity { evictOldest() }
            insertionOrder.append(key.digest)
        }
        // A digest collision replaces the other question's entry: it only costs that one a miss.
        entries[key.digest] = Entry(question: Array(query[key.questionStart..<key.questionEnd]), variant: key.variant,
                                    response: response, expires: now + ttl)
    }

    private mutating func evictOldest() {
        while insertionHead < insertionOrder.count {
            let key = insertionOrder[insertionHead]
            insertionHead += 1
            if entries.removeValue(forKey: key) != nil { break }
        }
        if insertionHead > 4096 && insertionHead * 2 > insertionOrder.count {
            insertionOrder.removeFirst(insertionHead)
            insertionHead = 0
        }
    }
}
