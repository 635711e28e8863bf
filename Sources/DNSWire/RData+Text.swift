/// Presentation format of RDATA (RFC 1035 §5.1 and each type's RFC), matching what dnspython and
/// BIND print, with Base64 and hex unbroken by spaces.
extension RData: CustomStringConvertible {
    public var description: String {
        switch self {
        case .a(let address): address.description
        case .aaaa(let address): address.description
        case .ns(let name), .cname(let name), .ptr(let name): name.description
        case .soa(let soa):
            "\(soa.mname) \(soa.rname) \(soa.serial) \(soa.refresh) \(soa.retry) \(soa.expire) \(soa.minimum)"
        case .mx(let preference, let exchange): "\(preference) \(exchange)"
        case .txt(let strings): strings.map(quotedCharacterString).joined(separator: " ")
        case .srv(let srv): "\(srv.priority) \(srv.weight) \(srv.port) \(srv.target)"
        case .caa(let caa): "\(caa.flags) \(escapedCharacterString(caa.tag)) \(quotedCharacterString(caa.value))"
        case .svcb(let svcb), .https(let svcb): svcb.description
        case .ds(let ds): "\(ds.keyTag) \(ds.algorithm) \(ds.digestType) \(TextEncoding.hex(ds.digest))"
        case .dnskey(let key): "\(key.flags) \(key.proto) \(key.algorithm) \(TextEncoding.base64(key.publicKey))"
        case .rrsig(let sig): sig.description
        case .nsec(let nsec): ([nsec.next.description] + nsec.types.map(\.description)).joined(separator: " ")
        case .nsec3(let nsec3): nsec3.description
        case .tsig(let tsig): tsig.description
        case .unknown(_, let bytes): Self.genericText(bytes)
        case .empty: Self.genericText([])
        }
    }

    /// RFC 3597 §5: `\# length hex`.
    public static func genericText(_ bytes: [UInt8]) -> String {
        bytes.isEmpty ? "\\# 0" : "\\# \(bytes.count) \(TextEncoding.hex(bytes))"
    }
}

/// A character-string in double quotes with `"` and `\` escaped and other non-printables as `\DDD`.
public func quotedCharacterString(_ bytes: [UInt8]) -> String {
    "\"" + escapedCharacterString(bytes) + "\""
}

/// The escaped body of a character-string (RFC 1035 §5.1), as dnspython's `_escapify`.
public func escapedCharacterString(_ bytes: some Sequence<UInt8>) -> String {
    var text = ""
    for byte in bytes {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"):
            text.append("\\")
            text.unicodeScalars.append(Unicode.Scalar(byte))
        case 0x20..<0x7F: text.unicodeScalars.append(Unicode.Scalar(byte))
        default: text.append("\\" + threeDigits(byte))
        }
    }
    return text
}

extension SVCB: CustomStringConvertible {
    public var description: String {
        var parts = ["\(priority)", target.description]
        for param in params.sorted(by: { $0.key < $1.key }) { parts.append(param.description) }
        return parts.joined(separator: " ")
    }
}

extension SVCParam: CustomStringConvertible {
    /// Key names of RFC 9460 §14.3.2 and later registrations; others print as `keyNNNNN`.
    public static func keyName(_ key: UInt16) -> String {
        switch key {
        case 0: "mandatory"
        case 1: "alpn"
        case 2: "no-default-alpn"
        case 3: "port"
        case 4: "ipv4hint"
        case 5: "ech"
        case 6: "ipv6hint"
        case 7: "dohpath"
        case 8: "ohttp"
        case 10: "docpath"
        default: "key\(key)"
        }
    }

    /// `key` alone for an empty value (the flag keys no-default-alpn and ohttp, or a generic key),
    /// else `key="value"` with the value in the key's own form; a value that does not fit its key's
    /// form prints in the generic escaped form.
    public var description: String {
        let name = Self.keyName(key)
        if value.isEmpty && !(0...6).contains(key) || value.isEmpty && key == 2 { return name }
        return name + "=\"" + (typedValueText ?? escapedCharacterString(value)) + "\""
    }

