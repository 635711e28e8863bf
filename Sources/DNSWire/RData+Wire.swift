extension RData {
    /// Decodes RDATA of `type`; `reader.limit` already ends at the end of the RDATA.
    ///
    /// Names inside RDATA may be compressed on receipt whatever the type (a lenient receiver, as
    /// dnspython and PowerDNS are); we compress only RFC 1035 types on encode (RFC 3597 §4).
    static func decode(
        type: RRType, class rrClass: DNSClass, from reader: inout WireReader
    ) throws(DNSDecodeError) -> RData {
        if reader.isAtEnd && (rrClass == .any || rrClass == .none) { return .empty(type) }
        switch type {
        case .a: return .a(IPv4Address(try reader.readUInt32()))
        case .aaaa: return .aaaa(try decodeAAAA(&reader))
        case .ns: return .ns(try reader.readName())
        case .cname: return .cname(try reader.readName())
        case .ptr: return .ptr(try reader.readName())
        case .soa: return .soa(try decodeSOA(&reader))
        case .mx: return .mx(preference: try reader.readUInt16(), exchange: try reader.readName())
        case .txt: return .txt(try decodeTXT(&reader))
        case .srv:
            return .srv(SRV(priority: try reader.readUInt16(), weight: try reader.readUInt16(),
                            port: try reader.readUInt16(), target: try reader.readName()))
        case .caa: return .caa(try decodeCAA(&reader))
        case .svcb: return .svcb(try decodeSVCB(&reader, type: type))
        case .https: return .https(try decodeSVCB(&reader, type: type))
        case .ds:
            return .ds(DS(keyTag: try reader.readUInt16(), algorithm: try reader.readUInt8(),
                          digestType: try reader.readUInt8(), digest: reader.readRest()))
        case .dnskey:
            return .dnskey(DNSKEY(flags: try reader.readUInt16(), proto: try reader.readUInt8(),
                                  algorithm: try reader.readUInt8(), publicKey: reader.readRest()))
        case .rrsig: return .rrsig(try decodeRRSIG(&reader))
        case .nsec:
            let next = try reader.readName()
            return .nsec(NSEC(next: next, types: try TypeBitmap.decode(&reader, type: type)))
        case .nsec3: return .nsec3(try decodeNSEC3(&reader))
        case .tsig: return .tsig(try decodeTSIG(&reader))
        default: return .unknown(type, reader.readRest())
        }
    }

    private static func decodeAAAA(_ reader: inout WireReader) throws(DNSDecodeError) -> IPv6Address {
        let high = UInt64(try reader.readUInt32()) << 32 | UInt64(try reader.readUInt32())
        let low = UInt64(try reader.readUInt32()) << 32 | UInt64(try reader.readUInt32())
        return IPv6Address(high: high, low: low)
    }

    private static func decodeSOA(_ reader: inout WireReader) throws(DNSDecodeError) -> SOA {
        SOA(mname: try reader.readName(), rname: try reader.readName(), serial: try reader.readUInt32(),
            refresh: try reader.readUInt32(), retry: try reader.readUInt32(), expire: try reader.readUInt32(),
            minimum: try reader.readUInt32())
    }

    private static func decodeTXT(_ reader: inout WireReader) throws(DNSDecodeError) -> [[UInt8]] {
        var strings: [[UInt8]] = []
        repeat {
            strings.append(try reader.readCharacterString())
        } while !reader.isAtEnd
        return strings
    }

    private static func decodeCAA(_ reader: inout WireReader) throws(DNSDecodeError) -> CAA {
        let start = reader.offset
        let flags = try reader.readUInt8()
        let tag = try reader.readCharacterString()
        // RFC 8659 §4.1.1: the tag is 1-15 letters and digits.
        guard !tag.isEmpty, tag.count <= 15, tag.allSatisfy(isAlphanumeric) else {
            throw DNSDecodeError(.invalidRData(.caa, "tag"), at: start + 1)
        }
        return CAA(flags: flags, tag: tag, value: reader.readRest())
    }

    private static func decodeSVCB(_ reader: inout WireReader, type: RRType) throws(DNSDecodeError) -> SVCB {
        let priority = try reader.readUInt16()
        let target = try reader.readName()
        var params: [SVCParam] = []
        var previousKey: Int = -1
        while !reader.isAtEnd {
            let at = reader.offset
            let key = try reader.readUInt16()
            // RFC 9460 §2.2: keys strictly increasing.
            guard Int(key) > previousKey else { throw DNSDecodeError(.invalidRData(type, "key order"), at: at) }
            previousKey = Int(key)
            let length = try reader.readUInt16()
            params.append(SVCParam(key: key, value: try reader.readBytes(Int(length))))
        }
        return SVCB(priority: priority, target: target, params: params)
    }

    private static func decodeRRSIG(_ reader: inout WireReader) throws(DNSDecodeError) -> RRSIG {
        RRSIG(typeCovered: RRType(try reader.readUInt16()), algorithm: try reader.readUInt8(),
              labels: try reader.readUInt8(), originalTTL: try reader.readUInt32(),
              expiration: try reader.readUInt32(), inception: try reader.readUInt32(),
              keyTag: try reader.readUInt16(), signer: try reader.readName(), signature: reader.readRest())
    }

    private static func decodeNSEC3(_ reader: inout WireReader) throws(DNSDecodeError) -> NSEC3 {
        let algorithm = try reader.readUInt8()
        let flags = try reader.readUInt8()
        let iterations = try reader.readUInt16()
        let salt = try reader.readCharacterString()
        let next = try reader.readCharacterString()
        guard !next.isEmpty else { throw DNSDecodeError(.invalidRData(.nsec3, "empty hash"), at: reader.offset) }
        let types = try TypeBitmap.decode(&reader, type: .nsec3)
        return NSEC3(hashAlgorithm: algorithm, flags: flags, iterations: iterations, salt: salt,
                     nextHashedOwner: next, types: types)
    }

    private static func decodeTSIG(_ reader: inout WireReader) throws(DNSDecodeError) -> TSIG {
        let algorithm = try reader.readName()
        let time = UInt64(try reader.readUInt16()) << 32 | UInt64(try reader.readUInt32())
        let fudge = try reader.readUInt16()
        let mac = try reader.readBytes(Int(try reader.readUInt16()))
        let originalID = try reader.readUInt16()
        let error = try reader.readUInt16()
        let other = try reader.readBytes(Int(try reader.readUInt16()))
        return TSIG(algorithm: algorithm, timeSigned: time, fudge: fudge, mac: mac, originalID: originalID,
                    error: error, otherData: other)
    }
}

