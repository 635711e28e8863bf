import Foundation

/// docs/openapi.yaml, loaded once, and a validator of responses against it: finds the operation by
/// method and path template, the response by status, and checks the JSON body against its schema
/// with a small JSON Schema subset (`SchemaValidator`).
struct OpenAPIDocument {
    let root: SchemaValue

    /// The package's docs/openapi.yaml, found from this file's path.
    static let shared: OpenAPIDocument = {
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // Support
            .deletingLastPathComponent()  // WebServerTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()
        let url = packageRoot.appendingPathComponent("docs/openapi.yaml")
        do {
            return try OpenAPIDocument(yaml: String(contentsOf: url, encoding: .utf8))
        } catch {
            fatalError("cannot load \(url.path): \(error)")
        }
    }()

    init(yaml: String) throws {
        root = try SchemaValue.loadYAML(yaml)
        guard root["openapi"]?.stringValue?.hasPrefix("3.1") == true else {
            throw SchemaLoadError("not an OpenAPI 3.1 document")
        }
    }

    /// The path templates of the document.
    var pathTemplates: [String] { (root["paths"]?.objectValue ?? [:]).keys.sorted() }

    /// The template matching `path` (one segment per `{parameter}`), preferring literal segments.
    func template(for path: String) -> String? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        var best: (template: String, literals: Int)?
        for template in pathTemplates {
            let parts = template.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == segments.count else { continue }
            var literals = 0
            var matches = true
            for (part, segment) in zip(parts, segments) {
                if part.hasPrefix("{") && part.hasSuffix("}") {
                    if segment.isEmpty { matches = false }
                } else if part == segment {
                    literals += 1
                } else {
                    matches = false
                }
                if !matches { break }
            }
            if matches, literals > best?.literals ?? -1 { best = (template, literals) }
        }
        return best?.template
    }

    /// Follows a `$ref` (a JSON pointer into this document) until an object without one.
    func resolve(_ value: SchemaValue) throws -> SchemaValue {
        var current = value
        var hops = 0
        while let ref = current["$ref"]?.stringValue {
            hops += 1
            guard hops < 16 else { throw SchemaLoadError("$ref loop at \(ref)") }
            current = try pointer(ref)
        }
        return current
    }

    /// The value at a local JSON pointer such as `#/components/schemas/Error`.
    func pointer(_ ref: String) throws -> SchemaValue {
        guard ref.hasPrefix("#/") else { throw SchemaLoadError("only local $ref: \(ref)") }
        var current = root
        for token in ref.dropFirst(2).split(separator: "/") {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = current[key] else { throw SchemaLoadError("$ref \(ref) does not resolve") }
            current = next
        }
        return current
    }

    /// What the document says about one response: its media types (none when it has no body),
    /// the JSON schema when it has one, and its headers.
    struct ResponseSpec {
        var template: String
        var mediaTypes: [String]
        var schema: SchemaValue?
        var headers: [String]
    }

    func response(method: String, path: String, status: Int) throws -> ResponseSpec {
        guard let template = template(for: path) else { throw SchemaLoadError("no path template matches \(path)") }
        guard let item = root["paths"]?[template] else { throw SchemaLoadError("no path item \(template)") }
        // 405 answers a method the path does not have: documented once on the path's operations.
        let operations = ["get", "put", "post", "delete", "patch"].compactMap { item[$0] }
        guard let operation = item[method.lowercased()]
            ?? (status == 405 ? operations.first(where: { $0["responses"]?["405"] != nil }) : nil)
        else {
            throw SchemaLoadError("\(method) \(template) is not documented")
        }
        guard let declared = operation["responses"]?[String(status)] ?? operation["responses"]?["default"] else {
            throw SchemaLoadError("\(method) \(template) does not document status \(status)")
        }
        let response = try resolve(declared)
        let headers = (response["headers"]?.objectValue ?? [:]).keys.sorted()
        let content = response["content"]?.objectValue ?? [:]
        return ResponseSpec(template: template, mediaTypes: content.keys.sorted(),
                            schema: content["application/json"]?["schema"], headers: headers)
    }

    /// Every problem of a response (`status`, `Content-Type`, `body`, header names) to
    /// `method path`; empty when it conforms.
    func problems(method: String, path: String, status: Int, contentType: String? = nil, headerNames: [String]? = nil,
                  body: [UInt8]) -> [String] {
        let spec: ResponseSpec
        do {
            spec = try response(method: method, path: path, status: status)
        } catch {
            return ["\(error)"]
        }
        let label = "\(method) \(spec.template) \(status)"
        var problems: [String] = []
        if let headerNames {
            let present = Set(headerNames.map { $0.lowercased() })
            for header in spec.headers where !present.contains(header.lowercased()) {
                problems.append("\(label): documented header \(header) is missing")
            }
        }
        guard !spec.mediaTypes.isEmpty else {
            return problems + (body.isEmpty ? [] : ["\(label) documents no body, got \(body.count) bytes"])
        }
        if let contentType {
            let media = contentType.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased()
            if !spec.mediaTypes.contains(media) {
                problems.append("\(label): Content-Type \(contentType) is not one of \(spec.mediaTypes)")
            }
        }
        guard let schema = spec.schema else {
            return problems + (body.isEmpty ? ["\(label): empty body"] : [])
        }
        let value: SchemaValue
        do {
            value = try StrictJSONParser.parse(body)
        } catch {
            return problems + ["\(label): body is not JSON: \(error)"]
        }
        var validator = SchemaValidator(document: self)
        validator.validate(value, against: schema, at: "$")
        return problems + validator.problems.map { "\(label): \($0)" }
    }
}
