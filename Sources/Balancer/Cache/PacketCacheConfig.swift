import Determinism

/// One entry of `packet_caches` (dnsdist `PacketCacheConfiguration` / `newPacketCache`).
/// TTLs are in seconds.
public struct PacketCacheConfig: Sendable, Equatable {
    public var name: String
    /// `size`: maximum number of entries (at least 1).
    public var size: Int
    /// `max_ttl`: cap on the TTL of positive answers.
    public var maxTTL: UInt32
    /// `min_ttl`: answers whose TTL is lower are not cached.
    public var minTTL: UInt32
    /// `max_negative_ttl`: cap for NXDOMAIN and NODATA answers.
    public var maxNegativeTTL: UInt32
    /// `temporary_failure_ttl`: TTL of SERVFAIL and REFUSED answers (0 = not cached).
    public var temporaryFailureTTL: UInt32
    /// `truncated_ttl`: TTL of TC=1 answers without records (0 = not cached).
    public var truncatedTTL: UInt32
    /// `stale_ttl`: TTL written into stale answers that are served.
    public var staleTTL: UInt32
    /// `dont_age`: serve cached TTLs unchanged.
    public var dontAge: Bool
    /// `keep_stale_data`: do not purge expired entries while the pool has no backend up.
    public var keepStaleData: Bool
    /// `options_to_skip`: EDNS option codes whose content is not part of the key (only code and length).
    public var skipOptions: [UInt16]
    /// `maximum_entry_size`: larger answers are not cached.
    public var maximumEntrySize: Int

    public init(
        name: String, size: Int, maxTTL: UInt32 = 86400, minTTL: UInt32 = 0, maxNegativeTTL: UInt32 = 3600,
        temporaryFailureTTL: UInt32 = 60, truncatedTTL: UInt32 = 0, staleTTL: UInt32 = 60, dontAge: Bool = false,
        keepStaleData: Bool = false, skipOptions: [UInt16] = [10, 12], maximumEntrySize: Int = 4096
    ) {
        self.name = name
        self.size = size
        self.maxTTL = maxTTL
        self.minTTL = minTTL
        self.maxNegativeTTL = maxNegativeTTL
        self.temporaryFailureTTL = temporaryFailureTTL
        self.truncatedTTL = truncatedTTL
        self.staleTTL = staleTTL
        self.dontAge = dontAge
        self.keepStaleData = keepStaleData
        self.skipOptions = skipOptions
        self.maximumEntrySize = maximumEntrySize
    }
}

/// `cache_settings` (dnsdist `CacheSettingsConfiguration`).
public struct CacheSettings: Sendable, Equatable {
    /// `stale_entries_ttl`: serve entries expired by less than this many seconds when no backend is
    /// available; 0 disables stale serving.
    public var staleEntriesTTL: UInt32
    /// `cleaning_delay`: time between two purges of expired entries.
    public var cleaningDelay: SimDuration
    /// `cleaning_percentage`: a purge removes expired entries until the cache holds at most
    /// `size · (100 − percentage) / 100` entries.
    public var cleaningPercentage: Int

    public init(staleEntriesTTL: UInt32 = 0, cleaningDelay: SimDuration = .seconds(60), cleaningPercentage: Int = 100) {
        self.staleEntriesTTL = staleEntriesTTL
        self.cleaningDelay = cleaningDelay
        self.cleaningPercentage = cleaningPercentage
    }
}

/// Packet cache counters (dnsdist `PacketCache:getStats()`).
public struct PacketCacheStats: Sendable, Equatable {
    public var hits: UInt64 = 0
    public var misses: UInt64 = 0
    /// Hits served from expired entries (also counted in `hits`).
    public var staleHits: UInt64 = 0
    /// Queries that cannot be cached (AXFR/IXFR, malformed); also counted in `misses`.
    public var uncacheable: UInt64 = 0
    public var insertions: UInt64 = 0
    /// An existing entry replaced by a fresher answer for the same key.
    public var replacements: UInt64 = 0
    /// An insert skipped because a different live question owns the key.
    public var insertCollisions: UInt64 = 0
    /// A lookup whose key matched an entry for a different question.
    public var lookupCollisions: UInt64 = 0
    /// Answers not cached because their TTL was below `min_ttl`.
    public var ttlTooShort: UInt64 = 0
    /// Answers not cached because the cache was full.
    public var skippedFull: UInt64 = 0
    /// Answers not cached for another reason (too large, TTL 0 failure, truncated, malformed).
    public var skippedOther: UInt64 = 0
    public var expunged: UInt64 = 0
    public var purged: UInt64 = 0

    public init() {}
}
