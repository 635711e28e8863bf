import Determinism
import Testing

@Suite struct UInt64MapTests {
    /// Random inserts, overwrites and removals agree with a Dictionary at every step.
    @Test func behavesLikeADictionary() {
        var random = SeededRandom(seed: 11)
        var map = UInt64Map<Int>()
        var reference: [UInt64: Int] = [:]
        for step in 0..<50_000 {
            let key = random.below(2_000) &* 0x1_0000_0001
            switch random.below(3) {
            case 0, 1:
                map[key] = step
                reference[key] = step
            default:
                #expect(map.removeValue(forKey: key) == reference.removeValue(forKey: key))
            }
            if step % 997 == 0 {
                #expect(map.count == reference.count)
                for probe in 0..<2_000 as Range<UInt64> {
                    let k = probe &* 0x1_0000_0001
                    #expect(map[k] == reference[k])
                }
            }
        }
        map.removeAll()
        #expect(map.isEmpty && map[0] == nil)
    }
}