extension RData {
    /// Appends the RDATA (without RDLENGTH).
    func encode(into writer: inout WireWriter) throws(DNSEncodeError) {
        switch self {
        case .a(let address): writer.writeUInt32(address.value)
        case .aaaa(let address):
            writer.writeUInt32(UInt32(truncatingIfNeeded: address.high >> 32))
            writer.writeUInt32(UInt32(truncatingIfNeeded: address.high))
            writer.writeUInt32(UInt32(truncatingIfNeeded: address.low >> 32))
            writer.writeUInt32(UInt32(truncatingIfNeeded: address.low))
        case .ns(let name), .cname(let name), .ptr(let name): writer.writeName(name)
        case .soa(let soa):
            writer.writeName(soa.mname)
            writer.writeName(soa.rname)
            for value in [soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum] { writer.writeUInt32(value) }
        case .mx(let preference, let exchange):
            writer.writeUInt16(preference)
            writer.writeName(exchange)
        case .txt(let strings):
            for string in strings { try writer.writeCharacterString(string) }
        case .srv(let srv):
            writer.writeUInt16(srv.priority)
            writer.writeUInt16(srv.weight)
            writer.writeUInt16(srv.port)
            writer.writeName(srv.target, compress: false)
        case .caa(let caa):
            writer.writeUInt8(caa.flags)
            try writer.writeCharacterString(caa.tag)
            writer.writeBytes(caa.value)
        case .svcb(let svcb), .https(let svcb): try svcb.encode(into: &writer)
        case .ds(let ds):
            writer.writeUInt16(ds.keyTag)
            writer.writeUInt8(ds.algorithm)
            writer.writeUInt8(ds.digestType)
            writer.writeBytes(ds.digest)
        case .dnskey(let key):
            writer.writeUInt16(key.flags)
            writer.writeUInt8(key.proto)
            writer.writeUInt8(key.algorithm)
            writer.writeBytes(key.publicKey)
        case .rrsig(let sig): sig.encode(into: &writer)
        case .nsec(let nsec):
            writer.writeName(nsec.next, compress: false)
            TypeBitmap.encode(nsec.types, into: &writer)
        case .nsec3(let nsec3): try nsec3.encode(into: &writer)
        case .tsig(let tsig): try tsig.encode(into: &writer)
        case .unknown(_, let bytes): writer.writeBytes(bytes)
        case .empty: break
        }
    }
}

