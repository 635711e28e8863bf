import DNSWire
import Determinism

extension BackendTable {
    /// Picks a backend of `pool` for `query` under the pool's policy; nil when no server is
    /// available (the caller answers SERVFAIL when `servfailOnNoServer`, else drops the query).
    /// Unknown pools select nothing. Allocation-free.
    public mutating func select(pool: String, query: QueryView, random: inout SeededRandom) -> Int? {
        guard let index = poolIndex(named: pool) else { return nil }
        return select(poolIndex: index, query: query, random: &random)
    }

    /// `select(pool:query:random:)` by pool index (see `poolIndex(named:)`), skipping the name lookup.
    public mutating func select(poolIndex: Int, query: QueryView, random: inout SeededRandom) -> Int? {
        let members = pools[poolIndex].members
        switch pools[poolIndex].policy {
        case .leastOutstanding:
            return leastOutstanding(members)
        case .firstAvailable:
            return firstAvailable(members, now: query.arrival)
        case .wrandom:
            let sum = weightSum(members, factor: loadBalancing.weightedBalancingFactor)
            guard sum.total > 0 else { return nil }
            return weightedPick(members, value: random.below(UInt64(sum.total)), target: sum.target)
        case .whashed:
            let sum = weightSum(members, factor: loadBalancing.weightedBalancingFactor)
            guard sum.total > 0 else { return nil }
            let hash = Self.qnameHash(digest: query.qnameFoldedDigest, perturbation: loadBalancing.hashPerturbation)
            return weightedPick(members, value: hash % UInt64(sum.total), target: sum.target)
        case .chashed:
            let hash = Self.qnameHash(digest: query.qnameFoldedDigest, perturbation: loadBalancing.hashPerturbation)
            return consistentHash(members, hash: hash)
        case .roundrobin:
            return roundRobin(members)
        }
    }

    /// Fewest outstanding, then lowest order, then lowest latency; a remaining tie goes to the
    /// first in pool order. A one-server pool returns that server when it is up.
    func leastOutstanding(_ members: [Int]) -> Int? {
        if members.count == 1 { return backends[members[0]].isUp ? members[0] : nil }
        var best = -1
        var bestOutstanding = 0
        var bestOrder = 0
        var bestLatency = 0.0
        for member in members where backends[member].isUp {
            let outstanding = backends[member].outstanding
            let order = backends[member].config.order
            let latency = backends[member].latencyMicros
            if best < 0 || outstanding < bestOutstanding
                || (outstanding == bestOutstanding && (order < bestOrder || (order == bestOrder && latency < bestLatency)))
            {
                best = member
                bestOutstanding = outstanding
                bestOrder = order
                bestLatency = latency
            }
        }
        return best < 0 ? nil : best
    }

    /// The first up server (in order) whose QPS limiter has a token, peeking only; the token is
    /// consumed by `queryForwarded`. If every up server is over its limit: `leastOutstanding`.
    mutating func firstAvailable(_ members: [Int], now: Instant) -> Int? {
        for member in members where backends[member].isUp {
            if backends[member].qpsLimiter == nil { return member }
            if backends[member].qpsLimiter!.checkOnly(now: now) { return member }
        }
        return leastOutstanding(members)
    }

    /// Sum of the weights of the eligible servers, and the bounded-load target (outstanding per
    /// unit of weight) when `factor` > 0: `(1 + Σ outstanding of up servers) / Σ weight · factor`.
    func weightSum(_ members: [Int], factor: Double) -> (total: Int, target: Double) {
        var target = Double.greatestFiniteMagnitude
        if factor > 0 {
            var load = 1.0
            var weight = 0
            for member in members where backends[member].isUp {
                load += Double(backends[member].outstanding)
                weight += backends[member].config.weight
            }
            if weight > 0 { target = load / Double(weight) * factor }
        }
        var total = 0
        for member in members where eligible(member, target: target) {
            total = min(Int(Int32.max), total + backends[member].config.weight)
        }
        return (total, target)
    }

    @inline(__always)
    func eligible(_ member: Int, target: Double) -> Bool {
        backends[member].isUp
            && (target == .greatestFiniteMagnitude
                || Double(backends[member].outstanding) <= target * Double(backends[member].config.weight))
    }

