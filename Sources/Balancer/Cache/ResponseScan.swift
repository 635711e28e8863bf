import DNSWire

/// What the packet cache needs from a response, read straight off the wire (no decode): the
/// header RCODE and TC bit, the smallest record TTL before the OPT record (dnsdist
/// `getDNSPacketMinTTL`), whether the authority section holds an IN SOA (a NODATA/NXDOMAIN
/// proof), and the offset of every non-OPT record's TTL for aging.
struct ResponseScan: Sendable {
    var rcode: UInt8
    var truncated: Bool
    /// `UInt32.max` when the response has no records.
    var minTTL: UInt32
    var seenAuthoritySOA: Bool
    var ttlOffsets: [Int]

    /// nil when the response is malformed or its (single) question is not `qname`, `qtype`, `qclass`.
    static func scan(_ bytes: [UInt8], qname: DNSName, qtype: RRType, qclass: DNSClass) -> ResponseScan? {
        guard bytes.count >= dnsHeaderLength else { return nil }
        func word(_ at: Int) -> Int { Int(bytes[at]) << 8 | Int(bytes[at + 1]) }
        guard word(4) == 1 else { return nil }
        let answers = word(6)
        let authority = word(8)
        let additional = word(10)
        // The question: uncompressed at offset 12, equal to the query's name (any case).
        let nameCount = qname.wireCount
        let questionEnd = dnsHeaderLength + nameCount + 4
        guard bytes.count >= questionEnd else { return nil }
        let sameName = qname.withWireBytes { name in
            name.indices.allSatisfy { lowerASCII(bytes[dnsHeaderLength + $0]) == lowerASCII(name[$0]) }
        }
        guard sameName else { return nil }
        let typeAt = dnsHeaderLength + nameCount
        guard word(typeAt) == Int(qtype.rawValue), word(typeAt + 2) == Int(qclass.rawValue) else { return nil }

        var scan = ResponseScan(rcode: bytes[3] & 0x0F, truncated: bytes[2] & 0x02 != 0, minTTL: .max,
                                seenAuthoritySOA: false, ttlOffsets: [])
        var position = questionEnd
        var countingTTLs = true
        let total = answers + authority + additional
        if total > 0 { scan.ttlOffsets.reserveCapacity(total) }
        for record in 0..<total {
            guard let afterName = skipName(bytes, at: position), afterName + 10 <= bytes.count else { return nil }
            let type = word(afterName)
            let rrClass = word(afterName + 2)
            let length = word(afterName + 8)
            let end = afterName + 10 + length
            guard end <= bytes.count else { return nil }
            if type == Int(RRType.opt.rawValue) {
                countingTTLs = false  // dnsdist stops looking for the minimum at the OPT record
            } else {
                let ttlAt = afterName + 4
                scan.ttlOffsets.append(ttlAt)
                if countingTTLs {
                    let ttl = UInt32(bytes[ttlAt]) << 24 | UInt32(bytes[ttlAt + 1]) << 16
                        | UInt32(bytes[ttlAt + 2]) << 8 | UInt32(bytes[ttlAt + 3])
                    scan.minTTL = min(scan.minTTL, ttl)
                    let inAuthority = record >= answers && record < answers + authority
                    if inAuthority, type == Int(RRType.soa.rawValue), rrClass == Int(DNSClass.in.rawValue) {
                        scan.seenAuthoritySOA = true
                    }
                }
            }
            position = end
        }
        return scan
    }

    /// The offset just past the (possibly compressed) name at `start`, nil when it runs off the end.
    static func skipName(_ bytes: [UInt8], at start: Int) -> Int? {
        var position = start
        while position < bytes.count {
            let length = bytes[position]
            if length == 0 { return position + 1 }
            switch length & 0xC0 {
            case 0x00: position += 1 + Int(length)
            case 0xC0: return position + 2 <= bytes.count ? position + 2 : nil
            default: return nil
            }
        }
        return nil
    }
}

@inline(__always)
func lowerASCII(_ byte: UInt8) -> UInt8 {
    byte &- 0x41 < 26 ? byte | 0x20 : byte
}
