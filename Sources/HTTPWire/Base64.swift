/// Base64 with the standard alphabet (RFC 4648 §4), for HTTP Basic credentials.
public enum Base64 {
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// `bytes` encoded with `=` padding.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let b0 = UInt32(bytes[index])
            let b1 = remaining > 1 ? UInt32(bytes[index + 1]) : 0
            let b2 = remaining > 2 ? UInt32(bytes[index + 2]) : 0
            let group = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(group >> 18 & 0x3F)])
            out.append(alphabet[Int(group >> 12 & 0x3F)])
            out.append(remaining > 1 ? alphabet[Int(group >> 6 & 0x3F)] : UInt8(ascii: "="))
            out.append(remaining > 2 ? alphabet[Int(group & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The octets of `text`, or nil for anything but the standard alphabet with correct or missing
    /// padding (whitespace, the URL-safe alphabet, a stray `=` and a 1-character tail are rejected).
    /// Non-zero bits after the last octet are ignored, as most decoders do.
    public static func decode(_ text: String) -> [UInt8]? {
        var symbols = Array(text.utf8)
        if symbols.count % 4 == 0, symbols.last == UInt8(ascii: "=") {
            symbols.removeLast()
            if symbols.last == UInt8(ascii: "=") { symbols.removeLast() }
        }
        guard symbols.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(symbols.count * 3 / 4)
        var group: UInt32 = 0
        var count = 0
        for symbol in symbols {
            guard let value = sextet(symbol) else { return nil }
            group = group << 6 | UInt32(value)
            count += 1
            if count == 4 {
                out.append(UInt8(truncatingIfNeeded: group >> 16))
                out.append(UInt8(truncatingIfNeeded: group >> 8))
                out.append(UInt8(truncatingIfNeeded: group))
                group = 0
                count = 0
            }
        }
        if count == 2 {
            out.append(UInt8(truncatingIfNeeded: group >> 4))
        } else if count == 3 {
            out.append(UInt8(truncatingIfNeeded: group >> 10))
            out.append(UInt8(truncatingIfNeeded: group >> 2))
        }
        return out
    }

    private static func sextet(_ symbol: UInt8) -> UInt8? {
        switch symbol {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): symbol - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): symbol - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): symbol - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}

/// Credentials from an `Authorization` header (RFC 9110 §11.6.2, RFC 7617 Basic, RFC 6750 Bearer).
///
/// Parsing is lenient, as updater clients are: the scheme is case-insensitive, `Token` is taken as
/// Bearer, and a value that repeats the header name (IPv64-iOS sends
/// `Authorization: Authorization: Bearer <key>`) is read past the repetition.
public enum HTTPCredentials: Hashable, Sendable {
    /// `Basic base64(user:password)`.
    case basic(user: String, password: String)
    /// `Bearer <token>` or `Token <token>`.
    case bearer(String)

    /// The credentials in one header value, nil for an unknown scheme, a missing token or invalid
    /// base64. Basic credentials without a colon, or not UTF-8, become a user with password "".
    public static func parse(authorization value: String) -> HTTPCredentials? {
        var rest = value.trimmingOWS()
        while rest.lowercased().hasPrefix("authorization:") {
            rest = rest.dropFirst("authorization:".count).trimmingOWS()
        }
        let schemeEnd = rest.firstIndex(where: { $0 == " " || $0 == "\t" }) ?? rest.endIndex
        let scheme = rest[..<schemeEnd].lowercased()
        let parameter = String(rest[schemeEnd...].trimmingOWS())
        guard !parameter.isEmpty else { return nil }
        switch scheme {
        case "basic":
            guard let decoded = Base64.decode(parameter) else { return nil }
            guard let text = String(validating: decoded, as: UTF8.self), let colon = text.firstIndex(of: ":") else {
                return .basic(user: String(decoding: decoded, as: UTF8.self), password: "")
            }
            return .basic(user: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
        case "bearer", "token":
            return .bearer(parameter)
        default:
            return nil
        }
    }

    /// The header value that sends these credentials (`Basic …` or `Bearer …`).
    public var authorizationValue: String {
        switch self {
        case .basic(let user, let password): "Basic " + Base64.encode(Array((user + ":" + password).utf8))
        case .bearer(let token): "Bearer " + token
        }
    }
}

extension HTTPRequest {
    /// Every parseable `Authorization` header's credentials, in order.
    public var credentials: [HTTPCredentials] {
        headerValues("Authorization").compactMap { HTTPCredentials.parse(authorization: $0) }
    }
}
