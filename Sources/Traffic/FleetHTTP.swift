import HTTPWire

/// The HTTP/1.x pieces the update clients need. Requests are written byte for byte as the clients
/// write them (inadyn fills a format string; the FRITZ!Box substitutes without escaping), so they
/// are not built from `HTTPRequest` values, whose initialiser decodes and checks the target.
enum FleetHTTP {
    /// `<method> <target> <version>`, the headers in order, an empty line; no body.
    static func request(method: String = "GET", target: String, version: String = "HTTP/1.1",
                        headers: [(String, String)]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + target.utf8.count)
        out.append(contentsOf: "\(method) \(target) \(version)\r\n".utf8)
        for (name, value) in headers {
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: value.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        out.append(contentsOf: "\r\n".utf8)
        return out
    }

    /// `Basic base64(<user>:<password>)` (RFC 7617).
    static func basic(user: String, password: String) -> String {
        "Basic " + Base64.encode(Array("\(user):\(password)".utf8))
    }

    /// The first complete response in `bytes` (the whole message the connection delivered; a body
    /// without framing runs to its end); nil when it does not parse.
    static func parseResponse(_ bytes: [UInt8]) -> HTTPResponse? {
        var parser = HTTPResponseParser()
        parser.append(bytes)
        return try? parser.finish()
    }
}
