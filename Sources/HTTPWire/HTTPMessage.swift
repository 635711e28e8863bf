/// HTTP/1.x messages as values: what the web server's sans-IO component takes and returns, and what
/// the simulated updater clients send and read. No I/O; standard library only.
///
/// `HTTPRequestParser`/`HTTPResponseParser` turn bytes into these values with named bounds
/// (`HTTPLimits`); `serialized()` turns them back into bytes.

/// One header field as sent: the name keeps its case, lookups ignore it (RFC 9110 §5.1).
public struct HTTPHeader: Hashable, Sendable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

extension [HTTPHeader] {
    /// The values of every header named `name` (case-insensitive), in order.
    func values(named name: String) -> [String] {
        let wanted = name.lowercased()
        return filter { $0.name.lowercased() == wanted }.map(\.value)
    }

    /// The lowercased options of every `Connection` header (RFC 9110 §7.6.1).
    var connectionOptions: [String] {
        values(named: "Connection").flatMap { $0.split(separator: ",") }.map { $0.trimmingOWS().lowercased() }
    }
}

/// One `name=value` pair of a query string or an `application/x-www-form-urlencoded` body, decoded.
/// Order and duplicates are kept: which of two `hostname=` wins is the server's decision.
public struct FormItem: Hashable, Sendable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A request: method, target, headers and body, with the target's path and query decoded.
public struct HTTPRequest: Hashable, Sendable {
    public var method: String
    /// The request-target as sent (origin form `/path?query`, or absolute form).
    public var target: String
    /// The percent-decoded path of the target.
    public var path: String
    /// The decoded query items of the target, in order.
    public var query: [FormItem]
    /// `HTTP/1.0` or `HTTP/1.1`.
    public var version: String
    public var headers: [HTTPHeader]
    public var body: [UInt8]

    /// A request with its target's path and query already decoded.
    public init(method: String, target: String, path: String, query: [FormItem], version: String = "HTTP/1.1",
                headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// The values of every header named `name` (case-insensitive), in order.
    public func headerValues(_ name: String) -> [String] { headers.values(named: name) }

    /// The first value of the header named `name`.
    public func header(_ name: String) -> String? { headerValues(name).first }
}

/// A response: status, headers, body.
public struct HTTPResponse: Hashable, Sendable {
    public var status: Int
    public var reason: String
    public var headers: [HTTPHeader]
    public var body: [UInt8]

    public init(status: Int, reason: String, headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
    }

    /// The values of every header named `name` (case-insensitive), in order.
    public func headerValues(_ name: String) -> [String] { headers.values(named: name) }

    /// The body as text (lossy for bytes that are not UTF-8).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
