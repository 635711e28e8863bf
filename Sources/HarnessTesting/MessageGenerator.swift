import DNSWire
import Determinism

/// Random, valid DNS messages drawn from a seeded generator, for property and differential tests.
///
/// Every message obeys what strict parsers (dnspython) check: one TTL per RRset, no duplicate
/// records, SvcParams sorted and consistent, DS digests of their type's length, OPT and TSIG in
/// place. The same seed gives the same messages in every process.
public struct MessageGenerator {
    public var random: SeededRandom
    private var names: [DNSName] = []
    private var ttlByRRSet: [RRSetKey: UInt32] = [:]

    private struct RRSetKey: Hashable {
        var name: DNSName
        var type: RRType
        var rrClass: DNSClass
    }

    public init(seed: UInt64) {
        random = SeededRandom(seed: seed, label: "message-generator")
    }

    /// The next random message.
    public mutating func message() -> Message {
        names = (0..<random.int(in: 1...6)).map { _ in randomName() }
        ttlByRRSet = [:]
        let opcode = [Opcode.query, .query, .query, .notify, .update][random.int(in: 0...4)]
        var message = Message(id: UInt16(truncatingIfNeeded: random.next()),
                              flags: HeaderFlags(rawValue: UInt16(truncatingIfNeeded: random.next())),
                              opcode: opcode)
        message.edns = random.chance(partsPerMillion: 600_000) ? randomEDNS() : nil
        let rcodeLimit = message.edns == nil ? 15 : 4095
        message.rcode = RCode(rawValue: UInt16(random.chance(partsPerMillion: 700_000) ? random.int(in: 0...5)
                                               : random.int(in: 0...rcodeLimit)))
        message.questions = (0..<random.int(in: 0...2)).map { _ in
            Question(name: pickName(), type: RRType(UInt16(random.int(in: 1...300))), class: .in)
        }
        if opcode == .update {  // RFC 2136 §3.1.1: exactly one zone, of type SOA
            message.questions = [Question(name: pickName(), type: .soa, class: .in)]
        }
        var seen: Set<ResourceRecord> = []
        let update = opcode == .update
        message.answers = records(count: random.int(in: 0...5), seen: &seen, update: update, prerequisite: true)
        message.authority = records(count: random.int(in: 0...3), seen: &seen, update: update, prerequisite: false)
        message.additional = records(count: random.int(in: 0...3), seen: &seen, update: false, prerequisite: false)
        if random.chance(partsPerMillion: 100_000) { message.additional.append(randomTSIG()) }
        return message
    }

    private mutating func records(
        count: Int, seen: inout Set<ResourceRecord>, update: Bool, prerequisite: Bool
    ) -> [ResourceRecord] {
        var result: [ResourceRecord] = []
        for _ in 0..<count {
            var record = ResourceRecord(name: pickName(), ttl: 0, rdata: randomRData())
            if update && random.chance(partsPerMillion: 300_000) {
                record.class = random.chance(partsPerMillion: 500_000) ? .any : .none
                // Prerequisites with ANY or NONE and RRset deletions (ANY) carry no RDATA; NONE in the
                // update section deletes one RR and carries it (RFC 2136 §2.4, §2.5.2, §2.5.4).
                if record.class == .any || prerequisite { record.rdata = .empty(record.type) }
            }
            let key = RRSetKey(name: record.name, type: record.type, rrClass: record.class)
            record.ttl = ttlByRRSet[key] ?? UInt32(truncatingIfNeeded: random.next() & 0x7FFF_FFFF)
            if record.class == .any || record.class == .none { record.ttl = 0 }
            ttlByRRSet[key] = record.ttl
            guard seen.insert(record).inserted else { continue }
            result.append(record)
        }
        return result
    }

    private mutating func pickName() -> DNSName { random.element(of: names) ?? .root }

    /// A name of 0-5 labels mixing letters of both cases, digits, hyphens and, rarely, any octet.
    public mutating func randomName() -> DNSName {
        var labels: [[UInt8]] = []
        var length = 1
        for _ in 0..<random.int(in: 0...5) {
            let size = random.int(in: 1...(random.chance(partsPerMillion: 50_000) ? 63 : 12))
            guard length + size + 1 <= DNSName.maxWireLength else { break }
            labels.append((0..<size).map { _ in randomLabelByte() })
            length += size + 1
        }
        return (try? DNSName(labels: labels)) ?? .root
    }

