import Determinism

/// A random delay: fixed base plus optional jitter and a rare heavy tail (all in nanoseconds).
public struct DelayModel: Sendable {
    public enum Shape: Sendable {
        case none
        case uniform(low: Double, high: Double)
        case exponential(mean: Double)
        case normal(mean: Double, standardDeviation: Double)
        case logNormal(median: Double, sigma: Double)
        case pareto(minimum: Double, alpha: Double)
    }

    public let baseNanoseconds: Int64
    public let jitter: Shape
    public let tail: Shape
    public let tailPartsPerMillion: UInt32
    /// The per-packet jitter draws through a quantile table (see `QuantileSampler`).
    private let jitterSampler: QuantileSampler?

    public init(baseNanoseconds: Int64, jitter: Shape = .none, tail: Shape = .none, tailPartsPerMillion: UInt32 = 0) {
        self.baseNanoseconds = baseNanoseconds
        self.jitter = jitter
        self.tail = tail
        self.tailPartsPerMillion = tailPartsPerMillion
        jitterSampler = Self.sampler(for: jitter)
    }

    /// A table sampler for the shapes that need logarithms per draw.
    static func sampler(for shape: Shape) -> QuantileSampler? {
        switch shape {
        case .none, .uniform, .pareto: return nil
        case .exponential(let mean):
            return QuantileSampler { p in -mean * DeterministicMath.log(1 - p) }
        case .normal(let mean, let deviation):
            return QuantileSampler { p in mean + deviation * standardNormalQuantile(p) }
        case .logNormal(let median, let sigma):
            return QuantileSampler { p in median * DeterministicMath.exp(sigma * standardNormalQuantile(p)) }
        }
    }

    /// Draws one delay (never negative).
    public func sample(_ random: inout SeededRandom) -> Int64 {
        var total = baseNanoseconds
        if let jitterSampler {
            total += Int64(jitterSampler.sample(&random))
        } else if case .none = jitter {} else {
            total += Int64(Self.draw(jitter, &random))
        }
        if tailPartsPerMillion > 0, random.chance(partsPerMillion: tailPartsPerMillion) {
            total += Int64(Self.draw(tail, &random))
        }
        return max(0, total)
    }

    static func draw(_ shape: Shape, _ random: inout SeededRandom) -> Double {
        switch shape {
        case .none: 0
        case .uniform(let low, let high): low + (high - low) * random.unitDouble()
        case .exponential(let mean): random.exponential(mean: mean)
        case .normal(let mean, let deviation): random.normal(mean: mean, standardDeviation: deviation)
        case .logNormal(let median, let sigma): random.logNormal(median: median, sigma: sigma)
        case .pareto(let minimum, let alpha): random.pareto(minimum: minimum, alpha: alpha)
        }
    }
}

/// Impairments of the path between two sites (or inside one site).
public struct LinkModel: Sendable {
    public var delay: DelayModel
    public var lossPartsPerMillion: UInt32
    public var duplicatePartsPerMillion: UInt32
    public var reorderPartsPerMillion: UInt32
    public var reorderDelayNanoseconds: Int64

    public init(delay: DelayModel, lossPartsPerMillion: UInt32 = 0, duplicatePartsPerMillion: UInt32 = 0,
                reorderPartsPerMillion: UInt32 = 0, reorderDelayNanoseconds: Int64 = 5_000_000) {
        self.delay = delay
        self.lossPartsPerMillion = lossPartsPerMillion
        self.duplicatePartsPerMillion = duplicatePartsPerMillion
        self.reorderPartsPerMillion = reorderPartsPerMillion
        self.reorderDelayNanoseconds = reorderDelayNanoseconds
    }
}

/// What happens to one packet on a path: dropped for a reason, or delivered after `delay` (and a
/// second copy after `duplicateDelay`). No allocation per packet.
public struct PathVerdict: Sendable, Equatable {
    public var dropReason: DropReason?
    public var delay: Int64
    public var duplicateDelay: Int64?

    static func dropped(_ reason: DropReason) -> PathVerdict { PathVerdict(dropReason: reason, delay: 0) }
}

/// Why a packet or input was not delivered. Every drop is counted by reason.
public enum DropReason: String, Sendable, CaseIterable, Comparable {
    case loss, partition, noRoute = "no-route", nodeDown = "node-down", nodeHung = "node-hung"
    case queueFull = "queue-full", connectionRefused = "connection-refused"
    /// The hoster's edge filter in front of the node dropped it.
    case edgeFilter = "edge-filter"

