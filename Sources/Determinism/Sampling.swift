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
