import Determinism
import Testing

@Suite struct SeededRandomTests {
    @Test func sameSeedSameStreamInEveryProcess() {
        var generator = SeededRandom(seed: 42)
        // Fixed values: a change here changes every recorded run, so it must be deliberate.
        let first = (0..<3).map { _ in generator.next() }
        var again = SeededRandom(seed: 42)
        #expect((0..<3).map { _ in again.next() } == first)
        #expect(StableHash.fnv1a64("") == 0xCBF2_9CE4_8422_2325)
        #expect(StableHash.fnv1a64("a") == 0xAF63_DC4C_8601_EC8C)
    }

    @Test func labelledStreamsDiffer() {
        var a = SeededRandom(seed: 1, label: "resolvers")
        var b = SeededRandom(seed: 1, label: "attackers")
        #expect(a.next() != b.next())
    }

    @Test func boundedDrawsStayInRange() {
        var generator = SeededRandom(seed: 7)
        for _ in 0..<10_000 {
            #expect(generator.below(10) < 10)
            #expect((-5...5).contains(generator.int(in: -5...5)))
            let unit = generator.unitDouble()
            #expect(unit >= 0 && unit < 1)
        }
    }

    @Test func chanceMatchesItsProbability() {
        var generator = SeededRandom(seed: 9)
        let hits = (0..<100_000).filter { _ in generator.chance(partsPerMillion: 10_000) }.count
        // 1% of 100,000 = 1,000; a 99.9% binomial bound is about ±103.
        #expect(abs(hits - 1_000) < 110)
    }
}
