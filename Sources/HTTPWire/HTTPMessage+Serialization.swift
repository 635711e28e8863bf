/// Messages back to bytes, builders and the reason-phrase table.

extension HTTPRequest {
    /// The request as HTTP/1.x bytes: request line, headers in order, a blank line, the body.
    /// Adds `Content-Length` when neither framing header is present and the request has a body or a
    /// method that expects one (POST, PUT, PATCH).
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + target.utf8.count + body.count)
        out.append(contentsOf: "\(method) \(target) \(version)\r\n".utf8)
        let needsLength = !body.isEmpty || ["POST", "PUT", "PATCH"].contains(method)
        HTTPSerialization.writeHeadersAndBody(headers, body: body, addLength: needsLength, into: &out)
        return out
    }

    /// A GET request for `target` (origin or absolute form) with its path and query decoded.
    /// Throws 400 for a target that does not decode.
    public static func get(_ target: String, headers: [HTTPHeader] = []) throws(HTTPParseError) -> HTTPRequest {
        let parsed = try RequestTarget(parsing: target)
        return HTTPRequest(method: "GET", target: target, path: parsed.path, query: parsed.query, headers: headers)
    }

    /// A POST of `items` as `application/x-www-form-urlencoded` to `target`.
    public static func postForm(
        _ target: String, _ items: [FormItem],
        headers: [HTTPHeader] = []
    ) throws(HTTPParseError) -> HTTPRequest {
        let parsed = try RequestTarget(parsing: target)
        let body = Array(FormEncoding.encode(items).utf8)
        return HTTPRequest(
            method: "POST", target: target, path: parsed.path, query: parsed.query,
            headers: headers + [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")],
            body: body)
    }

    /// The body's form items when `Content-Type` is `application/x-www-form-urlencoded` (parameters
    /// such as `charset` ignored), else []. Throws 400 "bad percent-encoding in body" and the like.
    public func bodyFormItems() throws(HTTPParseError) -> [FormItem] {
        guard let contentType = header("Content-Type") else { return [] }
        let mediaType = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard mediaType.trimmingOWS().lowercased() == "application/x-www-form-urlencoded" else { return [] }
        guard let text = String(validating: body, as: UTF8.self) else {
            throw HTTPParseError.invalidUTF8.located(in: "body")
        }
        do {
            return try FormEncoding.decode(text)
        } catch {
            throw error.located(in: "body")
        }
    }
}

extension HTTPResponse {
    /// The response as HTTP/1.1 bytes: status line, headers in order, a blank line, the body.
    /// Adds `Content-Length` when neither framing header is present (except for 1xx, 204 and 304);
    /// with `Transfer-Encoding: chunked` the body is written as one chunk and the last chunk.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + body.count)
        out.append(contentsOf: "HTTP/1.1 \(status) \(reason)\r\n".utf8)
        let bodyless = status < 200 || status == 204 || status == 304
        HTTPSerialization.writeHeadersAndBody(headers, body: body, addLength: !bodyless, into: &out)
        return out
    }

    /// A response with `status`, its standard reason phrase, and `body` as `text/plain; charset=utf-8`.
    public static func text(status: Int, _ body: String) -> HTTPResponse {
        HTTPResponse(
            status: status, reason: reasonPhrase(for: status),
            headers: [HTTPHeader("Content-Type", "text/plain; charset=utf-8")], body: Array(body.utf8))
    }

    /// A response with `status` and `value` as compact `application/json`.
    public static func json(status: Int, _ value: JSON) -> HTTPResponse {
        HTTPResponse(
            status: status, reason: reasonPhrase(for: status),
            headers: [HTTPHeader("Content-Type", "application/json")], body: value.serialized)
    }

    /// A response with `status` and `body` as `text/html; charset=utf-8`.
    public static func html(status: Int, _ body: String) -> HTTPResponse {
        HTTPResponse(
            status: status, reason: reasonPhrase(for: status),
            headers: [HTTPHeader("Content-Type", "text/html; charset=utf-8")], body: Array(body.utf8))
    }

    /// The first value of the header named `name` (case-insensitive).
    public func header(_ name: String) -> String? { headerValues(name).first }

    /// The standard reason phrase for `status` (RFC 9110 §15), "Unknown" for codes not in the table.
    public static func reasonPhrase(for status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 410: "Gone"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: "Unknown"
        }
    }

    /// The response a server sends for a request that failed to parse: `error.status` with the
    /// reason as a plain-text body, and `Connection: close`.
    public static func parseFailure(_ error: HTTPParseError) -> HTTPResponse {
        var response = text(status: error.status, error.reason + "\n")
        response.headers.append(HTTPHeader("Connection", "close"))
        return response
    }
}

enum HTTPSerialization {
    static func writeHeadersAndBody(_ headers: [HTTPHeader], body: [UInt8], addLength: Bool, into out: inout [UInt8]) {
        var hasLength = false
        var chunked = false
        for header in headers {
            out.append(contentsOf: header.name.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: header.value.utf8)
            out.append(contentsOf: "\r\n".utf8)
            switch header.name.lowercased() {
            case "content-length": hasLength = true
            case "transfer-encoding": chunked = header.value.lowercased().contains("chunked")
            default: break
            }
        }
        if addLength && !hasLength && !chunked {
            out.append(contentsOf: "Content-Length: \(body.count)\r\n".utf8)
        }
        out.append(contentsOf: "\r\n".utf8)
        guard chunked else {
            out.append(contentsOf: body)
            return
        }
        if !body.isEmpty {
            out.append(contentsOf: String(body.count, radix: 16).utf8)
            out.append(contentsOf: "\r\n".utf8)
            out.append(contentsOf: body)
            out.append(contentsOf: "\r\n".utf8)
        }
        out.append(contentsOf: "0\r\n\r\n".utf8)
    }
}

extension HTTPRequest {
    /// A request whose path and query are decoded from `target` (origin or absolute form).
    /// Throws 400 for a target that does not decode.
    public init(method: String, target: String, headers: [HTTPHeader] = [], body: [UInt8] = [])
        throws(HTTPParseError)
    {
        let parsed = try RequestTarget(parsing: target)
        self.init(method: method, target: target, path: parsed.path, query: parsed.query, headers: headers, body: body)
    }

    /// Whether the connection stays open after this request (RFC 9112 §9.3): HTTP/1.1 unless
    /// `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`.
    public var keepsConnectionOpen: Bool {
        let options = headers.connectionOptions
        if options.contains("close") { return false }
        return version == "HTTP/1.1" || options.contains("keep-alive")
    }
}

extension HTTPResponse {
    /// Whether the response announces that the server closes the connection (`Connection: close`).
    public var closesConnection: Bool {
        headers.connectionOptions.contains("close")
    }
}