    private var typedValueText: String? {
        switch key {
        case 0:
            guard value.count % 2 == 0, !value.isEmpty else { return nil }
            return stride(from: 0, to: value.count, by: 2)
                .map { Self.keyName(UInt16(value[$0]) << 8 | UInt16(value[$0 + 1])) }.joined(separator: ",")
        case 1, 10: return Self.stringListText(value)
        case 3:
            guard value.count == 2 else { return nil }
            return String(UInt16(value[0]) << 8 | UInt16(value[1]))
        case 4:
            guard value.count % 4 == 0, !value.isEmpty else { return nil }
            return stride(from: 0, to: value.count, by: 4)
                .map { IPv4Address(value[$0], value[$0 + 1], value[$0 + 2], value[$0 + 3]).description }
                .joined(separator: ",")
        case 5: return TextEncoding.base64(value)
        case 6:
            guard value.count % 16 == 0, !value.isEmpty else { return nil }
            return stride(from: 0, to: value.count, by: 16)
                .map { IPv6Address(octets: value[$0..<($0 + 16)]).description }.joined(separator: ",")
        default: return nil
        }
    }

    /// A list of character-strings (alpn ids) joined by commas, `,` and `\` escaped first (RFC 9460 App. A.1).
    private static func stringListText(_ value: [UInt8]) -> String? {
        var reader = WireReader(value)
        var joined: [UInt8] = []
        while !reader.isAtEnd {
            guard let id = try? reader.readCharacterString(), !id.isEmpty else { return nil }
            if !joined.isEmpty { joined.append(UInt8(ascii: ",")) }
            for byte in id {
                if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\\") { joined.append(UInt8(ascii: "\\")) }
                joined.append(byte)
            }
        }
        return joined.isEmpty ? nil : escapedCharacterString(joined)
    }
}

extension RRSIG: CustomStringConvertible {
    public var description: String {
        "\(typeCovered) \(algorithm) \(labels) \(originalTTL) \(TextEncoding.signatureTime(expiration)) "
            + "\(TextEncoding.signatureTime(inception)) \(keyTag) \(signer) \(TextEncoding.base64(signature))"
    }
}

extension NSEC3: CustomStringConvertible {
    public var description: String {
        let saltText = salt.isEmpty ? "-" : TextEncoding.hex(salt)
        let head = "\(hashAlgorithm) \(flags) \(iterations) \(saltText) \(TextEncoding.base32Hex(nextHashedOwner))"
        return ([head] + types.map(\.description)).joined(separator: " ")
    }
}

extension TSIG: CustomStringConvertible {
    /// As dnspython: algorithm, time, fudge, MAC size and MAC, original ID, error mnemonic, other length and data.
    public var description: String {
        let macText = mac.isEmpty ? "\"\"" : TextEncoding.base64(mac)
        var text = "\(algorithm) \(timeSigned) \(fudge) \(mac.count) \(macText) \(originalID) "
            + "\(Self.errorText(error)) \(otherData.count)"
        if !otherData.isEmpty { text += " " + TextEncoding.base64(otherData) }
        return text
    }

    /// The TSIG error as a mnemonic: 16 is BADSIG here (RFC 8945 §3), unknown values as numbers.
    static func errorText(_ error: UInt16) -> String {
        if error == 16 { return "BADSIG" }
        return error < 4096 ? RCode(rawValue: error).description : String(error)
    }
}

extension ResourceRecord: CustomStringConvertible {
    /// One line of a zone file: owner, TTL, class, type, RDATA.
    public var description: String { "\(name) \(ttl) \(self.class) \(type) \(rdata)" }
}

extension Question: CustomStringConvertible {
    public var description: String { "\(name) \(self.class) \(type)" }
}
