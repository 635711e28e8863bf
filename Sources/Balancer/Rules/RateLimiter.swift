import DNSWire
import Determinism

/// dnsdist's `QPSLimiter`: a token bucket refilled at `rate` tokens per second up to `burst`,
/// starting full. Tokens are kept in fixed point (token × 10⁹, i.e. token-nanoseconds per second),
/// so refills are exact integer arithmetic on nanosecond instants.
struct TokenBucket: Sendable {
    static let scale: UInt64 = 1_000_000_000

    /// Tokens per second.
    let rate: UInt64
    /// Capacity in scaled units.
    let capacity: UInt64
    var tokens: UInt64
    var last: UInt64?

    init(rate: UInt32, burst: UInt32) {
        self.rate = UInt64(rate)
        let burst = burst == 0 ? rate : burst
        self.capacity = UInt64(burst) * Self.scale
        self.tokens = capacity
        self.last = nil
    }

    /// Refills for the time since the previous check and takes one token if there is one.
    /// The first check starts the clock (dnsdist starts it when the limiter is built, just before
    /// traffic). Time that runs backwards refills nothing.
    @inline(__always)
    mutating func check(now: UInt64) -> Bool {
        if let previous = last {
            if now > previous {
                tokens = Self.refill(tokens, elapsed: now - previous, rate: rate, capacity: capacity)
                last = now
            }
        } else {
            last = now
        }
        guard tokens >= Self.scale else { return false }
        tokens -= Self.scale
        return true
    }

    @inline(__always)
    static func refill(_ tokens: UInt64, elapsed: UInt64, rate: UInt64, capacity: UInt64) -> UInt64 {
        let (added, overflow) = elapsed.multipliedReportingOverflow(by: rate)
        if overflow { return capacity }
        let (sum, overflow2) = tokens.addingReportingOverflow(added)
        return overflow2 ? capacity : min(sum, capacity)
    }
}

/// Per-subnet token buckets for `MaxQPSIP`. IPv4 subnets and IPv6 subnets of at most /64 are
/// keyed exactly by a `UInt64` in a `UInt64Map` (no per-process hash seed); longer IPv6 masks use
/// a dictionary keyed by the masked address. Entries idle for `expiration` are swept every
/// `cleanupDelay`; nothing here is ever iterated in hash order.
struct ClientRateTable: Sendable {
    struct Entry: Sendable {
        var tokens: UInt64
        var last: UInt64
        /// 0 free, 4 IPv4, 6 IPv6 keyed by the high half, 7 IPv6 keyed by the whole address.
        var family: UInt8
        var high: UInt64
        var low: UInt64
    }

    let rate: UInt64
    let capacity: UInt64
    let v4Mask: Int
    let v6Mask: Int
    let expiration: UInt64
    let cleanupDelay: UInt64

    private var v4: UInt64Map<Int32> = UInt64Map()
    private var v6: UInt64Map<Int32> = UInt64Map()
    private var v6Wide: [IPv6Address: Int32] = [:]
    private var entries: [Entry] = []
    private var free: [Int32] = []
    private var lastCleanup: UInt64?

    init(rate: UInt32, burst: UInt32, v4Mask: Int, v6Mask: Int, expiration: SimDuration, cleanupDelay: SimDuration) {
        self.rate = UInt64(rate)
        self.capacity = UInt64(burst == 0 ? rate : burst) * TokenBucket.scale
        self.v4Mask = v4Mask
        self.v6Mask = v6Mask
        self.expiration = UInt64(max(0, expiration.nanoseconds))
        self.cleanupDelay = UInt64(max(0, cleanupDelay.nanoseconds))
    }

    /// Subnets currently tracked.
    var count: Int { entries.count - free.count }

    /// True when the client's subnet has no token left (dnsdist's `MaxQPSIPRule` matches then).
    mutating func exceeds(_ address: IPAddress, now: UInt64) -> Bool {
        cleanupIfNeeded(now: now)
        let slot = lookupOrInsert(address, now: now)
        var entry = entries[slot]
        if now > entry.last {
            entry.tokens = TokenBucket.refill(entry.tokens, elapsed: now - entry.last, rate: rate, capacity: capacity)
            entry.last = now
        }
        let passed = entry.tokens >= TokenBucket.scale
        if passed { entry.tokens -= TokenBucket.scale }
        entries[slot] = entry
        return !passed
    }

    private mutating func lookupOrInsert(_ address: IPAddress, now: UInt64) -> Int {
        switch address.masked(to: address.bitWidth == 32 ? v4Mask : v6Mask) {
        case .v4(let v4Address):
            let key = UInt64(v4Address.value)
            if let slot = v4[key] { return Int(slot) }
            let slot = allocate(Entry(tokens: capacity, last: now, family: 4, high: key, low: 0))
            v4[key] = Int32(slot)
            return slot
        case .v6(let v6Address):
            if v6Mask <= 64 {
                if let slot = v6[v6Address.high] { return Int(slot) }
                let slot = allocate(Entry(tokens: capacity, last: now, family: 6, high: v6Address.high, low: 0))
                v6[v6Address.high] = Int32(slot)
                return slot
            }
            if let slot = v6Wide[v6Address] { return Int(slot) }
            let slot = allocate(
                Entry(tokens: capacity, last: now, family: 7, high: v6Address.high, low: v6Address.low))
            v6Wide[v6Address] = Int32(slot)
            return slot
        }
    }

    private mutating func allocate(_ entry: Entry) -> Int {
        if let slot = free.popLast() {
            entries[Int(slot)] = entry
            return Int(slot)
        }
        entries.append(entry)
        return entries.count - 1
    }

    /// dnsdist's `cleanupIfNeeded`: once more than `cleanupDelay` has passed since the previous
    /// sweep, remove every subnet not seen for `expiration`. The sweep walks the entry array in
    /// index order, so the free list it leaves is the same in every run.
    private mutating func cleanupIfNeeded(now: UInt64) {
        guard cleanupDelay > 0 else { return }
        guard let previous = lastCleanup else {
            lastCleanup = now
            return
        }
        guard now > previous, now - previous > cleanupDelay else { return }
        lastCleanup = now
        let cutoff = now >= expiration ? now - expiration : 0
        for index in entries.indices where entries[index].family != 0 && entries[index].last < cutoff {
            let entry = entries[index]
            switch entry.family {
            case 4: v4[entry.high] = nil
            case 6: v6[entry.high] = nil
            default: v6Wide[IPv6Address(high: entry.high, low: entry.low)] = nil
            }
            entries[index].family = 0
            free.append(Int32(index))
        }
    }
}
