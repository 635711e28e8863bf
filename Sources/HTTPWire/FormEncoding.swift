/// Percent-encoding (RFC 3986 §2.1) and `application/x-www-form-urlencoded` (WHATWG URL §5).
///
/// Decoding is strict: a `%` not followed by two hex digits, or decoded octets that are not UTF-8,
/// is a 400 error rather than a guess, so the server never acts on a name it misread.
public enum FormEncoding {
    /// Decodes `name=value&name=value` into items in order, duplicates kept. `+` is a space, `%XX`
    /// an octet; an item without `=` has the value ""; empty items (`a=1&&b=2`) are skipped.
    public static func decode(_ text: Substring) throws(HTTPParseError) -> [FormItem] {
        var items: [FormItem] = []
        for piece in text.split(separator: "&", omittingEmptySubsequences: true) {
            let name: Substring
            let value: Substring
            if let equals = piece.firstIndex(of: "=") {
                name = piece[..<equals]
                value = piece[piece.index(after: equals)...]
            } else {
                name = piece
                value = ""
            }
            items.append(
                FormItem(
                    try percentDecode(name, plusAsSpace: true),
                    try percentDecode(value, plusAsSpace: true)))
        }
        return items
    }

    /// Decodes a form-encoded string; see `decode(_:)` for `Substring`.
    public static func decode(_ text: String) throws(HTTPParseError) -> [FormItem] {
        try decode(text[...])
    }

    /// Replaces each `%XX` with its octet (and `+` with a space when `plusAsSpace`), then reads the
    /// octets as UTF-8. Throws 400 "bad percent-encoding" or "invalid UTF-8".
    public static func percentDecode(_ text: String, plusAsSpace: Bool) throws(HTTPParseError) -> String {
        try percentDecode(text[...], plusAsSpace: plusAsSpace)
    }

    /// `percentDecode(_:plusAsSpace:)` over a substring.
    public static func percentDecode(_ text: Substring, plusAsSpace: Bool) throws(HTTPParseError) -> String {
        let utf8 = text.utf8
        if !utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusAsSpace && $0 == UInt8(ascii: "+")) }) {
            return String(text)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            index = utf8.index(after: index)
            if byte == UInt8(ascii: "+") && plusAsSpace {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                guard index != utf8.endIndex, let high = hexValue(utf8[index]) else { throw .badPercentEncoding }
                index = utf8.index(after: index)
                guard index != utf8.endIndex, let low = hexValue(utf8[index]) else { throw .badPercentEncoding }
                index = utf8.index(after: index)
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8 }
        return decoded
    }

    /// Percent-encodes every octet of `text`'s UTF-8 except the RFC 3986 unreserved characters
    /// (`A-Z a-z 0-9 - . _ ~`), so the result is safe as a path segment, query name or value.
    public static func encodeComponent(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Encodes items as `name=value&…` with `encodeComponent` on each side, in order.
    public static func encode(_ items: [FormItem]) -> String {
        items.map { encodeComponent($0.name) + "=" + encodeComponent($0.value) }.joined(separator: "&")
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)
}

extension HTTPParseError {
    static let badPercentEncoding = HTTPParseError.malformed("bad percent-encoding")
    static let invalidUTF8 = HTTPParseError.malformed("invalid UTF-8")

    /// The same error with " in `place`" appended to the reason ("bad percent-encoding in query").
    func located(in place: String) -> HTTPParseError {
        HTTPParseError(status: status, reason: reason + " in " + place)
    }
}

/// A request-target split into its decoded path and query (RFC 9112 §3.2).
struct RequestTarget {
    var path: String
    var query: [FormItem]

    /// Accepts origin form (`/path?query`), absolute form (`http://host/path?query`) and `*`.
    /// A fragment (`#…`), which clients should not send, is dropped.
    init(parsing target: String) throws(HTTPParseError) {
        var rest = target[...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        if rest == "*" {
            path = "*"
            query = []
            return
        }
        if !rest.hasPrefix("/") {
            guard let schemeEnd = rest.firstRange(of: "://"), RequestTarget.isScheme(rest[..<schemeEnd.lowerBound])
            else {
                throw .malformed("bad request target")
            }
            let afterAuthority = rest[schemeEnd.upperBound...]
            guard let pathStart = afterAuthority.firstIndex(where: { $0 == "/" || $0 == "?" }) else {
                path = "/"
                query = []
                return
            }
            rest = afterAuthority[pathStart...]
        }
        var rawPath = rest
        var rawQuery: Substring = ""
        if let question = rest.firstIndex(of: "?") {
            rawPath = rest[..<question]
            rawQuery = rest[rest.index(after: question)...]
        }
        do {
            path = try FormEncoding.percentDecode(rawPath, plusAsSpace: false)
            if path.isEmpty { path = "/" }
        } catch { throw error.located(in: "path") }
        do {
            query = try FormEncoding.decode(rawQuery)
        } catch { throw error.located(in: "query") }
    }

    /// RFC 3986 §3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
    static func isScheme(_ text: Substring) -> Bool {
        guard let first = text.utf8.first, (first | 0x20) >= UInt8(ascii: "a"), (first | 0x20) <= UInt8(ascii: "z")
        else { return false }
        return text.utf8.allSatisfy {
            FormEncoding.isUnreserved($0) && $0 != UInt8(ascii: "_") && $0 != UInt8(ascii: "~")
                || $0 == UInt8(ascii: "+")
        }
    }
}
