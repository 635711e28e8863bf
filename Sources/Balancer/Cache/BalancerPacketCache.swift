import DNSWire
import Determinism

/// What a packet-cache lookup found.
public enum BalancerCacheLookup: Sendable, Equatable {
    /// The cached answer, with the query's ID and qname case, TTLs aged (or set to `staleTTL`).
    case hit([UInt8])
    /// Not cached: forward the query, then `insert` the answer under `key`.
    case miss(key: UInt64)
    /// The query can never be cached (AXFR/IXFR, or too short to hold its question).
    case uncacheable
}

/// dnsdist's packet cache (`DNSDistPacketCache`), one shard, sans-IO.
///
/// Theory of operation. The key is a 64-bit digest of the query without its ID: the rest of the
/// header (flags, opcode, counts), the qname case-folded, everything after the qname (qtype,
/// qclass, the OPT record header with payload size and DO bit, EDNS options, of which those in
/// `skipOptions` contribute only code and length), and whether the query came over UDP (dnsdist
/// keys UDP and TCP separately). The digest is computed once per query, with no allocation, and
/// indexes a `UInt64Map`. An entry keeps the question (name, type, class), the flags word, DO
/// bit and transport so that a hit is verified; a key collision is a miss. A hit copies the
/// stored answer, writes the query's ID and the query's qname octets (the client's case) over it,
/// and lowers every TTL (OPT excepted) by the entry's age in whole seconds unless `dontAge`.
///
/// Entries live in a slot array; purges and expunges walk it in slot order, so what gets removed
/// never depends on hash order.
public struct BalancerPacketCache: Sendable {
    public let config: PacketCacheConfig
    public var settings: CacheSettings
    public private(set) var stats = PacketCacheStats()
    /// True when the last `.hit` came from an expired entry (dnsdist `staleCacheHit`).
    public private(set) var lastLookupWasStale = false
    /// When `cleaningTick` next purges.
    public private(set) var nextCleaning: Instant

    private var index: UInt64Map<Int>
    private var slots: [Entry?] = []
    private var freeSlots: [Int] = []
    private var stored = 0

    struct Entry: Sendable {
        var key: UInt64
        var qname: DNSName
        var qtype: RRType
        var qclass: DNSClass
        var queryFlags: UInt16
        var dnssecOK: Bool
        var overUDP: Bool
        var response: [UInt8]
        var ttlOffsets: [Int]
        var added: Instant
        var validity: Instant
    }

    public init(config: PacketCacheConfig, settings: CacheSettings = CacheSettings(), start: Instant = .zero)
        throws(BalancerConfigError)
    {
        guard config.size >= 1 else { throw .badCacheSize(cache: config.name, size: config.size) }
        guard config.maximumEntrySize >= dnsHeaderLength else {
            throw .badCacheSetting(cache: config.name, field: "maximum_entry_size")
        }
        guard settings.cleaningPercentage >= 0, settings.cleaningPercentage <= 100 else {
            throw .badCacheSetting(cache: config.name, field: "cleaning_percentage")
        }
        guard settings.cleaningDelay > .zero else { throw .badCacheSetting(cache: config.name, field: "cleaning_delay") }
        self.config = config
        self.settings = settings
        self.nextCleaning = start + settings.cleaningDelay
        self.index = UInt64Map(minimumCapacity: min(config.size, 1 << 16))
    }

    /// Entries currently stored (expired ones included until purged).
    public var count: Int { stored }
    public var isFull: Bool { stored >= config.size }

    // MARK: Key

    @inline(__always)
    static func flagsWord(_ view: QueryView) -> UInt16 {
        view.flags.rawValue | UInt16(view.opcode.rawValue) << 11
    }

    /// The cache key of `query` (its wire bytes, as `view` describes them), nil when the bytes are
    /// too short to hold the question.
    public func key(query: [UInt8], view: QueryView) -> UInt64? {
        let afterName = dnsHeaderLength + view.qnameWireLength
        guard query.count >= afterName + 4 else { return nil }
        let overUDP = view.transport == .do53UDP
        var hash = StableHash.words64(query, from: 2, to: dnsHeaderLength,
                                      seed: view.qnameFoldedDigest ^ (overUDP ? 0x5544_5000 : 0x5443_5000))
        hash = hashAfterQname(query, from: afterName, seed: hash)
        return mix64(hash)
    }