    private mutating func randomLabelByte() -> UInt8 {
        if random.chance(partsPerMillion: 20_000) { return UInt8(truncatingIfNeeded: random.next()) }
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_*".utf8)
        return alphabet[random.int(in: 0...(alphabet.count - 1))]
    }

    private mutating func bytes(_ range: ClosedRange<Int>) -> [UInt8] { random.bytes(random.int(in: range)) }

    private mutating func u16() -> UInt16 { UInt16(truncatingIfNeeded: random.next()) }
    private mutating func u32() -> UInt32 { UInt32(truncatingIfNeeded: random.next()) }
    private mutating func u8() -> UInt8 { UInt8(truncatingIfNeeded: random.next()) }

    /// RDATA of a random supported type (or an unknown one).
    public mutating func randomRData() -> RData {
        switch random.int(in: 0...19) {
        case 0: return .a(IPv4Address(u32()))
        case 1: return .aaaa(randomIPv6())
        case 2: return .ns(randomName())
        case 3: return .cname(randomName())
        case 4: return .ptr(randomName())
        case 5:
            return .soa(SOA(mname: randomName(), rname: randomName(), serial: u32(), refresh: u32(), retry: u32(),
                            expire: u32(), minimum: u32()))
        case 6: return .mx(preference: u16(), exchange: randomName())
        case 7: return .txt((0..<random.int(in: 1...4)).map { _ in randomText(0...40) })
        case 8: return .srv(SRV(priority: u16(), weight: u16(), port: u16(), target: randomName()))
        case 9:
            let tag = Array(["issue", "issuewild", "iodef", "contactemail", "tbs"][random.int(in: 0...4)].utf8)
            return .caa(CAA(flags: random.chance(partsPerMillion: 500_000) ? 0 : 128, tag: tag, value: randomText(0...30)))
        case 10: return .svcb(randomSVCB())
        case 11: return .https(randomSVCB())
        case 12:
            let digestType = [UInt8(1), 2, 4][random.int(in: 0...2)]
            let length = digestType == 1 ? 20 : (digestType == 2 ? 32 : 48)
            return .ds(DS(keyTag: u16(), algorithm: u8(), digestType: digestType, digest: random.bytes(length)))
        case 13: return .dnskey(DNSKEY(flags: [256, 257][random.int(in: 0...1)], proto: 3, algorithm: u8(),
                                       publicKey: bytes(1...64)))
        case 14:
            return .rrsig(RRSIG(typeCovered: RRType(UInt16(random.int(in: 1...300))), algorithm: u8(), labels: u8(),
                                originalTTL: u32(), expiration: u32(), inception: u32(), keyTag: u16(),
                                signer: randomName(), signature: bytes(1...64)))
        case 15: return .nsec(NSEC(next: randomName(), types: randomTypes()))
        case 16:
            return .nsec3(NSEC3(hashAlgorithm: 1, flags: u8() & 1, iterations: u16(), salt: bytes(0...8),
                                nextHashedOwner: bytes(1...32), types: randomTypes()))
        case 17: return .unknown(RRType(UInt16(random.int(in: 20_000...30_000))), bytes(0...20))
        case 18: return .txt([randomText(0...255)])
        default: return .a(IPv4Address(u32()))
        }
    }

