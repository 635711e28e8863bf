/// A high-dynamic-range histogram of non-negative integer values (nanoseconds), after Gil Tene's
/// HdrHistogram: values are bucketed by their power of two and, inside it, by `precisionBits` more
/// bits, so every recorded value is kept within a relative error of 2^-precisionBits (10 bits:
/// 0.1%, three significant decimal digits) from 1 ns to hours. Counts only: no floating point
/// until a percentile is formatted.
public struct LatencyHistogram: Sendable, Equatable {
    public let precisionBits: Int
    private var counts: [UInt64]
    public private(set) var totalCount: UInt64 = 0
    public private(set) var minimum: UInt64 = .max
    public private(set) var maximum: UInt64 = 0
    /// Sum of recorded values (wrapping only beyond 584 years of total latency).
    public private(set) var sum: UInt64 = 0

    public init(precisionBits: Int = 10) {
        precondition((1...16).contains(precisionBits), "precision between 1 and 16 bits")
        self.precisionBits = precisionBits
        counts = []
    }

    public var isEmpty: Bool { totalCount == 0 }

    /// The bucket of `value`: values below 2^precisionBits are exact; above, the top
    /// `precisionBits + 1` significant bits are kept.
    @inline(__always)
    func index(of value: UInt64) -> Int {
        let subBuckets = UInt64(1) << precisionBits
        if value < subBuckets { return Int(value) }
        let magnitude = 63 - value.leadingZeroBitCount  // >= precisionBits
        let shift = magnitude - precisionBits
        let mantissa = value >> UInt64(shift)  // in [2^p, 2^(p+1))
        return Int(subBuckets) * (shift + 1) + Int(mantissa - subBuckets)
    }

    /// The lowest value that lands in bucket `index`.
    func lowestValue(at index: Int) -> UInt64 {
        let subBuckets = 1 << precisionBits
        if index < subBuckets { return UInt64(index) }
        let shift = index / subBuckets - 1
        let mantissa = UInt64(index % subBuckets + subBuckets)
        return mantissa << UInt64(shift)
    }

    /// The highest value that lands in bucket `index`.
    func highestValue(at index: Int) -> UInt64 {
        let subBuckets = 1 << precisionBits
        if index < subBuckets { return UInt64(index) }
        let shift = index / subBuckets - 1
        return lowestValue(at: index) + (UInt64(1) << UInt64(shift)) - 1
    }

    public mutating func record(_ value: UInt64, count: UInt64 = 1) {
        let bucket = index(of: value)
        if bucket >= counts.count { counts.append(contentsOf: repeatElement(0, count: bucket + 1 - counts.count)) }
        counts[bucket] &+= count
        totalCount &+= count
        sum &+= value &* count
        minimum = min(minimum, value)
        maximum = max(maximum, value)
    }

    public mutating func merge(_ other: LatencyHistogram) {
        precondition(other.precisionBits == precisionBits, "merging histograms of different precision")
        if other.counts.count > counts.count {
            counts.append(contentsOf: repeatElement(0, count: other.counts.count - counts.count))
        }
        for index in other.counts.indices { counts[index] &+= other.counts[index] }
        totalCount &+= other.totalCount
        sum &+= other.sum
        minimum = min(minimum, other.minimum)
        maximum = max(maximum, other.maximum)
    }

    /// The value at `percentile` (0...100): the highest value of the bucket holding the ranked
    /// sample, capped at the maximum seen (HdrHistogram's convention); 0 when empty.
    public func value(atPercentile percentile: Double) -> UInt64 {
        guard totalCount > 0 else { return 0 }
        let clamped = min(100, max(0, percentile))
        let rank = max(1, UInt64((clamped / 100 * Double(totalCount)).rounded(.up)))
        var seen: UInt64 = 0
        for index in counts.indices {
            seen &+= counts[index]
            if seen >= rank { return min(maximum, highestValue(at: index)) }
        }
        return maximum
    }

    /// Mean of recorded values (exact integer division), 0 when empty.
    public var mean: UInt64 { totalCount == 0 ? 0 : sum / totalCount }

    /// Non-empty buckets as (lowest value, count), in value order: for charts and exports.
    public var buckets: [(value: UInt64, count: UInt64)] {
        counts.indices.compactMap { counts[$0] == 0 ? nil : (lowestValue(at: $0), counts[$0]) }
    }

    public static func == (lhs: LatencyHistogram, rhs: LatencyHistogram) -> Bool {
        lhs.precisionBits == rhs.precisionBits && lhs.totalCount == rhs.totalCount && lhs.sum == rhs.sum
            && lhs.buckets.map(\.value) == rhs.buckets.map(\.value) && lhs.buckets.map(\.count) == rhs.buckets.map(\.count)
    }
}