    /// dnsdist `PacketCache::hashAfterQname`: with exactly one question, no answers, and one
    /// additional record, the OPT header (minus RDLENGTH) and then each option, skipped options
    /// contributing only code and length; otherwise every octet after the qname.
    private func hashAfterQname(_ query: [UInt8], from start: Int, seed: UInt64) -> UInt64 {
        let count = query.count
        let simple = query[4] == 0 && query[5] == 1 && query[6] == 0 && query[7] == 0 && query[8] == 0
            && query[9] == 0 && query[10] == 0 && query[11] == 1
        guard simple, start + 15 <= count else {
            return StableHash.words64(query, from: start, to: count, seed: seed)
        }
        // QTYPE, QCLASS, OPT owner, TYPE, CLASS (payload size), TTL (ext-rcode, version, DO).
        var hash = StableHash.words64(query, from: start, to: start + 13, seed: seed)
        var position = start + 15
        let rdLength = Int(query[start + 13]) << 8 | Int(query[start + 14])
        guard rdLength <= count - position else {
            return StableHash.words64(query, from: position, to: count, seed: hash)
        }
        var read = 0
        while position + 4 <= count, read + 4 <= rdLength {
            let code = UInt16(query[position]) << 8 | UInt16(query[position + 1])
            let length = Int(query[position + 2]) << 8 | Int(query[position + 3])
            guard length <= rdLength - read - 4 else {
                return StableHash.words64(query, from: position, to: count, seed: hash)
            }
            let hashed = config.skipOptions.contains(code) ? 4 : 4 + length
            hash = StableHash.words64(query, from: position, to: position + hashed, seed: hash)
            position += 4 + length
            read += 4 + length
        }
        if position < count { hash = StableHash.words64(query, from: position, to: count, seed: hash) }
        return hash
    }

    // MARK: Lookup

    /// Looks `query` up. Expired entries are served (TTLs set to `staleTTL`) only when
    /// `noBackendUp` and they expired less than `staleEntriesTTL` seconds ago.
    public mutating func lookup(query: [UInt8], view: QueryView, now: Instant, noBackendUp: Bool)
        -> BalancerCacheLookup
    {
        lastLookupWasStale = false
        guard view.qtype != .axfr, view.qtype != .ixfr, let key = key(query: query, view: view) else {
            stats.misses &+= 1
            stats.uncacheable &+= 1
            return .uncacheable
        }
        guard let slot = index[key] else {
            stats.misses &+= 1
            return .miss(key: key)
        }
        let found = slots.withUnsafeBufferPointer { buffer -> Found in
            // Read the entry where it lies: binding it would retain and release its three arrays.
            guard buffer[slot] != nil else { return .absent }
            return Self.examine(
                buffer[slot]!, query: query, view: view, now: now,
                allowExpiredNanoseconds: noBackendUp ? Int64(settings.staleEntriesTTL) * 1_000_000_000 : 0,
                dontAge: config.dontAge, staleTTL: config.staleTTL)
        }
        switch found {
        case .absent, .expired:
            stats.misses &+= 1
            return .miss(key: key)
        case .collision:
            stats.lookupCollisions &+= 1
            stats.misses &+= 1
            return .miss(key: key)
        case .hit(let response, let stale):
            stats.hits &+= 1
            if stale {
                stats.staleHits &+= 1
                lastLookupWasStale = true
            }
            return .hit(response)
        }
    }

    private enum Found {
        case absent, expired, collision
        case hit([UInt8], stale: Bool)
    }

