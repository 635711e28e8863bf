import Determinism
import Testing

@Suite struct DeterministicMathTests {
    @Test(arguments: [1e-300, 1e-10, 0.001, 0.5, 0.7071, 1, 1.5, 2, 10, 12345.678, 1e300])
    func logMatchesTheDefinition(x: Double) {
        let value = DeterministicMath.log(x)
        // exp(log x) == x within a few ulps; exp amplifies log's absolute error by |log x|.
        let back = DeterministicMath.exp(value)
        #expect(abs(back - x) <= x * 2.3e-16 * (4 + abs(value)))
    }

    @Test func knownValues() {
        #expect(DeterministicMath.log(1) == 0)
        #expect(abs(DeterministicMath.log(2) - 0.693_147_180_559_945_3) < 1e-16)
        #expect(abs(DeterministicMath.exp(1) - 2.718_281_828_459_045) < 1e-15)
        #expect(DeterministicMath.exp(0) == 1)
        #expect(abs(DeterministicMath.pow(10, 3) - 1000) < 1e-10)
    }
}

@Suite struct SamplingTests {
    @Test func exponentialMean() {
        var random = SeededRandom(seed: 3)
        let n = 200_000
        let mean = (0..<n).reduce(0.0) { sum, _ in sum + random.exponential(mean: 5) } / Double(n)
        #expect(abs(mean - 5) < 0.05)
    }

    @Test func normalMoments() {
        var random = SeededRandom(seed: 4)
        let samples = (0..<200_000).map { _ in random.normal(mean: 10, standardDeviation: 2) }
        let mean = samples.reduce(0, +) / Double(samples.count)
        let variance = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(samples.count)
        #expect(abs(mean - 10) < 0.02)
        #expect(abs(variance.squareRoot() - 2) < 0.02)
    }

    @Test func zipfFollowsItsLaw() {
        var random = SeededRandom(seed: 5)
        let zipf = ZipfDistribution(count: 1000, exponent: 1.1)
        var counts = [Int](repeating: 0, count: 1000)
        let n = 200_000
        for _ in 0..<n { counts[zipf.sample(&random)] += 1 }
        for rank in [0, 1, 9] {
            let expected = zipf.probability(of: rank) * Double(n)
            #expect(abs(Double(counts[rank]) - expected) < 4 * expected.squareRoot())
        }
        #expect(counts[0] > counts[1] && counts[1] > counts[9])
    }

    @Test func poissonMean() {
        var random = SeededRandom(seed: 6)
        let n = 50_000
        let mean = Double((0..<n).reduce(0) { sum, _ in sum + random.poisson(mean: 3) }) / Double(n)
        #expect(abs(mean - 3) < 0.05)
    }

    @Test func shuffleIsAPermutationAndRepeatable() {
        var a = SeededRandom(seed: 8)
        var b = SeededRandom(seed: 8)
        var x = Array(0..<100)
        var y = Array(0..<100)
        a.shuffle(&x)
        b.shuffle(&y)
        #expect(x == y)
        #expect(x.sorted() == Array(0..<100))
        #expect(x != Array(0..<100))
    }
}

@Suite struct QuantileSamplerTests {
    @Test func probitKnownValues() {
        #expect(abs(standardNormalQuantile(0.5)) < 1e-9)
        #expect(abs(standardNormalQuantile(0.975) - 1.959_963_985) < 1e-7)
        #expect(abs(standardNormalQuantile(0.001) + 3.090_232_306) < 1e-7)
    }

    /// A table-sampled log-normal keeps its median and its upper tail.
    @Test func logNormalThroughTheTable() {
        let sampler = QuantileSampler { p in 2_000_000 * DeterministicMath.exp(0.6 * standardNormalQuantile(p)) }
        var random = SeededRandom(seed: 12)
        var values = (0..<200_000).map { _ in sampler.sample(&random) }
        values.sort()
        #expect(abs(values[100_000] / 2_000_000 - 1) < 0.01)
        // 99.9th percentile: median * e^(0.6 * 3.0902) = 6.38 * median.
        #expect(abs(values[199_800] / (2_000_000 * 6.375) - 1) < 0.05)
    }
}
