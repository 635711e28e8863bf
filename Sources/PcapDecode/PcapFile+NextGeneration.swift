// pcapng blocks (draft-ietf-opsawg-pcapng): Section Header (SHB), Interface Description (IDB),
// Enhanced Packet (EPB), Simple Packet (SPB) and the obsolete Packet Block; every other block type is
// skipped by its length. Each SHB starts a section with its own byte order and interface table.

/// A pcapng interface: what its packet blocks need to become frames.
struct NextGenerationInterface: Sendable {
    var linkType: LinkType
    var snapLength: UInt32
    /// `if_tsresol`: the exponent byte (high bit set = power of two, clear = power of ten).
    var resolution: UInt8 = 6
    /// `if_tsoffset`: seconds added to every timestamp.
    var offsetSeconds: Int64 = 0

    /// Converts a timestamp in this interface's units to nanoseconds since the epoch, saturating.
    func nanoseconds(units: UInt64) -> UInt64 {
        let exponent = Int(resolution & 0x7F)
        var value: UInt128
        if resolution & 0x80 != 0 {
            value = exponent >= 128 ? 0 : (UInt128(units) * 1_000_000_000) >> exponent
        } else if exponent <= 9 {
            value = UInt128(units) * Self.powerOfTen(9 - exponent)
        } else {
            value = exponent - 9 > 38 ? 0 : UInt128(units) / Self.powerOfTen(exponent - 9)
        }
        let shifted = Int128(clamping: value) + Int128(offsetSeconds) * 1_000_000_000
        return UInt64(clamping: shifted)
    }

    private static func powerOfTen(_ exponent: Int) -> UInt128 {
        precondition((0...38).contains(exponent), "10^\(exponent) does not fit in UInt128")
        var result: UInt128 = 1
        for _ in 0..<exponent { result *= 10 }
        return result
    }
}

/// The current pcapng section: byte order and interfaces.
struct NextGenerationSection: Sendable {
    var started = false
    var bigEndian = false
    var interfaces: [NextGenerationInterface] = []
}

extension PcapFile {
    static let sectionHeaderType: UInt32 = 0x0A0D_0D0A
    static let byteOrderMagic: UInt32 = 0x1A2B_3C4D
    static let interfaceDescriptionType: UInt32 = 1
    static let obsoletePacketType: UInt32 = 2
    static let simplePacketType: UInt32 = 3
    static let enhancedPacketType: UInt32 = 6
    /// Interfaces per section; a file declaring more is treated as damaged.
    static let maximumInterfaces = 65_536

    /// Walks blocks until one yields a frame or the file ends.
    mutating func nextBlockFrame() throws(PcapFormatError) -> CapturedFrame? {
        while offset < bytes.count {
            let blockOffset = offset
            let block = try readBlock()
            offset = blockOffset + block.body.count + 12
            if let frame = try handleBlock(type: block.type, body: block.body, at: blockOffset) {
                return frame
            }
        }
        return nil
    }

    /// Reads the block at `offset`, (re)starting the section when it is an SHB, and checks both length fields.
    private mutating func readBlock() throws(PcapFormatError) -> (type: UInt32, body: ArraySlice<UInt8>) {
        let all = bytes[...]
        // The SHB type reads the same in both byte orders; its byte-order magic sets the section's order.
        guard let firstWord = all.getUInt32(at: offset, bigEndian: false) else {
            throw PcapFormatError(offset: offset, reason: .truncatedBlock)
        }
        if firstWord == Self.sectionHeaderType {
            guard let magic = all.getUInt32(at: offset + 8, bigEndian: false) else {
                throw PcapFormatError(offset: offset, reason: .truncatedBlock)
            }
            if magic == Self.byteOrderMagic {
                section = NextGenerationSection(started: true, bigEndian: false)
            } else if magic == Self.byteOrderMagic.byteSwapped {
                section = NextGenerationSection(started: true, bigEndian: true)
            } else {
                throw PcapFormatError(offset: offset, reason: .badByteOrderMagic(magic))
            }
        }
        guard section.started else { throw PcapFormatError(offset: offset, reason: .missingSectionHeader) }
        let order = section.bigEndian
        guard let type = all.getUInt32(at: offset, bigEndian: order),
            let length = all.getUInt32(at: offset + 4, bigEndian: order)
        else {
            throw PcapFormatError(offset: offset, reason: .truncatedBlock)
        }
        guard length >= 12, length % 4 == 0 else {
            throw PcapFormatError(offset: offset, reason: .badBlockLength(length))
        }
        guard let body = all.getSlice(at: offset + 8, length: Int(length) - 12),
            let trailer = all.getUInt32(at: offset + Int(length) - 4, bigEndian: order)
        else {
            throw PcapFormatError(offset: offset, reason: .truncatedBlock)
        }
        guard trailer == length else { throw PcapFormatError(offset: offset, reason: .badBlockLength(trailer)) }
        return (type, body)
    }

