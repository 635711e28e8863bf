// Bounds-checked big- and little-endian readers over byte slices.
//
// Every capture decoder in this target reads through these helpers, so no input can index out of range:
// a read past the end returns `nil` and the caller turns that into a typed error or a counted skip.
// Offsets are relative to the start of the slice (slices of a larger buffer keep their parent's indices).
//
// The frame decoders (link layer, IP, UDP, TCP headers) read an `UnsafeBufferPointer` over the frame
// instead: a view with no reference count, so passing and returning it costs no retain and release. A
// view is valid only inside the `withUnsafeBufferPointer` call of `DNSExtractor.process`; whatever is
// kept beyond it (fragments, TCP segments, messages) is copied into an array of its own.

/// The integer readers, shared by array slices and buffer views (both index from `startIndex`).
protocol ByteView: RandomAccessCollection where Element == UInt8, Index == Int {}

extension ArraySlice: ByteView where Element == UInt8 {}
extension UnsafeBufferPointer: ByteView where Element == UInt8 {}

extension ByteView {
    /// The byte `offset` bytes from the start, or `nil` past the end.
    @inline(__always)
    func getUInt8(at offset: Int) -> UInt8? {
        guard offset >= 0, offset < count else { return nil }
        return self[startIndex + offset]
    }

    /// A 16-bit integer at `offset`, or `nil` if fewer than 2 bytes remain there.
    @inline(__always)
    func getUInt16(at offset: Int, bigEndian: Bool = true) -> UInt16? {
        guard offset >= 0, count - offset >= 2 else { return nil }
        let first = UInt16(self[startIndex + offset])
        let second = UInt16(self[startIndex + offset + 1])
        return bigEndian ? first << 8 | second : second << 8 | first
    }

    /// A 32-bit integer at `offset`, or `nil` if fewer than 4 bytes remain there.
    @inline(__always)
    func getUInt32(at offset: Int, bigEndian: Bool = true) -> UInt32? {
        guard offset >= 0, count - offset >= 4 else { return nil }
        var value: UInt32 = 0
        for index in 0..<4 {
            let byte = UInt32(self[startIndex + offset + (bigEndian ? index : 3 - index)])
            value = value << 8 | byte
        }
        return value
    }
}

extension ArraySlice where Element == UInt8 {
    /// The `length` bytes starting at `offset`, or `nil` if they are not all present.
    @inline(__always)
    func getSlice(at offset: Int, length: Int) -> ArraySlice<UInt8>? {
        guard offset >= 0, length >= 0, count - offset >= length else { return nil }
        return self[(startIndex + offset)..<(startIndex + offset + length)]
    }

    /// The bytes from `offset` to the end, or `nil` if `offset` is past the end.
    @inline(__always)
    func getSlice(from offset: Int) -> ArraySlice<UInt8>? {
        guard offset >= 0, offset <= count else { return nil }
        return self[(startIndex + offset)...]
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// The `length` bytes starting at `offset`, or `nil` if they are not all present.
    @inline(__always)
    func getSlice(at offset: Int, length: Int) -> UnsafeBufferPointer<UInt8>? {
        guard offset >= 0, length >= 0, count - offset >= length else { return nil }
        return UnsafeBufferPointer(rebasing: self[offset..<(offset + length)])
    }

    /// The bytes from `offset` to the end, or `nil` if `offset` is past the end.
    @inline(__always)
    func getSlice(from offset: Int) -> UnsafeBufferPointer<UInt8>? {
        guard offset >= 0, offset <= count else { return nil }
        return UnsafeBufferPointer(rebasing: self[offset...])
    }

    /// The first `length` bytes (all of them when there are fewer).
    @inline(__always)
    func getPrefix(_ length: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: self[..<Swift.max(0, Swift.min(length, count))])
    }
}
