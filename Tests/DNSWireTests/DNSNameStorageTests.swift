import DNSWire
import Testing

/// `DNSName` keeps names of up to 31 wire octets inline and longer ones in an array: the two forms
/// must be indistinguishable through every operation, at every length around the boundary.
@Suite struct DNSNameStorageTests {
    /// A name of exactly `length` wire octets (labels of mixed case, `seed` varying the letters).
    static func name(length: Int, seed: Int = 0) throws -> DNSName {
        var labels: [[UInt8]] = []
        var remaining = length - 1  // the root octet
        var letter = seed
        while remaining > 0 {
            let size = min(remaining - 1, 9)
            guard size > 0 else { break }
            labels.append((0..<size).map { _ in
                letter += 1
                return UInt8(letter % 2 == 0 ? 0x41 : 0x61) + UInt8(letter % 26)
            })
            remaining -= size + 1
        }
        // A remainder of one octet cannot be a label: lengthen the last label instead.
        if remaining == 1, !labels.isEmpty { labels[labels.count - 1].append(UInt8(ascii: "z")) }
        let name = try DNSName(labels: labels)
        #expect(name.wireCount == length)
        return name
    }

    @Test func everyLengthRoundTripsThroughWireAndText() throws {
        for length in [1] + Array(3...64) {  // no name has 2 octets
            let name = try Self.name(length: length)
            #expect(name.wire.count == length && name.wire.last == 0)
            #expect(name.withWireBytes { Array($0) } == name.wire)
            #expect(try DNSName(wire: name.wire).isIdentical(to: name))
            #expect(DNSName(name.description)?.isIdentical(to: name) == true)
            let copied = name.wire.withUnsafeBufferPointer { DNSName(uncheckedWire: $0) }
            #expect(copied.isIdentical(to: name))
            #expect(name.lowercased.wire == name.wire.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 })
        }
    }

    @Test func equalityHashAndOrderIgnoreTheStorage() throws {
        for length in 26...40 {
            let name = try Self.name(length: length)
            let folded = name.lowercased
            #expect(name == folded && name.hashValue == folded.hashValue && name.foldedDigest == folded.foldedDigest)
            #expect(DNSName.canonicalCompare(name, folded) == 0)
            for other in 26...40 where other != length {
                let different = try Self.name(length: other)
                #expect(name != different)
                #expect(DNSName.canonicalCompare(name, different) == -DNSName.canonicalCompare(different, name))
            }
            let parent = try #require(name.parent)
            #expect(name.isSubdomain(of: parent) && !parent.isSubdomain(of: name))
            #expect(name.suffix(labelCount: name.labelCount - 1).isIdentical(to: parent))
            #expect(try parent.prepending(Array(name.labels[0])).isIdentical(to: name))
        }
    }

    @Test func aNameIsThirtyTwoBytes() {
        #expect(MemoryLayout<DNSName>.size == 32)
        #expect(MemoryLayout<DNSName?>.size == 32)
        #expect(DNSName.inlineCapacity == 31)
    }
}
