/// Named bounds for parsing HTTP/1.x messages (STYLE.md §5). Crossing one is a handled outcome: an
/// `HTTPParseError` carrying the status to answer with (414, 431, 413).
public struct HTTPLimits: Hashable, Sendable {
    /// The longest request line (or status line), without its line ending. Past it: 414.
    public var maxRequestLineBytes: Int
    /// All header lines together, line endings included. Past it: 431.
    public var maxHeaderBytes: Int
    /// The most header fields in one message. Past it: 431.
    public var maxHeaderCount: Int
    /// The largest body after chunked decoding. Past it: 413.
    public var maxBodyBytes: Int

    /// Bounds with nginx-like defaults: 8 KiB request line, 16 KiB of headers, 100 fields, 64 KiB body.
    public init(
        maxRequestLineBytes: Int = 8192, maxHeaderBytes: Int = 16384, maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 65536
    ) {
        precondition(maxRequestLineBytes > 0 && maxHeaderBytes > 0, "limits must be positive")
        precondition(maxHeaderCount >= 0 && maxBodyBytes >= 0, "limits must not be negative")
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
    }

    /// The default bounds.
    public static let standard = HTTPLimits()
}

/// Why a message could not be parsed, and the HTTP status to answer with.
///
/// The peer is at fault for every one of these (STYLE.md §6): the server answers `status` with
/// `reason` and closes the connection. Reasons are short English phrases that never contain words
/// updater clients take for success (good, nochg, ok, success, updated).
public struct HTTPParseError: Error, Hashable, Sendable {
    /// The status to answer with: 400, 413, 414, 431, 501 or 505.
    public var status: Int
    /// A short description such as "bad percent-encoding in query".
    public var reason: String

    /// An error answered with `status`.
    public init(status: Int, reason: String) {
        self.status = status
        self.reason = reason
    }

    /// The class of failure, derived from `status`.
    public enum Kind: Hashable, Sendable {
        /// 400: the bytes do not form a valid message.
        case malformed
        /// 414: the request line is longer than `HTTPLimits.maxRequestLineBytes`.
        case requestLineTooLong
        /// 431: too many header bytes or fields.
        case headersTooLarge
        /// 413: the body is longer than `HTTPLimits.maxBodyBytes`.
        case bodyTooLarge
        /// 501: a transfer coding other than chunked.
        case unsupportedTransferEncoding
        /// 505: a version other than HTTP/1.0 and HTTP/1.1.
        case unsupportedVersion
    }

    /// The class of failure.
    public var kind: Kind {
        switch status {
        case 414: .requestLineTooLong
        case 431: .headersTooLarge
        case 413: .bodyTooLarge
        case 501: .unsupportedTransferEncoding
        case 505: .unsupportedVersion
        default: .malformed
        }
    }

    static func malformed(_ reason: String) -> HTTPParseError { HTTPParseError(status: 400, reason: reason) }
    static let requestLineTooLong = HTTPParseError(status: 414, reason: "request line too long")
    static let headersTooLarge = HTTPParseError(status: 431, reason: "header section too large")
    static let tooManyHeaders = HTTPParseError(status: 431, reason: "too many header fields")
    static let bodyTooLarge = HTTPParseError(status: 413, reason: "body too large")
    static let unsupportedTransferEncoding = HTTPParseError(status: 501, reason: "unsupported transfer coding")
    static let unsupportedVersion = HTTPParseError(status: 505, reason: "unsupported HTTP version")
}
