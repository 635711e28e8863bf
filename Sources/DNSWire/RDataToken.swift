/// Tokens, errors and number forms shared by the presentation-format parsers (`RData+Parse.swift`).

/// One token of presentation text as a lexer produced it.
///
/// `raw` keeps the characters as written (escapes intact, enclosing quotes removed) because a name
/// needs them: `a\.b` is one label, `a.b` two. `unescaped` resolves `\X` and `\DDD` for the fields
/// that are character-strings (RFC 1035 §5.1).
public struct RDataToken: Hashable, Sendable {
    /// The characters as written, escapes intact, enclosing quotes removed.
    public var raw: [UInt8]
    /// The token was in double quotes (so `""` is an empty token, and `\#` in quotes is not RFC 3597).
    public var isQuoted: Bool

    /// A token from its raw octets.
    public init(raw: [UInt8], quoted: Bool = false) {
        self.raw = raw
        self.isQuoted = quoted
    }

    /// A token from its raw text (escapes kept as written).
    public init(_ text: some StringProtocol, quoted: Bool = false) {
        self.init(raw: Array(text.utf8), quoted: quoted)
    }

    /// The token as written, escapes intact.
    public var text: String { String(decoding: raw, as: UTF8.self) }

    /// The octets after resolving `\X` and `\DDD`; nil when an escape is malformed.
    public var unescaped: [UInt8]? { Self.unescape(raw[...]) }

    static func unescape(_ raw: ArraySlice<UInt8>) -> [UInt8]? {
        let bytes = Array(raw)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "\\") else {
                out.append(bytes[index])
                index += 1
                continue
            }
            guard let (value, used) = try? DNSName.unescape(bytes, at: index) else { return nil }
            out.append(value)
            index += used
        }
        return out
    }

    /// Splits one line of presentation text: white space separates, `"` quotes (a `"` inside an
    /// unquoted token ends it, as dnspython does, so `alpn="h2"` is `alpn=` then `h2`), `;` starts a
    /// comment, parentheses are ignored. Nil on an unterminated quote or a trailing backslash.
    public static func split(_ text: some StringProtocol) -> [RDataToken]? {
        let bytes = Array(text.utf8)
        var tokens: [RDataToken] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: ";") { break }
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x28 || byte == 0x29 {
                index += 1
                continue
            }
            let quoted = byte == UInt8(ascii: "\"")
            var end = quoted ? index + 1 : index
            var raw: [UInt8] = []
            while end < bytes.count {
                let current = bytes[end]
                if quoted ? current == 0x22 : (current <= 0x20 || current == 0x22 || current == 0x3B
                    || current == 0x28 || current == 0x29) { break }
                if current == UInt8(ascii: "\\") {
                    guard end + 1 < bytes.count else { return nil }
                    raw.append(current)
                    end += 1
                }
                raw.append(bytes[end])
                end += 1
            }
            if quoted {
                guard end < bytes.count else { return nil }
                end += 1
            }
            tokens.append(RDataToken(raw: raw, quoted: quoted))
            index = end
        }
        return tokens
    }
}

/// Why presentation RDATA could not be parsed. The caller (a zone file or a configuration) is at
/// fault; a zone loader reports it with the token's line and column.
public struct RDataParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong with the field.
    public enum Reason: Hashable, Sendable {
        /// The field has no token.
        case missing
        /// The token is not in the field's form (number, name, address, encoding).
        case invalid
        /// A number above the field's range, or a character-string above 255 octets.
        case outOfRange
        /// Tokens left after the last field.
        case unexpectedToken
        /// A `\X` or `\DDD` escape that is cut short or above 255.
        case badEscape
        /// The same SvcParam key twice (RFC 9460 §2.2).
        case duplicateKey
        /// RFC 3597 `\#` data whose octet count differs from the stated length, or that does not decode.
        case lengthMismatch
        /// A type without a typed presentation form needs the RFC 3597 `\#` form.
        case genericFormRequired
    }

    /// The TYPE being parsed.
    public var type: RRType
    /// The field, named as in the type's RFC ("preference", "exchange", "digest").
    public var field: String
    /// Index of the offending token in the RDATA tokens; equal to the token count when one is missing.
    public var tokenIndex: Int
    /// What is wrong.
    public var reason: Reason

    /// An error in `field` of `type` RDATA at token `tokenIndex`.
    public init(type: RRType, field: String, tokenIndex: Int, reason: Reason) {
        self.type = type
        self.field = field
        self.tokenIndex = tokenIndex
        self.reason = reason
    }

    /// `TYPE field: reason (token n)`, counting tokens from 1.
    public var description: String {
        let what: String
        switch reason {
        case .missing: what = "missing"
        case .invalid: what = "invalid"
        case .outOfRange: what = "out of range"
        case .unexpectedToken: what = "unexpected token"
        case .badEscape: what = "bad escape"
        case .duplicateKey: what = "duplicate key"
        case .lengthMismatch: what = "length mismatch"
        case .genericFormRequired: what = "needs the RFC 3597 \\# form"
        }
        return "\(type) \(field): \(what) (token \(tokenIndex + 1))"
    }
}

/// TTL text with BIND's units (`1w2d`, `1h30m`, `3600`); RFC 2308 §4 uses it for `$TTL`.
public enum TTLText {
    /// Seconds for plain digits or (digits unit)+ with units s, m, h, d, w in either case; nil on
    /// another form or a value above `UInt32.max`.
    public static func parse(_ text: some StringProtocol) -> UInt32? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, isDigit(bytes[0]) else { return nil }
        if bytes.allSatisfy(isDigit) { return parseDecimal(bytes[...], max: UInt64(UInt32.max)).map(UInt32.init) }
        var total: UInt64 = 0
        var start = 0
        for (index, byte) in bytes.enumerated() where !isDigit(byte) {
            guard index > start, let value = parseDecimal(bytes[start..<index], max: UInt64(UInt32.max)),
                let unit = unitSeconds(byte)
            else { return nil }
            total += value * unit
            guard total <= UInt64(UInt32.max) else { return nil }
            start = index + 1
        }
        guard start == bytes.count else { return nil }
        return UInt32(total)
    }

    private static func unitSeconds(_ byte: UInt8) -> UInt64? {
        switch byte | 0x20 {
        case UInt8(ascii: "s"): 1
        case UInt8(ascii: "m"): 60
        case UInt8(ascii: "h"): 3600
        case UInt8(ascii: "d"): 86_400
        case UInt8(ascii: "w"): 604_800
        default: nil
        }
    }
}

/// Decimal digits only (no sign, no spaces) with a value at most `max`.
func parseDecimal(_ digits: ArraySlice<UInt8>, max: UInt64) -> UInt64? {
    guard !digits.isEmpty, digits.count <= 20 else { return nil }
    var value: UInt64 = 0
    for digit in digits {
        guard isDigit(digit) else { return nil }
        let (times, overflowA) = value.multipliedReportingOverflow(by: 10)
        let (sum, overflowB) = times.addingReportingOverflow(UInt64(digit - 48))
        guard !overflowA, !overflowB, sum <= max else { return nil }
        value = sum
    }
    return value
}

