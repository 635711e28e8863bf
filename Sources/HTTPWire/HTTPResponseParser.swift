/// Turns the bytes of a connection into responses, incrementally: what the simulated updater
/// clients read. Responses to HEAD are out of scope. A body is framed by Content-Length, chunked
/// coding, or (with neither) the end of the stream, signalled by `finish()` (RFC 9112 §6.3).
public struct HTTPResponseParser: Sendable {
    private var reader: MessageReader
    private var pending: PendingResponse?
    private var failure: HTTPParseError?

    private struct PendingResponse: Sendable {
        var response: HTTPResponse
        var framing: BodyFraming
    }

    /// A parser with the bounds `limits` (the request-line bound applies to the status line).
    public init(limits: HTTPLimits = .standard) {
        reader = MessageReader(limits: limits, startLineTooLong: .malformed("status line too long"))
    }

    /// Buffers bytes read from the connection.
    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        reader.append(bytes)
    }

    /// True while bytes of a response that is not complete are buffered.
    public var hasPartialResponse: Bool { pending != nil || reader.unreadByteCount > 0 }

    /// The next complete response, nil if more bytes are needed.
    public mutating func nextResponse() throws(HTTPParseError) -> HTTPResponse? {
        if let failure { throw failure }
        do {
            if pending == nil {
                guard let head = try reader.readHead() else { return nil }
                pending = try Self.response(from: head, limits: reader.limits)
            }
            guard var current = pending, let body = try reader.readBody(current.framing) else { return nil }
            pending = nil
            current.response.body = body
            return current.response
        } catch {
            failure = error
            throw error
        }
    }

    /// The peer closed the connection: returns the next buffered response, completing one whose
    /// body runs to the end of the stream; nil once nothing is buffered; 400 "incomplete response"
    /// if the close cut a response short. Call it until it returns nil.
    public mutating func finish() throws(HTTPParseError) -> HTTPResponse? {
        if let failure { throw failure }
        if let response = try nextResponse() {
            // A complete response is still buffered; the caller drains the rest with nextResponse().
            return response
        }
        if var current = pending, current.framing == .untilClose {
            pending = nil
            current.response.body = reader.finishBody()
            return current.response
        }
        guard !hasPartialResponse else {
            let error = HTTPParseError.malformed("incomplete response")
            failure = error
            throw error
        }
        return nil
    }

    /// Parses exactly one complete response; a close-delimited body runs to the end of `bytes`.
    public static func parse(_ bytes: [UInt8], limits: HTTPLimits = .standard) throws(HTTPParseError) -> HTTPResponse {
        var parser = HTTPResponseParser(limits: limits)
        parser.append(bytes)
        guard let response = try parser.finish() else { throw .malformed("incomplete response") }
        guard !parser.hasPartialResponse else { throw .malformed("bytes after the response") }
        return response
    }

    private static func response(from head: RawHead, limits: HTTPLimits) throws(HTTPParseError) -> PendingResponse {
        let line = try HeaderSyntax.statusLine(head.startLine)
        var headers: [HTTPHeader] = []
        headers.reserveCapacity(head.headerLines.count)
        for raw in head.headerLines { headers.append(try HeaderSyntax.header(from: raw)) }
        var framing = BodyFraming.empty
        // RFC 9112 §6.3 rule 1: 1xx, 204 and 304 have no body whatever the headers say.
        if line.status >= 200 && line.status != 204 && line.status != 304 {
            framing = try HeaderSyntax.framing(headers, limits: limits, otherwise: .untilClose)
        }
        let response = HTTPResponse(status: line.status, reason: line.reason, headers: headers)
        return PendingResponse(response: response, framing: framing)
    }
}
