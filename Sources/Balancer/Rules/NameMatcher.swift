import DNSWire
import Determinism

/// A compiled name set for `QName`/`QNameSet` (exact) and `QNameSuffix` (the qname or any of its
/// ancestors). Names are stored lowered in wire form. A query name is compared only at the label
/// boundaries whose tail length some stored name has (a 256-bit length mask); small sets are
/// compared byte by byte, large ones through a hash of each tail taken right to left, so one
/// backward pass hashes every suffix of the query name. Nothing allocates per match. A final
/// class, immutable after construction, so that rule evaluation borrows it instead of copying
/// its arrays (and their reference counts).
final class NameMatcher: Sendable {
    /// Sets at most this large are compared linearly.
    static let linearLimit = 8

    let suffixMatch: Bool
    private let names: [[UInt8]]
    private let lengthMask: (UInt64, UInt64, UInt64, UInt64)
    /// Hash of a lowered wire name (taken right to left) to the first entry with that hash;
    /// `chain` links further entries with the same hash.
    private let index: UInt64Map<Int32>
    private let chain: [Int32]
    private let hashed: Bool

    init(_ input: [DNSName], suffix: Bool) {
        var unique: [[UInt8]] = []
        for name in input {
            let lowered = name.lowercased.wire
            if !unique.contains(lowered) { unique.append(lowered) }
        }
        names = unique
        suffixMatch = suffix
        hashed = unique.count > Self.linearLimit
        var mask: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        for wire in unique {
            let bit = UInt64(1) << UInt64(wire.count & 63)
            switch wire.count >> 6 {
            case 0: mask.0 |= bit
            case 1: mask.1 |= bit
            case 2: mask.2 |= bit
            default: mask.3 |= bit
            }
        }
        lengthMask = mask
        var index = UInt64Map<Int32>()
        var chain: [Int32] = []
        if hashed {
            chain = [Int32](repeating: -1, count: unique.count)
            for (position, wire) in unique.enumerated() {
                let key = wire.withUnsafeBufferPointer { Self.backwardHash($0, from: 0) }
                if let head = index[key] { chain[position] = head }
                index[key] = Int32(position)
            }
        }
        self.index = index
        self.chain = chain
    }

    var isEmpty: Bool { names.isEmpty }

    @inline(__always)
    private func hasLength(_ length: Int) -> Bool {
        let word: UInt64
        switch length >> 6 {
        case 0: word = lengthMask.0
        case 1: word = lengthMask.1
        case 2: word = lengthMask.2
        default: word = lengthMask.3
        }
        return word & (UInt64(1) << UInt64(length & 63)) != 0
    }

    func matches(_ name: DNSName) -> Bool {
        name.withWireBytes { matches(wire: $0) }
    }

    /// `matches` on a name's wire octets wherever they are kept.
    func matches(wire: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !names.isEmpty else { return false }
        if !suffixMatch {
            guard hasLength(wire.count) else { return false }
            return hashed ? hashedLookup(wire, from: 0, hash: Self.backwardHash(wire, from: 0))
                : linearLookup(wire, from: 0)
        }
        if !hashed {
            var offset = 0
            while true {
                if hasLength(wire.count - offset) && linearLookup(wire, from: offset) { return true }
                let length = Int(wire[offset])
                if length == 0 { return false }
                offset += 1 + length
            }
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { boundaries in
            var count = 0
            var offset = 0
            var candidate = false
            while true {
                boundaries[count] = UInt8(offset)
                count += 1
                candidate = candidate || hasLength(wire.count - offset)
                let length = Int(wire[offset])
                if length == 0 { break }
                offset += 1 + length
            }
            // Most names have no tail of a stored length: skip hashing them.
            guard candidate else { return false }
            // One pass right to left: when the pass reaches a label boundary, `state` is the
            // hash of the tail that starts there.
            var state = Self.hashSeed
            var position = wire.count - 1
            var next = count - 1
            while next >= 0 {
                let boundary = Int(boundaries[next])
                while position >= boundary {
                    state = Self.mix(state, wire[position])
                    position -= 1
                }
                if hasLength(wire.count - boundary) && hashedLookup(wire, from: boundary, hash: state) {
                    return true
                }
                next -= 1
            }
            return false
        }
    }

    private func linearLookup(_ wire: UnsafeBufferPointer<UInt8>, from offset: Int) -> Bool {
        let tail = wire.count - offset
        for candidate in names where candidate.count == tail {
            if Self.equalFolded(wire, from: offset, candidate) { return true }
        }
        return false
    }

    private func hashedLookup(_ wire: UnsafeBufferPointer<UInt8>, from offset: Int, hash: UInt64) -> Bool {
        guard var slot = index[hash] else { return false }
        while slot >= 0 {
            let candidate = names[Int(slot)]
            if candidate.count == wire.count - offset && Self.equalFolded(wire, from: offset, candidate) { return true }
            slot = chain[Int(slot)]
        }
        return false
    }

    @inline(__always)
    private static func equalFolded(_ wire: UnsafeBufferPointer<UInt8>, from offset: Int, _ lowered: [UInt8]) -> Bool {
        lowered.withUnsafeBufferPointer { candidate in
            for index in 0..<candidate.count where fold(wire[offset + index]) != candidate[index] { return false }
            return true
        }
    }

    @inline(__always)
    static func fold(_ byte: UInt8) -> UInt8 { byte &- 0x41 < 26 ? byte | 0x20 : byte }

    static let hashSeed: UInt64 = 0xCBF2_9CE4_8422_2325

    @inline(__always)
    static func mix(_ state: UInt64, _ byte: UInt8) -> UInt64 {
        (state ^ UInt64(fold(byte))) &* 0x0000_0100_0000_01B3
    }

    /// FNV-1a over the lowered octets from the last down to `offset`.
    static func backwardHash(_ wire: UnsafeBufferPointer<UInt8>, from offset: Int) -> UInt64 {
        var state = hashSeed
        var position = wire.count - 1
        while position >= offset {
            state = mix(state, wire[position])
            position -= 1
        }
        return state
    }
}
