/// Presentation format of SVCB and HTTPS RDATA (RFC 9460 §2.1, Appendix A): the inverse of
/// `SVCB.description` and `SVCParam.description`.
extension RData {
    /// `SvcPriority TargetName SvcParams…`; params may come in any order and are stored sorted by
    /// key, the wire order RFC 9460 §2.2 requires. A key given twice is an error.
    static func parseSVCB(_ c: inout RDataCursor) throws(RDataParseError) -> SVCB {
        let priority: UInt16 = try c.integer("svcpriority")
        let target = try c.name("targetname")
        var params: [SVCParam] = []
        while !c.isAtEnd {
            let at = c.index
            let (key, value) = try c.svcParamText()
            guard !params.contains(where: { $0.key == key }) else {
                throw c.error(SVCParam.keyName(key), .duplicateKey, at: at)
            }
            guard let bytes = SVCParam.parseValue(key: key, text: value) else {
                throw c.error(SVCParam.keyName(key), value == nil ? .missing : .invalid, at: at)
            }
            params.append(SVCParam(key: key, value: bytes))
        }
        params.sort { $0.key < $1.key }
        return SVCB(priority: priority, target: target, params: params)
    }
}

extension RDataCursor {
    /// One SvcParam: `key`, `key=value`, `key="value"` in one token, or `key=` followed by a quoted
    /// token (how a lexer that ends a token at `"` splits `key="value"`). The value comes back with its
    /// character-string escapes resolved (the first of the two levels of RFC 9460 Appendix A.1).
    mutating func svcParamText() throws(RDataParseError) -> (key: UInt16, value: [UInt8]?) {
        let token = try next("svcparam")
        let at = index - 1
        let raw = token.raw
        let equals = raw.firstIndex(of: UInt8(ascii: "="))
        let keyText = String(decoding: raw[..<(equals ?? raw.count)], as: UTF8.self)
        guard let key = SVCParam.key(named: keyText) else { throw error("svcparamkey", .invalid, at: at) }
        guard let equals else { return (key, nil) }
        var valueRaw = raw[(equals + 1)...]
        if valueRaw.isEmpty, index < tokens.count, tokens[index].isQuoted {
            valueRaw = tokens[index].raw[...]
            index += 1
        } else if valueRaw.count >= 2, valueRaw.first == 0x22, valueRaw.last == 0x22 {
            valueRaw = valueRaw.dropFirst().dropLast()
        }
        guard let value = RDataToken.unescape(valueRaw) else { throw error(keyText, .badEscape, at: at) }
        return (key, value)
    }
}

extension SVCParam {
    /// The key for a registered name or `keyNNNNN` (RFC 9460 §2.1).
    public static func key(named name: String) -> UInt16? {
        let lower = name.lowercased()
        for key: UInt16 in 0...10 where keyName(key) == lower && !lower.hasPrefix("key") { return key }
        guard lower.hasPrefix("key") else { return nil }
        return parseDecimal(Array(lower.utf8.dropFirst(3))[...], max: UInt64(UInt16.max)).map(UInt16.init)
    }

    /// Wire octets of a value in its key's presentation form; nil when it does not fit that form or a
    /// key that needs a value has none.
    static func parseValue(key: UInt16, text: [UInt8]?) -> [UInt8]? {
        switch key {
        case 2, 8: return text ?? []  // no-default-alpn, ohttp: flags without a value
        case 10: return stringListValue(text ?? [], allowEmpty: true)  // docpath, printed as a value-list
        case 0, 1, 3, 4, 5, 6: break
        default: return text ?? []
        }
        guard let text else { return nil }
        switch key {
        case 0: return mandatoryValue(text)
        case 1: return stringListValue(text, allowEmpty: false)
        case 3: return parseDecimal(text[...], max: UInt64(UInt16.max)).map { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        case 4: return listValue(text) { IPv4Address($0)?.octets }
        case 5: return TextEncoding.unbase64(String(decoding: text, as: UTF8.self))
        case 6: return listValue(text) { IPv6Address($0)?.octets }
        default: return nil
        }
    }

    /// RFC 9460 §8: key names separated by commas; stored sorted, no duplicates, `mandatory` not listed.
    private static func mandatoryValue(_ text: [UInt8]) -> [UInt8]? {
        var keys: [UInt16] = []
        for part in text.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            guard let key = key(named: String(decoding: part, as: UTF8.self)), key != 0, !keys.contains(key) else {
                return nil
            }
            keys.append(key)
        }
        return keys.sorted().flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    /// Comma-separated items, each converted by `item`.
    private static func listValue(_ text: [UInt8], item: (String) -> [UInt8]?) -> [UInt8]? {
        var out: [UInt8] = []
        for part in text.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            guard let bytes = item(String(decoding: part, as: UTF8.self)) else { return nil }
            out += bytes
        }
        return out
    }

    /// A value-list (RFC 9460 Appendix A.1): items split at commas not escaped by `\`, `\,` and `\\`
    /// resolved, each item written as a character-string (alpn-ids, RFC 9460 §7.1.1).
    static func stringListValue(_ text: [UInt8], allowEmpty: Bool) -> [UInt8]? {
        if text.isEmpty { return allowEmpty ? [] : nil }
        var items: [[UInt8]] = [[]]
        var index = 0
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: "\\"), index + 1 < text.count {
                items[items.count - 1].append(text[index + 1])
                index += 2
                continue
            }
            if byte == UInt8(ascii: ",") { items.append([]) } else { items[items.count - 1].append(byte) }
            index += 1
        }
        var out: [UInt8] = []
        for item in items {
            guard !item.isEmpty, item.count <= 255 else { return nil }
            out.append(UInt8(item.count))
            out += item
        }
        return out
    }
}
