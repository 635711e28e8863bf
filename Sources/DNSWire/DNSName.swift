/// A domain name, kept in uncompressed wire form with the case it was given.
///
/// Wire form (RFC 1035 §3.1): length-prefixed labels ending with the zero-length root label.
/// Comparison and hashing ignore ASCII case (RFC 4343); the stored bytes keep it, so names print
/// and encode exactly as received. Ordering is the canonical order of RFC 4034 §6.1.
///
/// Storage: a name of up to `inlineCapacity` (31) wire octets lives in the value itself (32 bytes,
/// no allocation, no reference count); a longer one in an array of its own. Decoding a message
/// therefore allocates nothing per name for the names real traffic carries. `withWireBytes` reads
/// the octets where they are; `wire` copies them into an array.
public struct DNSName: Sendable {
    /// RFC 1035 §2.3.4: at most 255 octets in wire form, labels at most 63.
    public static let maxWireLength = 255
    public static let maxLabelLength = 63
    /// Names up to this many wire octets are stored inline.
    public static let inlineCapacity = 31

    @usableFromInline
    let storage: DNSNameStorage

    /// The uncompressed wire form, ending with a zero octet, in an array of its own (a copy for an
    /// inline name: prefer `withWireBytes` or `wireCount` on hot paths).
    public var wire: [UInt8] {
        switch storage {
        case .heap(let array): array
        case .inline: withWireBytes { Array($0) }
        }
    }

    /// The number of octets of the wire form (1 for the root).
    @inlinable
    public var wireCount: Int {
        switch storage {
        case .inline(let inline): inline.count.value
        case .heap(let array): array.count
        }
    }

