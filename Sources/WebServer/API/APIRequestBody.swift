import HTTPWire

/// The JSON body of a REST request, checked in the order a client can fix it: size (413), media
/// type (415), syntax (400 `invalid_json`), then shape: an object with only known members of the
/// right types (400 `unknown_field` / `invalid_field`).
struct APIRequestBody {
    /// The members, in the client's order.
    let object: JSONObject

    /// The largest body accepted (64 KiB; an RRset of 64 records of 1 KiB fits comfortably).
    static let maxBytes = 65_536
    /// JSON nesting deeper than this is refused (the documents are two levels deep).
    static let maxDepth = 8

    /// Reads the body of `request`, which must be a JSON object whose member names are in `known`.
    init(_ request: HTTPRequest, known: [String]) throws(APIError) {
        guard request.body.count <= Self.maxBytes else {
            throw APIError(status: 413, code: .payloadTooLarge,
                           "the body has \(request.body.count) octets; at most \(Self.maxBytes) are accepted")
        }
        try Self.checkMediaType(request)
        guard !request.body.isEmpty else { throw APIError.badRequest("a JSON body is required") }
        let value: JSON
        do {
            value = try JSON.parse(request.body, maxDepth: Self.maxDepth)
        } catch {
            throw APIError(status: 400, code: .invalidJSON, "the body is not JSON: \(error.reason) at octet \(error.offset)")
        }
        guard case .object(let object) = value else {
            throw APIError(status: 400, code: .invalidJSON, "the body must be a JSON object")
        }
        for key in object.keys where !known.contains(key) {
            throw APIError(status: 400, code: .unknownField,
                           "unknown field \(APIError.quote(key)); known fields: \(known.joined(separator: ", "))")
        }
        self.object = object
    }

    /// 415 unless `Content-Type` is `application/json` (parameters such as `charset=utf-8` allowed,
    /// another charset refused).
    static func checkMediaType(_ request: HTTPRequest) throws(APIError) {
        let refusal = APIError(status: 415, code: .unsupportedMediaType,
                               "send the body as Content-Type: application/json (UTF-8)")
        guard let value = request.header("Content-Type") else { throw refusal }
        let parts = value.split(separator: ";").map { $0.trimmingASCIISpaces.lowercased() }
        guard parts.first == "application/json" else { throw refusal }
        for parameter in parts.dropFirst() where parameter.hasPrefix("charset=") {
            let charset = parameter.dropFirst("charset=".count).filter { $0 != "\"" }
            guard charset == "utf-8" || charset == "utf8" else { throw refusal }
        }
    }

    /// Whether the member `key` is present (even as null).
    func has(_ key: String) -> Bool { object[key] != nil }

    /// A required string member.
    func string(_ key: String) throws(APIError) -> String {
        guard let value = object[key] else { throw APIError.invalidField(key, "is required") }
        guard let text = value.stringValue else { throw APIError.invalidField(key, "must be a string") }
        return text
    }

    /// An optional string member (absent or null is nil).
    func optionalString(_ key: String) throws(APIError) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw APIError.invalidField(key, "must be a string") }
        return text
    }

    /// A required integer member within `range`.
    func integer(_ key: String, in range: ClosedRange<Int64>) throws(APIError) -> Int64 {
        guard let value = object[key] else { throw APIError.invalidField(key, "is required") }
        guard case .integer(let number) = value else {
            throw APIError.invalidField(key, "must be an integer")
        }
        guard range.contains(number) else {
            throw APIError.invalidField(key, "\(number) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    /// A required array of strings with at most `maxCount` elements of at most `maxLength` octets.
    func strings(_ key: String, maxCount: Int, maxLength: Int) throws(APIError) -> [String] {
        guard let value = object[key] else { throw APIError.invalidField(key, "is required") }
        guard let elements = value.arrayValue else { throw APIError.invalidField(key, "must be an array of strings") }
        guard elements.count <= maxCount else {
            throw APIError.invalidField(key, "\(elements.count) entries; at most \(maxCount) are accepted")
        }
        var texts: [String] = []
        for (index, element) in elements.enumerated() {
            guard let text = element.stringValue else {
                throw APIError.invalidField(key, "entry \(index + 1) must be a string")
            }
            guard !text.isEmpty, text.utf8.count <= maxLength else {
                throw APIError.invalidField(key, "entry \(index + 1) must have 1 to \(maxLength) octets")
            }
            texts.append(text)
        }
        return texts
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (Foundation-free).
    var trimmingASCIISpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
