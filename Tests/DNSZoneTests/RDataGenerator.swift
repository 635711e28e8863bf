import DNSWire

/// Random RDATA of every typed case (and RFC 3597 unknown types) for the presentation round trip.
/// Values stay inside what each type's presentation form can express, which is everything the wire
/// decoder produces.
enum RDataGenerator {
    static let labelAlphabet: [UInt8] = Array("abcXYZ09-_*.\\\"; ()@$".utf8) + [0x00, 0x09, 0x20, 0x7F, 0xC3, 0xFF]
    static let typedTypes: [RRType] = [
        .a, .aaaa, .ns, .cname, .ptr, .soa, .mx, .txt, .srv, .caa, .svcb, .https, .ds, .dnskey, .rrsig, .nsec,
        .nsec3, .tsig,
    ]

    static func name(_ random: inout TestRandom) -> DNSName {
        let count = random.below(4)
        var labels: [[UInt8]] = []
        for _ in 0..<count {
            let length = 1 + random.below(6)
            labels.append((0..<length).map { _ in labelAlphabet[random.below(labelAlphabet.count)] })
        }
        guard let built = try? DNSName(labels: labels) else { return .root }
        return built
    }

    static func rdata(_ random: inout TestRandom) -> RData {
        switch random.below(22) {
        case 0: return .a(IPv4Address(UInt32(truncatingIfNeeded: random.next())))
        case 1: return .aaaa(IPv6Address(octets: random.bytes(16)))
        case 2: return .ns(name(&random))
        case 3: return .cname(name(&random))
        case 4: return .ptr(name(&random))
        case 5:
            return .soa(
                SOA(
                    mname: name(&random), rname: name(&random), serial: u32(&random), refresh: u32(&random),
                    retry: u32(&random), expire: u32(&random), minimum: u32(&random)))
        case 6: return .mx(preference: u16(&random), exchange: name(&random))
        case 7: return .txt((0..<(1 + random.below(3))).map { _ in random.bytes(random.below(12)) })
        case 8:
            return .srv(SRV(priority: u16(&random), weight: u16(&random), port: u16(&random), target: name(&random)))
        case 9: return .caa(caa(&random))
        case 10: return .svcb(svcb(&random))
        case 11: return .https(svcb(&random))
        case 12:
            return .ds(
                DS(
                    keyTag: u16(&random), algorithm: random.byte(), digestType: random.byte(),
                    digest: random.bytes(random.below(40))))
        case 13:
            return .dnskey(
                DNSKEY(
                    flags: u16(&random), proto: random.byte(), algorithm: random.byte(),
                    publicKey: random.bytes(random.below(70))))
        case 14: return .rrsig(rrsig(&random))
        case 15: return .nsec(NSEC(next: name(&random), types: types(&random)))
        case 16:
            return .nsec3(
                NSEC3(
                    hashAlgorithm: random.byte(), flags: random.byte(), iterations: u16(&random),
                    salt: random.bytes(random.below(8)), nextHashedOwner: random.bytes(1 + random.below(20)),
                    types: types(&random)))
        case 17: return .tsig(tsig(&random))
        case 18, 19: return .unknown(RRType(UInt16(260 + random.below(65_000))), random.bytes(random.below(20)))
        case 20: return .unknown(RRType(UInt16(100 + random.below(27))), random.bytes(random.below(20)))
        default: return .empty(typedTypes[random.below(typedTypes.count)])
        }
    }

    static func u16(_ random: inout TestRandom) -> UInt16 { UInt16(truncatingIfNeeded: random.next()) }
    static func u32(_ random: inout TestRandom) -> UInt32 { UInt32(truncatingIfNeeded: random.next()) }

    static func caa(_ random: inout TestRandom) -> CAA {
        let tagAlphabet = Array("abcissuewildiodefXYZ0129".utf8)
        let tag = (0..<(1 + random.below(15))).map { _ in tagAlphabet[random.below(tagAlphabet.count)] }
        return CAA(flags: random.byte(), tag: tag, value: random.bytes(random.below(30)))
    }

    static func types(_ random: inout TestRandom) -> [RRType] {
        let pool: [RRType] = [
            .a, .ns, .soa, .mx, .txt, .aaaa, .rrsig, .nsec, .dnskey, .https, .caa, RRType(1234),
            RRType(65_000),
        ]
        return pool.filter { _ in random.bool() }
    }

    static func rrsig(_ random: inout TestRandom) -> RRSIG {
        RRSIG(
            typeCovered: typedTypes[random.below(typedTypes.count)], algorithm: random.byte(), labels: random.byte(),
            originalTTL: u32(&random), expiration: u32(&random), inception: u32(&random), keyTag: u16(&random),
            signer: name(&random), signature: random.bytes(random.below(90)))
    }

    static func tsig(_ random: inout TestRandom) -> TSIG {
        let errors: [UInt16] = [0, 3, 9, 16, 17, 18, 22, 3000, 5000]
        return TSIG(
            algorithm: name(&random), timeSigned: random.next() & 0xFFFF_FFFF_FFFF, fudge: u16(&random),
            mac: random.bytes(random.below(33)), originalID: u16(&random),
            error: errors[random.below(errors.count)], otherData: random.bytes(random.below(7)))
    }

    /// SvcParams with strictly increasing keys and values valid for typed keys (RFC 9460 §7).
    static func svcb(_ random: inout TestRandom) -> SVCB {
        var params: [SVCParam] = []
        for key: UInt16 in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 300, 65_000] where random.below(3) == 0 {
            params.append(SVCParam(key: key, value: svcValue(key, &random)))
        }
        return SVCB(priority: u16(&random), target: name(&random), params: params)
    }

    static func svcValue(_ key: UInt16, _ random: inout TestRandom) -> [UInt8] {
        switch key {
        case 0:
            let keys = [UInt16(1), 3, 4, 9, 65_000].filter { _ in random.bool() }
            return (keys.isEmpty ? [1] : keys).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        case 1, 10:
            let alphabet = Array("h23,\\\" x".utf8) + [0x00, 0xFE]
            return (0..<(1 + random.below(3))).flatMap { _ -> [UInt8] in
                let id = (0..<(1 + random.below(6))).map { _ in alphabet[random.below(alphabet.count)] }
                return [UInt8(id.count)] + id
            }
        case 2, 8: return []
        case 3: return random.bytes(2)
        case 4: return random.bytes(4 * (1 + random.below(3)))
        case 6: return random.bytes(16 * (1 + random.below(2)))
        default: return random.bytes(random.below(12))
        }
    }
}