extension SVCB {
    func encode(into writer: inout WireWriter) throws(DNSEncodeError) {
        writer.writeUInt16(priority)
        writer.writeName(target, compress: false)
        for param in params {
            guard param.value.count <= 0xFFFF else { throw DNSEncodeError.rdataTooLarge(.svcb) }
            writer.writeUInt16(param.key)
            writer.writeUInt16(UInt16(param.value.count))
            writer.writeBytes(param.value)
        }
    }
}

extension RRSIG {
    func encode(into writer: inout WireWriter) {
        writer.writeUInt16(typeCovered.rawValue)
        writer.writeUInt8(algorithm)
        writer.writeUInt8(labels)
        writer.writeUInt32(originalTTL)
        writer.writeUInt32(expiration)
        writer.writeUInt32(inception)
        writer.writeUInt16(keyTag)
        writer.writeName(signer, compress: false)
        writer.writeBytes(signature)
    }
}

extension NSEC3 {
    func encode(into writer: inout WireWriter) throws(DNSEncodeError) {
        writer.writeUInt8(hashAlgorithm)
        writer.writeUInt8(flags)
        writer.writeUInt16(iterations)
        try writer.writeCharacterString(salt)
        try writer.writeCharacterString(nextHashedOwner)
        TypeBitmap.encode(types, into: &writer)
    }
}

extension TSIG {
    func encode(into writer: inout WireWriter) throws(DNSEncodeError) {
        guard timeSigned < 1 << 48 else { throw DNSEncodeError.valueOutOfRange("TSIG time signed") }
        guard mac.count <= 0xFFFF, otherData.count <= 0xFFFF else { throw DNSEncodeError.rdataTooLarge(.tsig) }
        writer.writeName(algorithm, compress: false)
        writer.writeUInt16(UInt16(truncatingIfNeeded: timeSigned >> 32))
        writer.writeUInt32(UInt32(truncatingIfNeeded: timeSigned))
        writer.writeUInt16(fudge)
        writer.writeUInt16(UInt16(mac.count))
        writer.writeBytes(mac)
        writer.writeUInt16(originalID)
        writer.writeUInt16(error)
        writer.writeUInt16(UInt16(otherData.count))
        writer.writeBytes(otherData)
    }
}

/// The type bit maps of NSEC and NSEC3 (RFC 4034 §4.1.2).
enum TypeBitmap {
    static func decode(_ reader: inout WireReader, type: RRType) throws(DNSDecodeError) -> [RRType] {
        var types: [RRType] = []
        var previousWindow = -1
        while !reader.isAtEnd {
            let at = reader.offset
            let window = Int(try reader.readUInt8())
            let length = Int(try reader.readUInt8())
            guard window > previousWindow, length >= 1, length <= 32 else {
                throw DNSDecodeError(.invalidRData(type, "type bitmap"), at: at)
            }
            previousWindow = window
            let bits = try reader.readBytes(length)
            for (index, byte) in bits.enumerated() where byte != 0 {
                for bit in 0..<8 where byte & (0x80 >> bit) != 0 {
                    types.append(RRType(UInt16(window << 8 | index * 8 + bit)))
                }
            }
        }
        return types
    }

    static func encode(_ types: [RRType], into writer: inout WireWriter) {
        var index = 0
        while index < types.count {
            let window = types[index].rawValue >> 8
            var bits = [UInt8](repeating: 0, count: 32)
            var used = 0
            while index < types.count && types[index].rawValue >> 8 == window {
                let low = Int(types[index].rawValue & 0xFF)
                bits[low / 8] |= 0x80 >> UInt8(low % 8)
                used = max(used, low / 8 + 1)
                index += 1
            }
            writer.writeUInt8(UInt8(window))
            writer.writeUInt8(UInt8(used))
            writer.writeBytes(bits[0..<used])
        }
    }
}

@inline(__always)
func isAlphanumeric(_ byte: UInt8) -> Bool {
    isDigit(byte) || (byte | 0x20) &- 0x61 < 26
}
