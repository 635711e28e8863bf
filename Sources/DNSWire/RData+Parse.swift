/// Parsing RDATA from presentation format (RFC 1035 §5.1 and each type's RFC): the inverse of
/// `RData.description`. Tokens come from a lexer (the zone-file lexer of `DNSZone`, or
/// `RDataToken.split` for one line of text); a failure names the field and the token index.

extension RData {
    /// Parses presentation RDATA of `type`. Relative names get `origin` appended (an error without
    /// one). A first token `\#` selects the RFC 3597 §5 generic form, accepted for every type; for a
    /// type we decode, the octets are decoded as wire RDATA so `A \# 4 c0000201` is `.a(192.0.2.1)`.
    public init(type: RRType, tokens: [RDataToken], origin: DNSName?) throws(RDataParseError) {
        var cursor = RDataCursor(type: type, tokens: tokens, origin: origin)
        if let first = tokens.first, !first.isQuoted, first.raw == [0x5C, 0x23] {
            self = try Self.parseGeneric(&cursor)
        } else {
            self = try Self.parseTyped(&cursor)
        }
        try cursor.finish()
    }

    /// Parses one line of presentation RDATA (see `RDataToken.split`).
    public init(type: RRType, text: some StringProtocol, origin: DNSName?) throws(RDataParseError) {
        guard let tokens = RDataToken.split(text) else {
            throw RDataParseError(type: type, field: "text", tokenIndex: 0, reason: .badEscape)
        }
        try self.init(type: type, tokens: tokens, origin: origin)
    }

    private static func parseTyped(_ c: inout RDataCursor) throws(RDataParseError) -> RData {
        switch c.type {
        case .a:
            let token = try c.next("address")
            guard let address = IPv4Address(token.text) else { throw c.error("address", .invalid, at: c.index - 1) }
            return .a(address)
        case .aaaa:
            let token = try c.next("address")
            guard let address = IPv6Address(token.text) else { throw c.error("address", .invalid, at: c.index - 1) }
            return .aaaa(address)
        case .ns: return .ns(try c.name("nsdname"))
        case .cname: return .cname(try c.name("cname"))
        case .ptr: return .ptr(try c.name("ptrdname"))
        case .soa:
            return .soa(SOA(mname: try c.name("mname"), rname: try c.name("rname"), serial: try c.integer("serial"),
                            refresh: try c.ttl("refresh"), retry: try c.ttl("retry"), expire: try c.ttl("expire"),
                            minimum: try c.ttl("minimum")))
        case .mx: return .mx(preference: try c.integer("preference"), exchange: try c.name("exchange"))
        case .txt:
            var strings = [try c.characterString("txt-data")]
            while !c.isAtEnd { strings.append(try c.characterString("txt-data")) }
            return .txt(strings)
        case .srv:
            return .srv(SRV(priority: try c.integer("priority"), weight: try c.integer("weight"),
                            port: try c.integer("port"), target: try c.name("target")))
        case .caa: return .caa(try parseCAA(&c))
        case .svcb: return .svcb(try parseSVCB(&c))
        case .https: return .https(try parseSVCB(&c))
        case .ds:
            return .ds(DS(keyTag: try c.integer("key tag"), algorithm: try c.integer("algorithm"),
                          digestType: try c.integer("digest type"), digest: try c.joinedHex("digest")))
        case .dnskey:
            return .dnskey(DNSKEY(flags: try c.integer("flags"), proto: try c.integer("protocol"),
                                  algorithm: try c.integer("algorithm"), publicKey: try c.joinedBase64("public key")))
        case .rrsig: return .rrsig(try parseRRSIG(&c))
        case .nsec: return .nsec(NSEC(next: try c.name("next domain name"), types: try c.typeList("type bit maps")))
        case .nsec3: return .nsec3(try parseNSEC3(&c))
        case .tsig: return .tsig(try parseTSIG(&c))
        default: throw c.error("rdata", .genericFormRequired, at: 0)
        }
    }

    /// RFC 3597 §5: `\# length hex…`, the hex possibly split over several tokens.
    private static func parseGeneric(_ c: inout RDataCursor) throws(RDataParseError) -> RData {
        c.index = 1
        let length: UInt16 = try c.integer("rdlength")
        let lengthIndex = c.index - 1
        let bytes = try c.joinedHex("rdata")
        guard bytes.count == Int(length) else { throw c.error("rdata", .lengthMismatch, at: lengthIndex) }
        var reader = WireReader(bytes)
        let type = c.type
        let decoded = try? reader.withLimit(bytes.count, type: type) { (r: inout WireReader) throws(DNSDecodeError) in
            try RData.decode(type: type, class: .in, from: &r)
        }
        if let decoded { return decoded }
        // Zero octets are the UPDATE form of a known type (RFC 2136 §2.5.2); anything else must decode.
        guard bytes.isEmpty else { throw c.error("rdata", .lengthMismatch, at: lengthIndex) }
        return .empty(type)
    }