    /// Calls `body` with the wire form where it is stored; the pointer is valid only inside `body`.
    @inlinable
    public func withWireBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        switch storage {
        case .inline(let inline):
            return try withUnsafeBytes(of: inline) { raw in
                try body(UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                             count: inline.count.value))
            }
        case .heap(let array):
            return try array.withUnsafeBufferPointer(body)
        }
    }

    /// The root name, ".".
    public static let root = DNSName(uncheckedWire: [0])

    /// Wraps wire bytes the caller has already validated (the reader does, label by label; a
    /// caller that kept a name's octets read earlier may rewrap them).
    public init(uncheckedWire: [UInt8]) {
        assert(uncheckedWire.last == 0 && uncheckedWire.count <= Self.maxWireLength, "invalid name wire")
        if uncheckedWire.count <= Self.inlineCapacity {
            storage = .inline(uncheckedWire.withUnsafeBufferPointer { InlineNameWire($0) })
        } else {
            storage = .heap(uncheckedWire)
        }
    }

    /// Copies validated wire bytes from wherever they are kept (a message buffer, say): inline when
    /// they fit, else into an array of their own.
    public init(uncheckedWire bytes: UnsafeBufferPointer<UInt8>) {
        assert(bytes.last == 0 && bytes.count <= Self.maxWireLength, "invalid name wire")
        if bytes.count <= Self.inlineCapacity {
            storage = .inline(InlineNameWire(bytes))
        } else {
            storage = .heap(Array(bytes))
        }
    }

    /// Builds a name from labels (without the root label).
    public init(labels: [[UInt8]]) throws(DNSNameError) {
        var wire: [UInt8] = []
        for label in labels {
            guard !label.isEmpty else { throw DNSNameError.emptyLabel }
            guard label.count <= Self.maxLabelLength else { throw DNSNameError.labelTooLong }
            wire.append(UInt8(label.count))
            wire.append(contentsOf: label)
        }
        wire.append(0)
        guard wire.count <= Self.maxWireLength else { throw DNSNameError.nameTooLong }
        self.init(uncheckedWire: wire)
    }

    /// Validates and wraps uncompressed wire bytes.
    public init(wire: [UInt8]) throws(DNSNameError) {
        var index = 0
        while true {
            guard index < wire.count else { throw DNSNameError.badWire }
            let length = Int(wire[index])
            if length == 0 { break }
            guard length <= Self.maxLabelLength else { throw DNSNameError.labelTooLong }
            index += 1 + length
        }
        guard index == wire.count - 1 else { throw DNSNameError.badWire }
        guard wire.count <= Self.maxWireLength else { throw DNSNameError.nameTooLong }
        self.init(uncheckedWire: wire)
    }

    public var isRoot: Bool { wireCount == 1 }

    /// The number of labels, not counting the root label.
    public var labelCount: Int {
        withWireBytes(Self.labelCount(ofWire:))
    }

    /// The number of labels of valid uncompressed name wire (not counting the root label).
    @inlinable
    public static func labelCount(ofWire wire: UnsafeBufferPointer<UInt8>) -> Int {
        var count = 0
        var index = 0
        while wire[index] != 0 {
            count += 1
            index += 1 + Int(wire[index])
        }
        return count
    }

    /// The labels from left to right, without the root label.
    public var labels: [ArraySlice<UInt8>] {
        let wire = self.wire
        var result: [ArraySlice<UInt8>] = []
        var index = 0
        while wire[index] != 0 {
            let length = Int(wire[index])
            result.append(wire[(index + 1)..<(index + 1 + length)])
            index += 1 + length
        }
        return result
    }

    /// The name without its leftmost label; the root's parent is nil.
    public var parent: DNSName? {
        guard !isRoot else { return nil }
        return withWireBytes { wire in DNSName(uncheckedWire: UnsafeBufferPointer(rebasing: wire[(1 + Int(wire[0]))...])) }
    }

    /// The leftmost label is `*` (RFC 4592 §2.1.1).
    public var isWildcard: Bool {
        withWireBytes { wire in wire.count >= 3 && wire[0] == 1 && wire[1] == UInt8(ascii: "*") }
    }

    /// This name with `label` prepended.
    public func prepending(_ label: [UInt8]) throws(DNSNameError) -> DNSName {
        guard !label.isEmpty else { throw DNSNameError.emptyLabel }
        guard label.count <= Self.maxLabelLength else { throw DNSNameError.labelTooLong }
        guard wireCount + 1 + label.count <= Self.maxWireLength else { throw DNSNameError.nameTooLong }
        return DNSName(uncheckedWire: [UInt8(label.count)] + label + wire)
    }

    /// The suffix of this name with the given number of labels (0 gives the root).
    public func suffix(labelCount wanted: Int) -> DNSName {
        let total = labelCount
        precondition(wanted >= 0 && wanted <= total, "suffix longer than name")
        guard wanted < total else { return self }
        return withWireBytes { wire in
            var index = 0
            for _ in 0..<(total - wanted) { index += 1 + Int(wire[index]) }
            return DNSName(uncheckedWire: UnsafeBufferPointer(rebasing: wire[index...]))
        }
    }

    /// True when this name equals `other` or lies below it (case-insensitively). Allocates nothing:
    /// it walks to the label boundary where the tails have equal length and compares the tails.
    public func isSubdomain(of other: DNSName) -> Bool {
        withWireBytes { mine in
            other.withWireBytes { theirs in
                let tail = theirs.count
                guard mine.count >= tail else { return false }
                var index = 0
                while mine.count - index > tail {
                    index += 1 + Int(mine[index])
                }
                guard mine.count - index == tail else { return false }
                for offset in 0..<tail where mine[index + offset] != theirs[offset] {
                    if asciiLower(mine[index + offset]) != asciiLower(theirs[offset]) { return false }
                }
                return true
            }
        }
    }

    /// A copy with ASCII letters lowered, as PowerDNS stores names and RFC 4034 §6.2 canonicalises.
    public var lowercased: DNSName {
        switch storage {
        case .inline(let inline):
            // Eight octets at a time; the count octet (at most 31) and the zero padding are not letters.
            let words = unsafeBitCast(inline, to: (UInt64, UInt64, UInt64, UInt64).self)
            let lowered = (Self.lowered(words.0), Self.lowered(words.1), Self.lowered(words.2), Self.lowered(words.3))
            return DNSName(storage: .inline(unsafeBitCast(lowered, to: InlineNameWire.self)))
        case .heap(let array):
            return DNSName(storage: .heap(array.map(asciiLower)))
        }
    }

    @inline(__always)
    private init(storage: DNSNameStorage) {
        self.storage = storage
    }
}