    private mutating func randomIPv6() -> IPv6Address {
        // Zero runs are common in real addresses and exercise "::" compression.
        let groups: [UInt16] = (0..<8).map { _ in random.chance(partsPerMillion: 400_000) ? 0 : u16() }
        return IPv6Address(octets: groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
    }

    private mutating func randomText(_ range: ClosedRange<Int>) -> [UInt8] {
        (0..<random.int(in: range)).map { _ in
            random.chance(partsPerMillion: 100_000) ? UInt8(truncatingIfNeeded: random.next())
                : UInt8(random.int(in: 0x20...0x7E))
        }
    }

    private mutating func randomTypes() -> [RRType] {
        (0..<random.int(in: 0...6)).map { _ in
            RRType(UInt16(random.chance(partsPerMillion: 800_000) ? random.int(in: 1...260) : random.int(in: 1...65_535)))
        }
    }

    private mutating func randomSVCB() -> SVCB {
        var params: [SVCParam] = []
        let hasALPN = random.chance(partsPerMillion: 600_000)
        var keys: [UInt16] = []
        if hasALPN {
            let ids = (0..<random.int(in: 1...3)).map { _ in Array(["h2", "h3", "http/1.1", "a,b", "x\\y"][random.int(in: 0...4)].utf8) }
            params.append(SVCParam(key: 1, value: ids.flatMap { [UInt8($0.count)] + $0 }))
            keys.append(1)
            if random.chance(partsPerMillion: 300_000) { params.append(SVCParam(key: 2, value: [])); keys.append(2) }
        }
        if random.chance(partsPerMillion: 500_000) {
            let port = u16()
            params.append(SVCParam(key: 3, value: [UInt8(port >> 8), UInt8(port & 0xFF)]))
            keys.append(3)
        }
        if random.chance(partsPerMillion: 400_000) { params.append(SVCParam(key: 4, value: bytes(1...3).flatMap { _ in random.bytes(4) })); keys.append(4) }
        if random.chance(partsPerMillion: 300_000) { params.append(SVCParam(key: 6, value: random.bytes(16))); keys.append(6) }
        if random.chance(partsPerMillion: 200_000) { params.append(SVCParam(key: 7, value: Array("/dns-query{?dns}".utf8))); keys.append(7) }
        if random.chance(partsPerMillion: 200_000) { params.append(SVCParam(key: 8, value: [])); keys.append(8) }
        if random.chance(partsPerMillion: 200_000) { params.append(SVCParam(key: 65_000, value: randomText(0...10))); keys.append(65_000) }
        if !keys.isEmpty && random.chance(partsPerMillion: 300_000) {
            let mandatory = keys.filter { $0 != 2 && $0 != 8 }.prefix(2)
            if !mandatory.isEmpty {
                params.insert(SVCParam(key: 0, value: mandatory.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }), at: 0)
            }
        }
        // Alias mode (priority 0) carries no parameters (RFC 9460 §2.4.2).
        let alias = params.isEmpty && random.chance(partsPerMillion: 500_000)
        return SVCB(priority: alias ? 0 : max(1, u16()), target: random.chance(partsPerMillion: 400_000) ? .root : randomName(),
                    params: params)
    }

    private mutating func randomEDNS() -> EDNS {
        var edns = EDNS(udpPayloadSize: UInt16(random.int(in: 512...4096)), version: 0,
                        dnssecOK: random.chance(partsPerMillion: 500_000))
        for _ in 0..<random.int(in: 0...3) {
            switch random.int(in: 0...3) {
            case 0:
                let v4 = random.chance(partsPerMillion: 500_000)
                let source = UInt8(random.int(in: 0...(v4 ? 32 : 128)))
                var address = random.bytes((Int(source) + 7) / 8)
                if source % 8 != 0, let last = address.indices.last {
                    address[last] &= UInt8(0xFF) << (8 - source % 8)
                }
                edns.options.append(.clientSubnet(ClientSubnet(family: v4 ? 1 : 2, sourcePrefixLength: source,
                                                               scopePrefixLength: 0, address: address)))
            case 1:
                edns.options.append(.cookie(Cookie(client: random.bytes(8),
                                                   server: random.chance(partsPerMillion: 500_000) ? random.bytes(random.int(in: 8...32)) : [])))
            case 2: edns.options.append(.padding([UInt8](repeating: 0, count: random.int(in: 0...40))))
            default: edns.options.append(.unknown(code: UInt16(random.int(in: 65_001...65_534)), data: bytes(0...10)))
            }
        }
        return edns
    }

    private mutating func randomTSIG() -> ResourceRecord {
        let tsig = TSIG(algorithm: DNSName("hmac-sha256.")!, timeSigned: UInt64(u32()), fudge: 300,
                        mac: random.bytes(32), originalID: u16(), error: [0, 16, 17, 18][random.int(in: 0...3)],
                        otherData: random.chance(partsPerMillion: 200_000) ? random.bytes(6) : [])
        return ResourceRecord(name: randomName(), class: .any, ttl: 0, rdata: .tsig(tsig))
    }
}