    private static func parseCAA(_ c: inout RDataCursor) throws(RDataParseError) -> CAA {
        let flags: UInt8 = try c.integer("flags")
        let tag = try c.characterString("tag")
        // RFC 8659 §4.1.1: the tag is 1 to 15 ASCII letters and digits.
        guard !tag.isEmpty, tag.count <= 15, tag.allSatisfy(isAlphanumeric) else {
            throw c.error("tag", .invalid, at: c.index - 1)
        }
        let token = try c.next("value")
        guard let value = token.unescaped else { throw c.error("value", .badEscape, at: c.index - 1) }
        return CAA(flags: flags, tag: tag, value: value)
    }

    private static func parseRRSIG(_ c: inout RDataCursor) throws(RDataParseError) -> RRSIG {
        let covered = try c.next("type covered")
        guard let typeCovered = RRType(mnemonic: covered.text) else {
            throw c.error("type covered", .invalid, at: c.index - 1)
        }
        return RRSIG(typeCovered: typeCovered, algorithm: try c.integer("algorithm"), labels: try c.integer("labels"),
                     originalTTL: try c.integer("original ttl"), expiration: try c.signatureTime("expiration"),
                     inception: try c.signatureTime("inception"), keyTag: try c.integer("key tag"),
                     signer: try c.name("signer"), signature: try c.joinedBase64("signature"))
    }

    /// RFC 5155 §3.3: salt in hex or `-` for none; next hashed owner in Base32hex.
    private static func parseNSEC3(_ c: inout RDataCursor) throws(RDataParseError) -> NSEC3 {
        let algorithm: UInt8 = try c.integer("hash algorithm")
        let flags: UInt8 = try c.integer("flags")
        let iterations: UInt16 = try c.integer("iterations")
        let saltToken = try c.next("salt")
        let salt: [UInt8]
        if saltToken.raw == [UInt8(ascii: "-")] {
            salt = []
        } else {
            guard let bytes = TextEncoding.unhex(saltToken.text) else {
                throw c.error("salt", .invalid, at: c.index - 1)
            }
            guard bytes.count <= 255 else { throw c.error("salt", .outOfRange, at: c.index - 1) }
            salt = bytes
        }
        let hashToken = try c.next("next hashed owner name")
        guard let next = TextEncoding.unbase32Hex(hashToken.text), !next.isEmpty, next.count <= 255 else {
            throw c.error("next hashed owner name", .invalid, at: c.index - 1)
        }
        return NSEC3(hashAlgorithm: algorithm, flags: flags, iterations: iterations, salt: salt,
                     nextHashedOwner: next, types: try c.typeList("type bit maps"))
    }

    /// As dnspython prints it: algorithm, time signed, fudge, MAC size, MAC (`""` when empty),
    /// original ID, error (mnemonic or number), other length, other data.
    private static func parseTSIG(_ c: inout RDataCursor) throws(RDataParseError) -> TSIG {
        let algorithm = try c.name("algorithm")
        let timeSigned: UInt64 = try c.integer("time signed", max: (1 << 48) - 1)
        let fudge: UInt16 = try c.integer("fudge")
        let mac = try c.sizedBase64("mac", size: try c.integer("mac size") as UInt16)
        let originalID: UInt16 = try c.integer("original id")
        let errorToken = try c.next("error")
        guard let error = TSIG.errorValue(errorToken.text) else { throw c.error("error", .invalid, at: c.index - 1) }
        let other = try c.sizedBase64("other data", size: try c.integer("other len") as UInt16)
        return TSIG(algorithm: algorithm, timeSigned: timeSigned, fudge: fudge, mac: mac, originalID: originalID,
                    error: error, otherData: other)
    }
}

extension TSIG {
    /// The inverse of `errorText`: BADSIG, an RCODE mnemonic, or a number.
    static func errorValue(_ text: String) -> UInt16? {
        let upper = text.uppercased()
        if upper == "BADSIG" { return 16 }
        for value in RCode.names.keys.sorted() where RCode.names[value] == upper { return value }
        return parseDecimal(Array(text.utf8)[...], max: UInt64(UInt16.max)).map(UInt16.init)
    }
}