    /// The eligible server whose cumulative-weight interval contains `value` (dnsdist `valrandom`).
    func weightedPick(_ members: [Int], value: UInt64, target: Double) -> Int? {
        var cumulative = 0
        for member in members where eligible(member, target: target) {
            cumulative = min(Int(Int32.max), cumulative + backends[member].config.weight)
            if value < UInt64(cumulative) { return member }
        }
        return nil
    }

    /// The eligible server owning the first ring point at or after `hash`, wrapping to the lowest
    /// point; ties go to the first in pool order.
    func consistentHash(_ members: [Int], hash: UInt64) -> Int? {
        let factor = loadBalancing.consistentHashingBalancingFactor
        var target = Double.greatestFiniteMagnitude
        if factor > 0 {
            var load = 1.0
            var weight = 0
            for member in members where backends[member].isUp {
                load += Double(backends[member].outstanding)
                weight += backends[member].config.weight
            }
            if weight > 0 { target = load / Double(weight) * factor }
        }
        var selected: Int?
        var selectedPoint = UInt64.max
        var first: Int?
        var firstPoint = UInt64.max
        for member in members where eligible(member, target: target) {
            let points = backends[member].ringPoints
            guard let lowest = points.first else { continue }
            if first == nil || lowest < firstPoint {
                first = member
                firstPoint = lowest
            }
            // Lower bound of `hash` in the sorted points.
            var low = 0
            var high = points.count
            while low < high {
                let mid = (low + high) / 2
                if points[mid] < hash { low = mid + 1 } else { high = mid }
            }
            if low < points.count, selected == nil || points[low] < selectedPoint {
                selected = member
                selectedPoint = points[low]
            }
        }
        return selected ?? first
    }

    /// The next up server in turn; with none up, any server unless `roundRobinServfailOnNoServer`.
    /// The turn counter is shared by all pools of the table (dnsdist's is process-wide).
    mutating func roundRobin(_ members: [Int]) -> Int? {
        guard !members.isEmpty else { return nil }
        var upCount = 0
        for member in members where backends[member].isUp { upCount += 1 }
        let turn = roundRobinCounter
        if upCount == 0 {
            if loadBalancing.roundRobinServfailOnNoServer { return nil }
            roundRobinCounter &+= 1
            return members[Int(turn % UInt64(members.count))]
        }
        roundRobinCounter &+= 1
        var wanted = Int(turn % UInt64(upCount))
        for member in members where backends[member].isUp {
            if wanted == 0 { return member }
            wanted -= 1
        }
        return nil
    }

    // MARK: Hashing

    /// The case-insensitive qname hash of `whashed` and `chashed`: the name's case-folded digest
    /// mixed with the perturbation (SplitMix64 finaliser). The same in every process.
    @inline(__always)
    public static func qnameHash(_ name: DNSName, perturbation: UInt32) -> UInt64 {
        qnameHash(digest: name.foldedDigest, perturbation: perturbation)
    }

    /// `qnameHash` from the name's `foldedDigest`.
    @inline(__always)
    static func qnameHash(digest: UInt64, perturbation: UInt32) -> UInt64 {
        mix64(digest ^ (UInt64(perturbation) &* 0x9E37_79B9_7F4A_7C15))
    }

    /// `weight` ring points for a backend: the hash of "name-w" for w = weight…1 (dnsdist hashes
    /// "uuid-w"), seeded with the perturbation, sorted.
    static func ringPoints(name: String, weight: Int, perturbation: UInt32) -> [UInt64] {
        var points: [UInt64] = []
        points.reserveCapacity(weight)
        var w = weight
        while w > 0 {
            let label = Array("\(name)-\(w)".utf8)
            points.append(mix64(StableHash.words64(label, seed: UInt64(perturbation))))
            w -= 1
        }
        points.sort()
        return points
    }
}

/// SplitMix64's finaliser: spreads every input bit over the whole word.
@inline(__always)
func mix64(_ value: UInt64) -> UInt64 {
    var z = value &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