    /// The lookup's checks on one stored entry, and the answer built from it on a hit: a fresh
    /// copy of the stored bytes with the query's ID and qname octets, TTLs aged.
    @inline(__always)
    private static func examine(
        _ entry: borrowing Entry, query: [UInt8], view: borrowing QueryView, now: Instant,
        allowExpiredNanoseconds: Int64, dontAge: Bool, staleTTL: UInt32
    ) -> Found {
        var stale = false
        if entry.validity <= now {
            guard (now - entry.validity).nanoseconds < allowExpiredNanoseconds else { return .expired }
            stale = true
        }
        guard entry.queryFlags == Self.flagsWord(view), entry.dnssecOK == view.dnssecOK,
            entry.overUDP == (view.transport == .do53UDP), entry.qtype == view.qtype, entry.qclass == view.qclass,
            view.qnameEquals(entry.qname)
        else { return .collision }
        let nameLength = view.qnameWireLength
        let age = UInt32(clamping: max(0, (now - entry.added).nanoseconds) / 1_000_000_000)
        // A copy of the stored answer (a specialised array copy: the unsafe-capacity initialiser
        // would look up generic metadata at run time).
        var response = entry.response.withUnsafeBufferPointer { Array($0) }
        response.withUnsafeMutableBufferPointer { out in
            out[0] = query[0]
            out[1] = query[1]
            // The client's spelling of the qname (dnsdist restores the case of the query).
            for offset in 0..<nameLength { out[dnsHeaderLength + offset] = query[dnsHeaderLength + offset] }
            guard !dontAge, stale || age > 0 else { return }
            for at in entry.ttlOffsets {
                let ttl = UInt32(out[at]) << 24 | UInt32(out[at + 1]) << 16 | UInt32(out[at + 2]) << 8
                    | UInt32(out[at + 3])
                let aged = stale ? staleTTL : (ttl > age ? ttl - age : 0)
                out[at] = UInt8(aged >> 24)
                out[at + 1] = UInt8(aged >> 16 & 0xFF)
                out[at + 2] = UInt8(aged >> 8 & 0xFF)
                out[at + 3] = UInt8(aged & 0xFF)
            }
        }
        return .hit(response, stale: stale)
    }

    // MARK: Insert

