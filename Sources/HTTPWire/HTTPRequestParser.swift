/// Turns the bytes of a connection into requests, incrementally (RFC 9112).
///
/// Bytes may arrive in any split; several requests may be pipelined in one read. Bodies are framed
/// by Content-Length or chunked transfer coding; a request with neither has an empty body. After an
/// error the parser stays failed and throws the same error: the server answers its status and
/// closes the connection, because the framing of what follows is unknown.
///
/// ```swift
/// var parser = HTTPRequestParser()
/// parser.append(bytes)
/// while let request = try parser.nextRequest() { … }
/// ```
public struct HTTPRequestParser: Sendable {
    private var reader: MessageReader
    private var pending: PendingRequest?
    private var failure: HTTPParseError?

    private struct PendingRequest: Sendable {
        var request: HTTPRequest
        var framing: BodyFraming
    }

    /// A parser with the bounds `limits`.
    public init(limits: HTTPLimits = .standard) {
        reader = MessageReader(limits: limits, startLineTooLong: .requestLineTooLong)
    }

    /// The bounds in force.
    public var limits: HTTPLimits { reader.limits }

    /// Buffers bytes read from the connection.
    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        reader.append(bytes)
    }

    /// True while bytes of a request that is not complete are buffered (a close now cuts it off).
    public var hasPartialRequest: Bool { pending != nil || reader.unreadByteCount > 0 }

    /// The next complete request, nil if more bytes are needed.
    public mutating func nextRequest() throws(HTTPParseError) -> HTTPRequest? {
        if let failure { throw failure }
        do {
            if pending == nil {
                guard let head = try reader.readHead() else { return nil }
                pending = try Self.request(from: head, limits: reader.limits)
            }
            guard var current = pending, let body = try reader.readBody(current.framing) else { return nil }
            pending = nil
            current.request.body = body
            return current.request
        } catch {
            failure = error
            throw error
        }
    }

    /// Parses exactly one complete request: 400 "incomplete request" if the bytes end early,
    /// 400 "bytes after the request" if more follow.
    public static func parse(_ bytes: [UInt8], limits: HTTPLimits = .standard) throws(HTTPParseError) -> HTTPRequest {
        var parser = HTTPRequestParser(limits: limits)
        parser.append(bytes)
        guard let request = try parser.nextRequest() else { throw .malformed("incomplete request") }
        guard !parser.hasPartialRequest else { throw .malformed("bytes after the request") }
        return request
    }

    private static func request(from head: RawHead, limits: HTTPLimits) throws(HTTPParseError) -> PendingRequest {
        let line = try HeaderSyntax.requestLine(head.startLine)
        var headers: [HTTPHeader] = []
        headers.reserveCapacity(head.headerLines.count)
        for raw in head.headerLines { headers.append(try HeaderSyntax.header(from: raw)) }
        let framing = try HeaderSyntax.framing(headers, limits: limits, otherwise: .empty)
        let target = try RequestTarget(parsing: line.target)
        let request = HTTPRequest(
            method: line.method, target: line.target, path: target.path, query: target.query,
            version: line.version, headers: headers)
        return PendingRequest(request: request, framing: framing)
    }
}