    public static func < (lhs: DropReason, rhs: DropReason) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Sites, the networks they carry, the links between them, and the faults that change paths.
///
/// Two nodes can talk when they share a network and their sites are the same or joined by a link,
/// and no partition separates them. Each link draws from its own random stream.
public struct Topology: Sendable {
    public private(set) var siteNames: [String] = []
    /// Per site, the local path between two nodes of the same site.
    private var local: [LinkModel] = []
    /// Links keyed by the ordered pair of site indices (lower first), as a flat table.
    private var links: [Int: Int] = [:]
    private var linkModels: [LinkModel] = []
    private var linkRandom: [SeededRandom] = []
    private var localRandom: [SeededRandom] = []
    /// Directed blocks: blocked[from * siteCount + to] counts active partitions.
    private var blocked: [UInt16] = []
    /// Active degradations per link: extra delay and loss, summed.
    private var extraDelay: [Int64] = []
    private var extraLoss: [UInt32] = []

    public init() {}

    public var siteCount: Int { siteNames.count }

    public mutating func addSite(_ name: String, localPath: LinkModel, seed: UInt64) -> SiteID {
        siteNames.append(name)
        local.append(localPath)
        localRandom.append(SeededRandom(seed: seed, label: "site-local:\(name)"))
        blocked = [UInt16](repeating: 0, count: siteNames.count * siteNames.count)
        return SiteID(siteNames.count - 1)
    }

    public func site(named name: String) -> SiteID? {
        siteNames.firstIndex(of: name).map(SiteID.init)
    }

    private func key(_ a: SiteID, _ b: SiteID) -> Int {
        let (low, high) = a < b ? (a, b) : (b, a)
        return Int(low.index) << 16 | Int(high.index)
    }

    public mutating func addLink(_ a: SiteID, _ b: SiteID, model: LinkModel, seed: UInt64) {
        precondition(a != b, "a link joins two different sites")
        links[key(a, b)] = linkModels.count
        linkModels.append(model)
        let names = [siteNames[Int(a.index)], siteNames[Int(b.index)]].sorted()
        linkRandom.append(SeededRandom(seed: seed, label: "link:\(names[0])~\(names[1])"))
        extraDelay.append(0)
        extraLoss.append(0)
    }

    public func hasLink(_ a: SiteID, _ b: SiteID) -> Bool { links[key(a, b)] != nil }

    /// Starts (delta +1) or ends (-1) a partition from `a` to `b`.
    public mutating func changePartition(from a: SiteID, to b: SiteID, by delta: Int) {
        let index = Int(a.index) * siteNames.count + Int(b.index)
        blocked[index] = UInt16(max(0, Int(blocked[index]) + delta))
    }

    /// Adds (or, with negative values, removes) a degradation on the link between `a` and `b`.
    public mutating func changeDegradation(_ a: SiteID, _ b: SiteID, delay: Int64, lossPartsPerMillion: Int64) {
        guard let index = links[key(a, b)] else { return }
        extraDelay[index] += delay
        extraLoss[index] = UInt32(max(0, Int64(extraLoss[index]) + lossPartsPerMillion))
    }

    /// Decides the fate of one packet from site `a` to site `b`.
    public mutating func route(from a: SiteID, to b: SiteID) -> PathVerdict {
        if blocked[Int(a.index) * siteNames.count + Int(b.index)] > 0 {
            return .dropped(.partition)
        }
        if a == b {
            let site = Int(a.index)
            return Self.sample(local[site], extraDelay: 0, extraLoss: 0, random: &localRandom[site])
        }
        guard let index = links[key(a, b)] else { return .dropped(.noRoute) }
        return Self.sample(linkModels[index], extraDelay: extraDelay[index], extraLoss: extraLoss[index],
                           random: &linkRandom[index])
    }

    private static func sample(_ model: LinkModel, extraDelay: Int64, extraLoss: UInt32,
                               random: inout SeededRandom) -> PathVerdict {
        let loss = min(1_000_000, model.lossPartsPerMillion + extraLoss)
        if loss > 0 && random.chance(partsPerMillion: loss) {
            return .dropped(.loss)
        }
        var delay = model.delay.sample(&random) + extraDelay
        if model.reorderPartsPerMillion > 0 && random.chance(partsPerMillion: model.reorderPartsPerMillion) {
            delay += model.reorderDelayNanoseconds
        }
        if model.duplicatePartsPerMillion > 0 && random.chance(partsPerMillion: model.duplicatePartsPerMillion) {
            return PathVerdict(delay: delay, duplicateDelay: delay + model.delay.sample(&random) + extraDelay)
        }
        return PathVerdict(delay: delay)
    }
}
