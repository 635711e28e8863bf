/// Syntax of start lines and header fields (RFC 9110 §5, RFC 9112 §3, §4, §5).
enum HeaderSyntax {
    /// One `name: value` line: the name a token directly followed by ":", the value trimmed of OWS.
    /// Obsolete line folding (a line starting with SP or HT) is rejected (RFC 9112 §5.2).
    static func header(from line: [UInt8]) throws(HTTPParseError) -> HTTPHeader {
        guard let first = line.first else { throw .malformed("bad header line") }
        if first == SP || first == HT { throw .malformed("obsolete line folding") }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            try checkFieldBytes(line[...])
            throw .malformed("bad header line")
        }
        let name = line[..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenByte) else {
            try checkFieldBytes(name)
            throw .malformed("bad header name")
        }
        var start = colon + 1
        var end = line.count
        while start < end && (line[start] == SP || line[start] == HT) { start += 1 }
        while end > start && (line[end - 1] == SP || line[end - 1] == HT) { end -= 1 }
        let value = line[start..<end]
        try checkFieldBytes(value)
        return HTTPHeader(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    /// Rejects NUL, a CR that does not end the line, and other control characters (HT is allowed).
    static func checkFieldBytes(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) {
        for byte in bytes where byte < 0x20 || byte == 0x7F {
            switch byte {
            case HT: continue
            case 0: throw .malformed("NUL in message head")
            case CR: throw .malformed("bare CR in message head")
            default: throw .malformed("control character in message head")
            }
        }
    }

    /// RFC 9110 §5.6.2 tchar.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            switch byte {
            case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
                UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
                return true
            default:
                return false
            }
        }
    }

    /// `HTTP/1.0` and `HTTP/1.1` pass; another well-formed version is 505, anything else 400.
    static func checkVersion(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        if text == "HTTP/1.1" || text == "HTTP/1.0" { return text }
        let number = bytes.dropFirst(5)
        if text.hasPrefix("HTTP/"), !number.isEmpty, number.count <= 8,
            number.allSatisfy({ $0 == UInt8(ascii: ".") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            number.first != UInt8(ascii: ".")
        {
            throw .unsupportedVersion
        }
        throw .malformed("bad HTTP version")
    }

    /// `method SP request-target SP HTTP-version` (RFC 9112 §3).
    static func requestLine(_ line: [UInt8]) throws(HTTPParseError) -> (method: String, target: String, version: String)
    {
        try checkFieldBytes(line[...])
        let parts = line.split(separator: SP, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else { throw .malformed("bad request line") }
        guard parts[0].allSatisfy(isTokenByte) else { throw .malformed("bad request method") }
        let version = try checkVersion(parts[2])
        guard !parts[1].contains(HT), let target = String(validating: parts[1], as: UTF8.self) else {
            throw .malformed("bad request target")
        }
        return (String(decoding: parts[0], as: UTF8.self), target, version)
    }

    /// `HTTP-version SP status-code SP [ reason-phrase ]` (RFC 9112 §4); the space before an empty
    /// reason may be missing.
    static func statusLine(_ line: [UInt8]) throws(HTTPParseError) -> (version: String, status: Int, reason: String) {
        try checkFieldBytes(line[...])
        let parts = line.split(separator: SP, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2 else { throw .malformed("bad status line") }
        let version = try checkVersion(parts[0])
        let code = parts[1]
        guard code.count == 3, code.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            code.first != UInt8(ascii: "0")
        else {
            throw .malformed("bad status code")
        }
        let status = code.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        let reason = parts.count == 3 ? String(decoding: parts[2], as: UTF8.self) : ""
        return (version, status, reason)
    }

    /// RFC 9112 §6.1, §6.3: both framing headers is 400; a coding list other than `chunked` is 501.
    /// Without either, the body is empty for a request and `otherwise` for a response.
    static func framing(
        _ headers: [HTTPHeader], limits: HTTPLimits,
        otherwise: BodyFraming
    ) throws(HTTPParseError) -> BodyFraming {
        var codings: [String] = []
        var lengths: [String] = []
        for header in headers {
            switch header.name.lowercased() {
            case "transfer-encoding": codings.append(header.value)
            case "content-length": lengths.append(header.value)
            default: continue
            }
        }
        if !codings.isEmpty {
            if !lengths.isEmpty { throw .malformed("both Content-Length and Transfer-Encoding") }
            let list = codings.joined(separator: ",").split(separator: ",")
                .map { $0.trimmingOWS().lowercased() }.filter { !$0.isEmpty }
            guard list == ["chunked"] else { throw .unsupportedTransferEncoding }
            return .chunked
        }
        guard !lengths.isEmpty else { return otherwise }
        let length = try contentLength(lengths)
        if length > limits.maxBodyBytes { throw .bodyTooLarge }
        return length == 0 ? .empty : .length(length)
    }

    /// One Content-Length from one or more fields, each possibly a list of identical values.
    static func contentLength(_ values: [String]) throws(HTTPParseError) -> Int {
        var result: Int?
        for element in values.joined(separator: ",").split(separator: ",", omittingEmptySubsequences: false) {
            let digits = element.trimmingOWS()
            guard !digits.isEmpty, digits.count <= 18,
                digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                let value = Int(digits)
            else {
                throw .malformed("bad Content-Length")
            }
            if let result, result != value { throw .malformed("conflicting Content-Length values") }
            result = value
        }
        guard let result else { throw .malformed("bad Content-Length") }
        return result
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (RFC 9110 §5.6.3 OWS).
    func trimmingOWS() -> Substring {
        guard let first = firstIndex(where: { $0 != " " && $0 != "\t" }) else { return self[endIndex...] }
        let last = lastIndex(where: { $0 != " " && $0 != "\t" }) ?? first
        return self[first...last]
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (RFC 9110 §5.6.3 OWS).
    func trimmingOWS() -> Substring { self[...].trimmingOWS() }
}