/// Reads the fields of one RDATA from its tokens, naming the field in every error.
struct RDataCursor {
    let type: RRType
    let tokens: [RDataToken]
    let origin: DNSName?
    var index = 0

    var isAtEnd: Bool { index >= tokens.count }

    func error(_ field: String, _ reason: RDataParseError.Reason, at tokenIndex: Int) -> RDataParseError {
        RDataParseError(type: type, field: field, tokenIndex: tokenIndex, reason: reason)
    }

    mutating func next(_ field: String) throws(RDataParseError) -> RDataToken {
        guard index < tokens.count else { throw error(field, .missing, at: index) }
        defer { index += 1 }
        return tokens[index]
    }

    func finish() throws(RDataParseError) {
        guard isAtEnd else { throw error("rdata", .unexpectedToken, at: index) }
    }

    mutating func integer<T: FixedWidthInteger & UnsignedInteger>(
        _ field: String, max: UInt64 = UInt64(T.max)
    ) throws(RDataParseError) -> T {
        let token = try next(field)
        guard !token.raw.isEmpty, token.raw.allSatisfy(isDigit) else { throw error(field, .invalid, at: index - 1) }
        guard let value = parseDecimal(token.raw[...], max: max) else { throw error(field, .outOfRange, at: index - 1) }
        return T(value)
    }

    /// A 32-bit time field that may use TTL units (BIND accepts `1w` in SOA timers).
    mutating func ttl(_ field: String) throws(RDataParseError) -> UInt32 {
        let token = try next(field)
        guard let value = TTLText.parse(token.text) else { throw error(field, .invalid, at: index - 1) }
        return value
    }

    mutating func signatureTime(_ field: String) throws(RDataParseError) -> UInt32 {
        let token = try next(field)
        guard let value = TextEncoding.parseSignatureTime(token.text) else {
            throw error(field, .invalid, at: index - 1)
        }
        return value
    }

    mutating func name(_ field: String) throws(RDataParseError) -> DNSName {
        let token = try next(field)
        do {
            return try DNSName(parsing: token.text, origin: origin)
        } catch {
            throw self.error(field, error == .badEscape ? .badEscape : .invalid, at: index - 1)
        }
    }

    /// A character-string of at most 255 octets (RFC 1035 §3.3), quoted or not.
    mutating func characterString(_ field: String) throws(RDataParseError) -> [UInt8] {
        let token = try next(field)
        guard let bytes = token.unescaped else { throw error(field, .badEscape, at: index - 1) }
        guard bytes.count <= 255 else { throw error(field, .outOfRange, at: index - 1) }
        return bytes
    }

    /// The remaining tokens concatenated (hex and Base64 may be split by white space).
    mutating func joinedRest() -> (text: String, first: Int) {
        let first = index
        var raw: [UInt8] = []
        while index < tokens.count {
            raw += tokens[index].raw
            index += 1
        }
        return (String(decoding: raw, as: UTF8.self), first)
    }

    mutating func joinedHex(_ field: String) throws(RDataParseError) -> [UInt8] {
        let (text, first) = joinedRest()
        guard let bytes = TextEncoding.unhex(text) else { throw error(field, .invalid, at: first) }
        return bytes
    }

    mutating func joinedBase64(_ field: String) throws(RDataParseError) -> [UInt8] {
        let (text, first) = joinedRest()
        guard let bytes = TextEncoding.unbase64(text) else { throw error(field, .invalid, at: first) }
        return bytes
    }

    /// Base64 of a stated size; size 0 takes an optional `""` token.
    mutating func sizedBase64(_ field: String, size: UInt16) throws(RDataParseError) -> [UInt8] {
        if size == 0 {
            if index < tokens.count, tokens[index].isQuoted, tokens[index].raw.isEmpty { index += 1 }
            return []
        }
        let token = try next(field)
        guard let bytes = TextEncoding.unbase64(token.text) else { throw error(field, .invalid, at: index - 1) }
        guard bytes.count == Int(size) else { throw error(field, .lengthMismatch, at: index - 1) }
        return bytes
    }

    /// Type mnemonics up to the end (NSEC, NSEC3 type bit maps).
    mutating func typeList(_ field: String) throws(RDataParseError) -> [RRType] {
        var types: [RRType] = []
        while index < tokens.count {
            guard let type = RRType(mnemonic: tokens[index].text) else { throw error(field, .invalid, at: index) }
            types.append(type)
            index += 1
        }
        return types
    }
}
