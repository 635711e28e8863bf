import Determinism
import LabMetrics
import Testing

@Suite struct LatencyHistogramTests {
    @Test func exactBelowThePrecisionAndBoundedErrorAbove() {
        var histogram = LatencyHistogram(precisionBits: 10)
        for value in [0, 1, 1023, 1024, 40_000_000, 3_600_000_000_000] as [UInt64] {
            histogram = LatencyHistogram(precisionBits: 10)
            histogram.record(value)
            let reported = histogram.value(atPercentile: 50)
            #expect(reported == value, "the maximum caps the bucket's top value")
        }
        histogram = LatencyHistogram(precisionBits: 10)
        histogram.record(40_000_123)
        histogram.record(50_000_000)
        let p50 = histogram.value(atPercentile: 50)
        #expect(p50 >= 40_000_123 && Double(p50 - 40_000_123) / 40_000_123 < 1.0 / 1024)
    }

    @Test func percentilesOfAUniformSpread() {
        var histogram = LatencyHistogram()
        for value in 1...10_000 as ClosedRange<UInt64> { histogram.record(value * 1_000) }
        for (percentile, expected) in [(50.0, 5_000_000.0), (99.0, 9_900_000.0), (99.9, 9_990_000.0)] {
            let value = Double(histogram.value(atPercentile: percentile))
            #expect(abs(value - expected) / expected < 0.002)
        }
        #expect(histogram.value(atPercentile: 100) == 10_000_000)
        #expect(histogram.mean == 5_000_500)
    }

    @Test func mergeEqualsRecordingBoth() {
        var random = SeededRandom(seed: 1)
        var a = LatencyHistogram()
        var b = LatencyHistogram()
        var both = LatencyHistogram()
        for index in 0..<5_000 {
            let value = random.below(1_000_000_000)
            if index % 2 == 0 { a.record(value) } else { b.record(value) }
            both.record(value)
        }
        a.merge(b)
        #expect(a == both)
        #expect(a.value(atPercentile: 99) == both.value(atPercentile: 99))
    }
}
