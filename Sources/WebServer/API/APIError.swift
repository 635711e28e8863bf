import HTTPWire

/// Why the REST API refused a request: an HTTP status, a stable code and a message in words
/// (docs/openapi.yaml, `Error`). Always the peer's fault (bad input, no permission, a limit); a
/// failure of our own storage is `internalFailure` (500), never blamed on the client.
///
/// The body is `{"error": {"code": …, "message": …}}`. Updater clients grep bodies for good,
/// nochg, ok, success and updated (dyndns.md §2.1), so no error body may contain those letters
/// in any case: messages are written without them (a token is a "key" here) and a value echoed
/// from the request that contains one is left out (`APIError.quote`).
public struct APIError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The stable machine-readable code (the `Error.code` enum of docs/openapi.yaml).
    public enum Code: String, Hashable, Sendable, CaseIterable {
        /// 400: the request as a whole is malformed (no body, a bad query parameter).
        case badRequest = "bad_request"
        /// 400: the body is not a JSON object.
        case invalidJSON = "invalid_json"
        /// 400: the body names a field the operation does not know.
        case unknownField = "unknown_field"
        /// 400: a field (or a path segment) has the wrong type or value.
        case invalidField = "invalid_field"
        /// 401: no credential, or an unknown one.
        case unauthorized
        /// 403: outside the token's scope.
        case forbidden
        /// 403: the account class's domain limit is reached.
        case limitReached = "limit_reached"
        /// 404: no such path, or nothing of that name in the account.
        case notFound = "not_found"
        /// 405: the path has no such method.
        case methodNotAllowed = "method_not_allowed"
        /// 409: the change clashes with what exists.
        case conflict
        /// 413: the body is too large.
        case payloadTooLarge = "payload_too_large"
        /// 415: the body is not `application/json`.
        case unsupportedMediaType = "unsupported_media_type"
        /// 422: well-formed but impossible here.
        case unprocessable
        /// 429: the account's call window is full.
        case rateLimited = "rate_limited"
        /// 500 or 503: our storage failed.
        case internalFailure = "internal_failure"
    }

    /// The HTTP status.
    public var status: Int
    /// The code.
    public var code: Code
    /// What was wrong, in words.
    public var message: String
    /// Extra response headers (`WWW-Authenticate`, `Allow`, `Retry-After`).
    public var headers: [HTTPHeader]

    /// An error with every field given.
    public init(status: Int, code: Code, _ message: String, headers: [HTTPHeader] = []) {
        precondition((400...599).contains(status), "an API error is a 4xx or 5xx")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(status) \(code.rawValue): \(message)" }

    /// The words no error body may contain (lowercase; matched case-insensitively as substrings).
    public static let forbiddenWords = ["good", "nochg", "ok", "success", "updated"]

    /// Whether `text` contains one of `forbiddenWords` in any case.
    public static func containsForbiddenWord(_ text: String) -> Bool {
        let lower = text.lowercased()
        return forbiddenWords.contains { lower.contains($0) }
    }

    /// A value from the request, quoted for a message: at most 64 characters, control characters
    /// escaped, and left out ("a value") when it contains a forbidden word.
    public static func quote(_ value: some StringProtocol) -> String {
        guard !containsForbiddenWord(String(value)) else { return "(a value)" }
        var out = "'"
        for (index, scalar) in value.unicodeScalars.enumerated() {
            if index == 64 {
                out += "…"
                break
            }
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "'"
    }

    /// The message as sent: the message itself, or when it still holds a forbidden word (a bug in
    /// a fixed text), a neutral sentence for its code.
    var safeMessage: String {
        Self.containsForbiddenWord(message) ? "the request was refused (\(status))" : message
    }

    /// The JSON response.
    public var response: HTTPResponse {
        let body: JSON = ["error": ["code": .string(code.rawValue), "message": .string(safeMessage)]]
        var response = HTTPResponse.json(status: status, body)
        response.headers += headers
        assert(!Self.containsForbiddenWord(response.bodyText), "an error body never holds a success word")
        return response
    }
}

extension APIError {
    static func badRequest(_ message: String) -> APIError { APIError(status: 400, code: .badRequest, message) }
    static func invalidField(_ field: String, _ message: String) -> APIError {
        APIError(status: 400, code: .invalidField, "\(field): \(message)")
    }
    static let unauthorized = APIError(
        status: 401, code: .unauthorized, "missing or unknown credentials: send Authorization: Bearer <key>",
        headers: [HTTPHeader("WWW-Authenticate", "Bearer realm=\"ddnslab\"")])
    static func forbidden(_ message: String) -> APIError { APIError(status: 403, code: .forbidden, message) }
    static func notFound(_ message: String) -> APIError { APIError(status: 404, code: .notFound, message) }
    static func methodNotAllowed(_ method: String, allowed: [String]) -> APIError {
        APIError(status: 405, code: .methodNotAllowed,
                 "method \(quote(method)) is not allowed here; allowed: \(allowed.joined(separator: ", "))",
                 headers: [HTTPHeader("Allow", allowed.joined(separator: ", "))])
    }
    static func conflict(_ message: String) -> APIError { APIError(status: 409, code: .conflict, message) }
    static func unprocessable(_ message: String) -> APIError { APIError(status: 422, code: .unprocessable, message) }
    static func internalFailure(_ message: String) -> APIError {
        APIError(status: 500, code: .internalFailure, message)
    }
}