/// Where a `DNSName` keeps its octets: inline up to `DNSName.inlineCapacity`, else in an array.
/// Two cases in 32 bytes: the inline count's unused values tell them apart (no tag byte).
@usableFromInline
enum DNSNameStorage: Sendable {
    case inline(InlineNameWire)
    case heap([UInt8])
}

/// Up to 31 wire octets (the unused ones zero) and their count, in 32 bytes.
@usableFromInline
struct InlineNameWire: Sendable {
    @usableFromInline var words: (UInt64, UInt64, UInt64)
    @usableFromInline var tail: (UInt32, UInt16, UInt8)
    /// At offset 31, after the 31 octets.
    @usableFromInline var count: InlineNameCount

    /// The octets of `bytes` (1 to 31 of them), the rest zero.
    ///
    /// Built in four registers from word loads of `bytes` and stored whole: a name copied in with
    /// byte-sized stores was read back in 16-octet moves when the record holding it was stored,
    /// which store-to-load forwarding cannot serve (a stall per name).
    @inline(__always)
    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        let count = bytes.count
        precondition(count >= 1 && count <= DNSName.inlineCapacity, "an inline name holds 1 to 31 octets")
        guard let base = bytes.baseAddress else { preconditionFailure("a name has octets") }
        let raw = UnsafeRawPointer(base)
        let top = Self.word(raw, count: count, from: 24) | UInt64(count) << 56
        let words = (Self.word(raw, count: count, from: 0).littleEndian, Self.word(raw, count: count, from: 8).littleEndian,
                     Self.word(raw, count: count, from: 16).littleEndian, top.littleEndian)
        // The top octet of the last word is the count, 1...31: the index of a case of `InlineNameCount`.
        self = unsafeBitCast(words, to: InlineNameWire.self)
    }

    /// Octets `start..<min(start + 8, count)` of `base` as a little-endian word (zero above them),
    /// reading nothing outside `base[0..<count]`.
    @inline(__always)
    static func word(_ base: UnsafeRawPointer, count: Int, from start: Int) -> UInt64 {
        let remaining = count - start
        if remaining <= 0 { return 0 }
        if remaining >= 8 { return UInt64(littleEndian: base.loadUnaligned(fromByteOffset: start, as: UInt64.self)) }
        if count >= 8 {
            // The last eight octets, shifted down to the ones wanted.
            let last = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
            return last >> UInt64((8 - remaining) * 8)
        }
        var value: UInt64 = 0
        for index in 0..<remaining {
            value |= UInt64(base.load(fromByteOffset: start + index, as: UInt8.self)) << UInt64(index * 8)
        }
        return value
    }
}

/// The length of an inline name, 1...31 (`c0` is never stored). An enum, not a `UInt8`: its unused
/// values (32...255) are where `DNSNameStorage` keeps its case, so a name stays 32 bytes. A case is
/// stored as its index, so the octet holds the count itself (`value`, and `InlineNameWire.init`).
@usableFromInline
enum InlineNameCount: Sendable {
    case c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15
    case c16, c17, c18, c19, c20, c21, c22, c23, c24, c25, c26, c27, c28, c29, c30, c31

    /// The count.
    @inlinable
    var value: Int { Int(unsafeBitCast(self, to: UInt8.self)) }
}

/// Why a name could not be built.
public enum DNSNameError: Error, Equatable, Hashable, Sendable {
    case emptyLabel
    case labelTooLong
    case nameTooLong
    case badWire
    case badEscape
}

@inline(__always)
func asciiLower(_ byte: UInt8) -> UInt8 {
    byte &- 0x41 < 26 ? byte | 0x20 : byte
}
