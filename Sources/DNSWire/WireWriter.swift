/// An append-only buffer that builds a DNS message, with name compression (RFC 1035 §4.1.4).
///
/// `write…` appends and `set…(at:)` overwrites (STYLE.md §7). A writer can be reset and reused so a
/// hot path encodes without allocating (`removeAll(keepingCapacity:)` on both buffers).
public struct WireWriter: Sendable {
    public private(set) var bytes: [UInt8]
    /// Offsets of names and name suffixes already written, with their uncompressed lengths, that
    /// later names may point to. Only offsets below 0x4000 fit in a pointer.
    private var compressionTargets: [(offset: UInt16, wireLength: UInt16)]
    /// Compression is on by default; AXFR tests and canonical forms (RFC 4034 §6.2) turn it off.
    public var compressionEnabled: Bool

    public init(capacity: Int = 512, compression: Bool = true) {
        bytes = []
        bytes.reserveCapacity(capacity)
        compressionTargets = []
        compressionTargets.reserveCapacity(16)
        compressionEnabled = compression
    }

    /// Empties the writer but keeps its storage for the next message.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        compressionTargets.removeAll(keepingCapacity: true)
    }

    public var count: Int { bytes.count }

    @inline(__always) public mutating func writeUInt8(_ value: UInt8) { bytes.append(value) }

    @inline(__always) public mutating func writeUInt16(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    @inline(__always) public mutating func writeUInt32(_ value: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    public mutating func writeBytes(_ value: some Collection<UInt8>) { bytes.append(contentsOf: value) }

    public mutating func setUInt16(_ value: UInt16, at offset: Int) {
        precondition(offset + 2 <= bytes.count, "setUInt16 past the end")
        bytes[offset] = UInt8(truncatingIfNeeded: value >> 8)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    public mutating func writeCharacterString(_ value: [UInt8]) throws(DNSEncodeError) {
        guard value.count <= 255 else { throw DNSEncodeError.characterStringTooLong }
        bytes.append(UInt8(value.count))
        bytes.append(contentsOf: value)
    }

    /// Writes a name, compressed against earlier names when `compress` is true and compression is on.
    ///
    /// Only exact (case-sensitive) suffix matches are used, so a decoder sees every name with the
    /// case it was given: case is preserved end to end.
    public mutating func writeName(_ name: DNSName, compress: Bool = true) {
        let useTable = compress && compressionEnabled
        name.withWireBytes { wire in
            var labelStart = 0
            while wire[labelStart] != 0 {
                if useTable, let target = findSuffix(wire, from: labelStart) {
                    rememberLabels(of: wire, upTo: labelStart)
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: wire[0..<labelStart]))
                    writeUInt16(0xC000 | target)
                    return
                }
                labelStart += 1 + Int(wire[labelStart])
            }
            if useTable { rememberLabels(of: wire, upTo: labelStart) }
            bytes.append(contentsOf: wire)
        }
    }

    /// Records each label of `wire` before `end` as a suffix that later names may point to.
    private mutating func rememberLabels(of wire: UnsafeBufferPointer<UInt8>, upTo end: Int) {
        let base = bytes.count
        var index = 0
        while index < end {
            let offset = base + index
            guard offset < 0x4000 else { return }
            compressionTargets.append((UInt16(offset), UInt16(wire.count - index)))
            index += 1 + Int(wire[index])
        }
    }

    /// The offset of an earlier name equal, byte for byte, to the suffix of `wire` at `start`.
    private func findSuffix(_ wire: UnsafeBufferPointer<UInt8>, from start: Int) -> UInt16? {
        let wanted = UInt16(wire.count - start)
        for target in compressionTargets where target.wireLength == wanted {
            if suffixMatches(wire, from: start, at: Int(target.offset)) { return target.offset }
        }
        return nil
    }

    /// Compares an uncompressed name suffix with the (possibly compressed) name written at `offset`.
    private func suffixMatches(_ wire: UnsafeBufferPointer<UInt8>, from start: Int, at offset: Int) -> Bool {
        var i = start
        var j = offset
        while true {
            var length = bytes[j]
            while length & 0xC0 == 0xC0 {
                j = Int(length & 0x3F) << 8 | Int(bytes[j + 1])
                length = bytes[j]
            }
            guard wire[i] == length else { return false }
            if length == 0 { return true }
            for k in 1...Int(length) where wire[i + k] != bytes[j + k] { return false }
            i += 1 + Int(length)
            j += 1 + Int(length)
        }
    }
}
