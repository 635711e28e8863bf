/// Deterministic pseudo-random numbers and the sampling code on top of them.
///
/// We own both the generator and the sampling (STYLE.md §4.2): the standard library documents that
/// its algorithms may change between releases, and a run must be a pure function of its seed.
/// The generator is xoshiro256** (Blackman and Vigna), seeded through SplitMix64.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// A generator for `seed`.
    public init(seed: UInt64) {
        var mixer = SplitMix64(state: seed)
        s0 = mixer.next()
        s1 = mixer.next()
        s2 = mixer.next()
        s3 = mixer.next()
    }

    /// A generator for the stream named `label` under `seed`: streams with different labels are
    /// independent, so adding a component does not shift the draws of the others.
    public init(seed: UInt64, label: String) {
        self.init(seed: seed ^ StableHash.fnv1a64(label))
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    /// A uniform integer in `0..<bound` without modulo bias (Lemire's method).
    public mutating func below(_ bound: UInt64) -> UInt64 {
        precondition(bound > 0, "empty range")
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return product.high
    }

    /// A uniform integer in `range`.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        let width = UInt64(bitPattern: Int64(range.upperBound &- range.lowerBound)) &+ 1
        if width == 0 { return Int(bitPattern: UInt(next())) }
        return range.lowerBound &+ Int(bitPattern: UInt(below(width)))
    }

    /// True with probability `partsPerMillion` / 1,000,000 (STYLE.md §4.7: integer probabilities).
    public mutating func chance(partsPerMillion: UInt32) -> Bool {
        below(1_000_000) < UInt64(partsPerMillion)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func unitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// `count` random octets.
    public mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }

    /// A uniformly chosen element (Fisher-Yates style index draw), nil for an empty collection.
    public mutating func element<C: RandomAccessCollection>(of collection: C) -> C.Element? {
        guard !collection.isEmpty else { return nil }
        let offset = Int(below(UInt64(collection.count)))
        return collection[collection.index(collection.startIndex, offsetBy: offset)]
    }
}

@inline(__always)
private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

/// SplitMix64, used to expand one seed into generator state.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A hash that is the same in every process (Swift's `Hasher` is seeded per process).
public enum StableHash {
    /// FNV-1a, 64 bits, over the UTF-8 bytes of `text`.
    public static func fnv1a64(_ text: String) -> UInt64 {
        fnv1a64(bytes: text.utf8)
    }

    /// A fast digest of `bytes[start..<end]` mixed with `seed`, eight octets at a time: for hot-path
    /// keys (packet cache, verdicts, trace). Not cryptographic; the same in every process.
    public static func words64(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil, seed: UInt64 = 0) -> UInt64 {
        let stop = end ?? bytes.count
        precondition(start >= 0 && start <= stop && stop <= bytes.count, "range inside the bytes")
        var state: UInt64 = 0xCBF2_9CE4_8422_2325 ^ seed
        bytes.withUnsafeBytes { raw in
            var offset = start
            while offset + 8 <= stop {
                state = (state ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                    &* 0x0000_0100_0000_01B3
                state ^= state >> 29
                offset += 8
            }
            while offset < stop {
                state = (state ^ UInt64(raw[offset])) &* 0x0000_0100_0000_01B3
                offset += 1
            }
        }
        return state
    }

    public static func fnv1a64(bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