    /// Caches `response` to the query `view` under `key` (from the `.miss`). Returns true when it
    /// was stored. The TTL is dnsdist's: SERVFAIL/REFUSED get `temporaryFailureTTL`; otherwise the
    /// smallest record TTL, capped by `maxNegativeTTL` for NXDOMAIN and NODATA (NOERROR with an SOA
    /// in authority) and by `maxTTL` otherwise; a TC=1 answer without records gets `truncatedTTL`;
    /// below `minTTL` is not cached. A full cache stores nothing; AXFR/IXFR and answers larger than
    /// `maximumEntrySize` are never cached. An existing live entry for another question wins.
    @discardableResult
    public mutating func insert(key: UInt64, view: QueryView, response: [UInt8], now: Instant) -> Bool {
        guard response.count >= dnsHeaderLength, response.count <= config.maximumEntrySize,
            view.qtype != .axfr, view.qtype != .ixfr
        else {
            stats.skippedOther &+= 1
            return false
        }
        let qname = view.qname
        guard let scan = ResponseScan.scan(response, qname: qname, qtype: view.qtype, qclass: view.qclass)
        else {
            stats.skippedOther &+= 1
            return false
        }
        var ttl: UInt32
        let rcode = RCode(rawValue: UInt16(scan.rcode))
        if rcode == .servFail || rcode == .refused {
            ttl = config.temporaryFailureTTL
            guard ttl > 0 else {
                stats.skippedOther &+= 1
                return false
            }
        } else {
            ttl = scan.minTTL
            if ttl == .max {
                // No records: only an empty truncated answer, and only when asked to.
                guard config.truncatedTTL > 0, scan.truncated else {
                    stats.skippedOther &+= 1
                    return false
                }
                ttl = config.truncatedTTL
            }
            if rcode == .nxDomain || (rcode == .noError && scan.seenAuthoritySOA) {
                ttl = min(ttl, config.maxNegativeTTL)
            } else if ttl > config.maxTTL {
                ttl = config.maxTTL
            }
            guard ttl >= config.minTTL else {
                stats.ttlTooShort &+= 1
                return false
            }
        }
        guard stored < config.size else {
            stats.skippedFull &+= 1
            return false
        }
        let entry = Entry(
            key: key, qname: qname, qtype: view.qtype, qclass: view.qclass, queryFlags: Self.flagsWord(view),
            dnssecOK: view.dnssecOK, overUDP: view.transport == .do53UDP, response: response,
            ttlOffsets: scan.ttlOffsets, added: now, validity: now + .seconds(Int64(ttl)))
        if let slot = index[key], let existing = slots[slot] {
            let expired = existing.validity <= now
            if !expired, !Self.sameQuestion(existing, entry) {
                stats.insertCollisions &+= 1
                return false
            }
            // Keep an existing entry that lives longer.
            guard entry.validity > existing.validity else { return false }
            slots[slot] = entry
            stats.replacements &+= 1
            return true
        }
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            slots[slot] = entry
        } else {
            slot = slots.count
            slots.append(entry)
        }
        index[key] = slot
        stored += 1
        stats.insertions &+= 1
        return true
    }

    private static func sameQuestion(_ a: Entry, _ b: Entry) -> Bool {
        a.queryFlags == b.queryFlags && a.dnssecOK == b.dnssecOK && a.overUDP == b.overUDP && a.qtype == b.qtype
            && a.qclass == b.qclass && a.qname == b.qname
    }

    // MARK: Removal

    private mutating func remove(slot: Int) {
        guard let entry = slots[slot] else { return }
        index.removeValue(forKey: entry.key)
        slots[slot] = nil
        freeSlots.append(slot)
        stored -= 1
    }

    /// Removes the entries for `name` (or, with `suffixMatch`, for `name` and every name below it),
    /// of type `qtype` (nil or ANY: every type). dnsdist `expungeByName`, which the REST API's
    /// `DELETE /api/v1/cache` calls. Returns how many were removed.
    @discardableResult
    public mutating func expunge(name: DNSName, qtype: RRType? = nil, suffixMatch: Bool = false) -> Int {
        var removed = 0
        for slot in slots.indices {
            guard let entry = slots[slot] else { continue }
            let nameMatches = suffixMatch ? entry.qname.isSubdomain(of: name) : entry.qname == name
            guard nameMatches, qtype == nil || qtype == .any || qtype == entry.qtype else { continue }
            remove(slot: slot)
            removed += 1
        }
        stats.expunged &+= UInt64(removed)
        return removed
    }

    /// Removes every entry.
    @discardableResult
    public mutating func expungeAll() -> Int {
        let removed = stored
        index.removeAll()
        slots.removeAll(keepingCapacity: true)
        freeSlots.removeAll(keepingCapacity: true)
        stored = 0
        stats.expunged &+= UInt64(removed)
        return removed
    }

    /// Removes expired entries (validity at or before `now`), in slot order, until at most `upTo`
    /// entries remain (dnsdist `purgeExpired(upTo, now)`). Returns how many were removed.
    @discardableResult
    public mutating func purgeExpired(now: Instant, upTo: Int = 0) -> Int {
        guard stored > upTo else { return 0 }
        var toRemove = stored - upTo
        var removed = 0
        for slot in slots.indices where toRemove > 0 {
            guard let entry = slots[slot], entry.validity <= now else { continue }
            remove(slot: slot)
            toRemove -= 1
            removed += 1
        }
        stats.purged &+= UInt64(removed)
        return removed
    }

    /// dnsdist's cache cleaner: every `cleaningDelay`, purge expired entries down to
    /// `size · (100 − cleaningPercentage) / 100`, unless `keepStaleData` is set and a pool using the
    /// cache has no backend up. Call it whenever `now` reaches `nextCleaning`; returns the number
    /// of entries removed.
    @discardableResult
    public mutating func cleaningTick(now: Instant, noBackendUp: Bool) -> Int {
        guard now >= nextCleaning else { return 0 }
        while nextCleaning <= now { nextCleaning = nextCleaning + settings.cleaningDelay }
        if config.keepStaleData && noBackendUp { return 0 }
        return purgeExpired(now: now, upTo: config.size * (100 - settings.cleaningPercentage) / 100)
    }
}