    private mutating func handleBlock(
        type: UInt32, body: ArraySlice<UInt8>, at blockOffset: Int
    ) throws(PcapFormatError) -> CapturedFrame? {
        let order = section.bigEndian
        switch type {
        case Self.sectionHeaderType:
            let major = body.getUInt16(at: 4, bigEndian: order) ?? 0
            let minor = body.getUInt16(at: 6, bigEndian: order) ?? 0
            guard major == 1 else {
                throw PcapFormatError(offset: blockOffset, reason: .unsupportedVersion(major: major, minor: minor))
            }
            return nil
        case Self.interfaceDescriptionType:
            try addInterface(body: body, at: blockOffset)
            return nil
        case Self.enhancedPacketType:
            return try enhancedPacket(body: body, at: blockOffset, obsolete: false)
        case Self.obsoletePacketType:
            return try enhancedPacket(body: body, at: blockOffset, obsolete: true)
        case Self.simplePacketType:
            return try simplePacket(body: body, at: blockOffset)
        default:
            return nil
        }
    }

    private mutating func addInterface(body: ArraySlice<UInt8>, at blockOffset: Int) throws(PcapFormatError) {
        let order = section.bigEndian
        guard let linkType = body.getUInt16(at: 0, bigEndian: order),
            let snapLength = body.getUInt32(at: 4, bigEndian: order)
        else {
            throw PcapFormatError(offset: blockOffset, reason: .truncatedBlock)
        }
        guard section.interfaces.count < Self.maximumInterfaces else {
            throw PcapFormatError(offset: blockOffset, reason: .unknownInterface(UInt32(section.interfaces.count)))
        }
        var interface = NextGenerationInterface(linkType: LinkType(rawValue: UInt32(linkType)), snapLength: snapLength)
        var position = 8
        // Options: code, length, value padded to 4 bytes; a damaged option list ends the scan, not the file.
        while let code = body.getUInt16(at: position, bigEndian: order),
            let length = body.getUInt16(at: position + 2, bigEndian: order),
            code != 0,
            let value = body.getSlice(at: position + 4, length: Int(length))
        {
            if code == 9, let byte = value.getUInt8(at: 0) {
                interface.resolution = byte
            } else if code == 14, value.count == 8,
                let high = value.getUInt32(at: 0, bigEndian: order),
                let low = value.getUInt32(at: 4, bigEndian: order)
            {
                let raw = order ? UInt64(high) << 32 | UInt64(low) : UInt64(low) << 32 | UInt64(high)
                interface.offsetSeconds = Int64(bitPattern: raw)
            }
            position += 4 + (Int(length) + 3) / 4 * 4
        }
        section.interfaces.append(interface)
    }

    /// EPB: interface (4), timestamp high/low (4+4), captured and original length (4+4), data.
    /// The obsolete Packet Block has a 2-byte interface and 2-byte drop count in the first word.
    private func enhancedPacket(
        body: ArraySlice<UInt8>, at blockOffset: Int, obsolete: Bool
    ) throws(PcapFormatError) -> CapturedFrame {
        let order = section.bigEndian
        let interfaceID: UInt32? =
            obsolete
            ? body.getUInt16(at: 0, bigEndian: order).map(UInt32.init)
            : body.getUInt32(at: 0, bigEndian: order)
        guard let interfaceID,
            let high = body.getUInt32(at: 4, bigEndian: order),
            let low = body.getUInt32(at: 8, bigEndian: order),
            let capturedLength = body.getUInt32(at: 12, bigEndian: order),
            let originalLength = body.getUInt32(at: 16, bigEndian: order)
        else {
            throw PcapFormatError(offset: blockOffset, reason: .truncatedBlock)
        }
        guard Int(interfaceID) < section.interfaces.count else {
            throw PcapFormatError(offset: blockOffset, reason: .unknownInterface(interfaceID))
        }
        guard let data = body.getSlice(at: 20, length: Int(capturedLength)) else {
            throw PcapFormatError(offset: blockOffset, reason: .badPacketLength(capturedLength))
        }
        let interface = section.interfaces[Int(interfaceID)]
        return CapturedFrame(
            timestampNanoseconds: interface.nanoseconds(units: UInt64(high) << 32 | UInt64(low)),
            linkType: interface.linkType, bytes: data, originalLength: Int(originalLength))
    }

    /// SPB: original length (4), then data cut to the interface's snap length; no timestamp (frame time 0).
    private func simplePacket(body: ArraySlice<UInt8>, at blockOffset: Int) throws(PcapFormatError) -> CapturedFrame {
        guard let interface = section.interfaces.first else {
            throw PcapFormatError(offset: blockOffset, reason: .unknownInterface(0))
        }
        guard let originalLength = body.getUInt32(at: 0, bigEndian: section.bigEndian) else {
            throw PcapFormatError(offset: blockOffset, reason: .truncatedBlock)
        }
        var capturedLength = min(Int(originalLength), body.count - 4)
        if interface.snapLength != 0 {
            capturedLength = min(capturedLength, Int(interface.snapLength))
        }
        guard let data = body.getSlice(at: 4, length: capturedLength) else {
            throw PcapFormatError(offset: blockOffset, reason: .badPacketLength(originalLength))
        }
        return CapturedFrame(
            timestampNanoseconds: 0, linkType: interface.linkType, bytes: data, originalLength: Int(originalLength))
    }
}
