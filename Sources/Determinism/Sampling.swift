/// Sampling from distributions with our own generator and math (STYLE.md §4.2).
extension SeededRandom {
    /// A uniform double in (0, 1]: never 0, so its logarithm is finite.
    public mutating func openUnitDouble() -> Double {
        Double((next() >> 11) + 1) * 0x1.0p-53
    }

    /// Exponentially distributed with the given mean (inter-arrival times of a Poisson process).
    public mutating func exponential(mean: Double) -> Double {
        -mean * DeterministicMath.log(openUnitDouble())
    }

    /// Standard normal by Marsaglia's polar method (no trigonometry).
    public mutating func standardNormal() -> Double {
        while true {
            let u = 2 * unitDouble() - 1
            let v = 2 * unitDouble() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                return u * (-2 * DeterministicMath.log(s) / s).squareRoot()
            }
        }
    }

    /// Normal with the given mean and standard deviation.
    public mutating func normal(mean: Double, standardDeviation: Double) -> Double {
        mean + standardDeviation * standardNormal()
    }

    /// Log-normal: e^N(mu, sigma), where `median` = e^mu.
    public mutating func logNormal(median: Double, sigma: Double) -> Double {
        median * DeterministicMath.exp(sigma * standardNormal())
    }

    /// Pareto with scale `minimum` and shape `alpha` (heavy tail for alpha near 1).
    public mutating func pareto(minimum: Double, alpha: Double) -> Double {
        minimum * DeterministicMath.exp(-DeterministicMath.log(openUnitDouble()) / alpha)
    }

    /// Poisson-distributed count with the given mean (Knuth for small means, normal approximation above 500).
    public mutating func poisson(mean: Double) -> Int {
        if mean > 500 { return max(0, Int(normal(mean: mean, standardDeviation: mean.squareRoot()).rounded())) }
        let limit = DeterministicMath.exp(-mean)
        var product = openUnitDouble()
        var count = 0
        while product > limit {
            product *= openUnitDouble()
            count += 1
        }
        return count
    }

    /// Shuffles `array` in place (Fisher-Yates with our own index draws).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for index in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(index, Int(below(UInt64(index + 1))))
        }
    }
}

/// A Zipf distribution over ranks 1...n with exponent s, sampled by binary search in a
/// precomputed cumulative table (exact, O(log n) per draw).
public struct ZipfDistribution: Sendable {
    public let count: Int
    public let exponent: Double
    private let cumulative: [Double]

    public init(count: Int, exponent: Double) {
        precondition(count >= 1, "Zipf needs at least one rank")
        self.count = count
        self.exponent = exponent
        var table: [Double] = []
        table.reserveCapacity(count)
        var total = 0.0
        for rank in 1...count {
            total += DeterministicMath.exp(-exponent * DeterministicMath.log(Double(rank)))
            table.append(total)
        }
        cumulative = table.map { $0 / total }
    }

    /// A rank index in 0..<count (0 is the most popular).
    public func sample(_ random: inout SeededRandom) -> Int {
        let u = random.unitDouble()
        var low = 0
        var high = count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] > u { high = mid } else { low = mid + 1 }
        }
        return low
    }

    /// The probability of rank index `index`.
    public func probability(of index: Int) -> Double {
        index == 0 ? cumulative[0] : cumulative[index] - cumulative[index - 1]
    }
}

/// The inverse of the standard normal distribution function (P. J. Acklam's rational approximation,
/// relative error below 1.2e-9), on our own logarithm.
public func standardNormalQuantile(_ p: Double) -> Double {
    precondition(p > 0 && p < 1, "a probability strictly between 0 and 1")
    let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
             -3.066479806614716e+01, 2.506628277459239e+00]
    let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
             -1.328068155288572e+01]
    let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
             4.374664141464968e+00, 2.938163982698783e+00]
    let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    let low = 0.02425
    if p < low {
        let q = (-2 * DeterministicMath.log(p)).squareRoot()
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    }
    if p > 1 - low {
        let q = (-2 * DeterministicMath.log(1 - p)).squareRoot()
        return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    }
    let q = p - 0.5
    let r = q * q
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
}

/// Fast sampling of a continuous distribution by its quantile function: the body comes from a
/// table of 4,096 quantiles with linear interpolation, the two outermost buckets from the exact
/// quantile, so tails keep their true shape. Built once per distribution; a draw costs one uniform.
public struct QuantileSampler: Sendable {
    static let buckets = 4096
    private let table: [Double]
    private let quantile: @Sendable (Double) -> Double

    public init(quantile: @escaping @Sendable (Double) -> Double) {
        self.quantile = quantile
        table = (0...Self.buckets).map { index in
            quantile(min(max(Double(index) / Double(Self.buckets), 1e-12), 1 - 1e-12))
        }
    }

    public func sample(_ random: inout SeededRandom) -> Double {
        let u = random.openUnitDouble() * 0.999_999_999_999_9
        let scaled = u * Double(Self.buckets)
        let index = Int(scaled)
        if index == 0 || index >= Self.buckets - 1 { return quantile(u) }
        let fraction = scaled - Double(index)
        return table[index] + (table[index + 1] - table[index]) * fraction
    }
}
