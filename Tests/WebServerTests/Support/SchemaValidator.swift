import Foundation

/// A JSON Schema (2020-12) subset, enough for docs/openapi.yaml: type (a name or a list), enum,
/// const, properties, required, additionalProperties (false or a schema), min/maxProperties,
/// items, min/maxItems, minimum/maximum and their exclusive forms, min/maxLength (in code points),
/// pattern (unanchored search), allOf/anyOf/oneOf/not, and `$ref` into the document. A keyword it
/// does not know is itself a problem, so a typo in the document cannot pass silently.
struct SchemaValidator {
    let document: OpenAPIDocument
    private(set) var problems: [String] = []

    init(document: OpenAPIDocument) {
        self.document = document
    }

    /// Keywords that only annotate.
    static let annotations: Set<String> = [
        "description", "summary", "title", "example", "examples", "format", "deprecated", "default",
        "readOnly", "writeOnly",
    ]
    static let keywords: Set<String> = [
        "$ref", "type", "enum", "const", "properties", "required", "additionalProperties", "minProperties",
        "maxProperties", "items", "minItems", "maxItems", "minimum", "maximum", "exclusiveMinimum",
        "exclusiveMaximum", "minLength", "maxLength", "pattern", "allOf", "anyOf", "oneOf", "not",
    ]

    mutating func validate(_ value: SchemaValue, against schema: SchemaValue, at path: String) {
        if case .bool(let allowed) = schema {
            if !allowed { problems.append("\(path): no value is allowed here") }
            return
        }
        guard let keywords = schema.objectValue else {
            problems.append("\(path): schema is not an object: \(schema)")
            return
        }
        for key in keywords.keys.sorted() where !Self.keywords.contains(key) && !Self.annotations.contains(key) {
            problems.append("\(path): unsupported schema keyword \(key)")
        }
        if let ref = keywords["$ref"]?.stringValue {
            do {
                validate(value, against: try document.pointer(ref), at: path)
            } catch {
                problems.append("\(path): \(error)")
            }
        }
        checkType(value, keywords, at: path)
        checkEnum(value, keywords, at: path)
        checkNumber(value, keywords, at: path)
        checkString(value, keywords, at: path)
        checkArray(value, keywords, at: path)
        checkObject(value, keywords, at: path)
        checkCombinators(value, keywords, at: path)
    }

    /// Whether `value` conforms, without recording problems.
    func conforms(_ value: SchemaValue, to schema: SchemaValue) -> Bool {
        var probe = SchemaValidator(document: document)
        probe.validate(value, against: schema, at: "$")
        return probe.problems.isEmpty
    }

    private mutating func checkType(_ value: SchemaValue, _ schema: [String: SchemaValue], at path: String) {
        guard let type = schema["type"] else { return }
        let allowed: [String] = type.stringValue.map { [$0] } ?? (type.arrayValue ?? []).compactMap(\.stringValue)
        if allowed.isEmpty { problems.append("\(path): bad type keyword \(type)") }
        if !value.typeNames.contains(where: allowed.contains) {
            problems.append("\(path): \(value) is not of type \(allowed.joined(separator: "|"))")
        }
    }

    private mutating func checkEnum(_ value: SchemaValue, _ schema: [String: SchemaValue], at path: String) {
        if let options = schema["enum"]?.arrayValue, !options.contains(where: { $0.schemaEquals(value) }) {
            problems.append("\(path): \(value) is not one of \(SchemaValue.array(options))")
        }
        if let constant = schema["const"], !constant.schemaEquals(value) {
            problems.append("\(path): \(value) is not \(constant)")
        }
    }

    private mutating func checkNumber(_ value: SchemaValue, _ schema: [String: SchemaValue], at path: String) {
        guard let number = value.asDouble else { return }
        if let minimum = schema["minimum"]?.asDouble, number < minimum {
            problems.append("\(path): \(value) is below the minimum \(minimum)")
        }
        if let maximum = schema["maximum"]?.asDouble, number > maximum {
            problems.append("\(path): \(value) is above the maximum \(maximum)")
        }
        if let minimum = schema["exclusiveMinimum"]?.asDouble, number <= minimum {
            problems.append("\(path): \(value) is not above \(minimum)")
        }
        if let maximum = schema["exclusiveMaximum"]?.asDouble, number >= maximum {
            problems.append("\(path): \(value) is not below \(maximum)")
        }
    }

    private mutating func checkString(_ value: SchemaValue, _ schema: [String: SchemaValue], at path: String) {
        guard let text = value.stringValue else { return }
        let length = text.unicodeScalars.count
        if let minimum = schema["minLength"]?.asDouble, Double(length) < minimum {
            problems.append("\(path): \(value) is shorter than \(Int(minimum))")
        }
        if let maximum = schema["maxLength"]?.asDouble, Double(length) > maximum {
            problems.append("\(path): \(value) is longer than \(Int(maximum))")
        }
        if let pattern = schema["pattern"]?.stringValue {
            do {
                let regex = try NSRegularExpression(pattern: pattern)
                let range = NSRange(text.startIndex..<text.endIndex, in: text)
                if regex.firstMatch(in: text, range: range) == nil {
                    problems.append("\(path): \(value) does not match \(pattern)")
                }
            } catch {
                problems.append("\(path): bad pattern \(pattern)")
            }
        }
    }

    private mutating func checkArray(_ value: SchemaValue, _ schema: [String: SchemaValue], at path: String) {
        guard let items = value.arrayValue else { return }
        if let minimum = schema["minItems"]?.asDouble, Double(items.count) < minimum {
            problems.append("\(path): \(items.count) items, fewer than \(Int(minimum))")
        }
        if let maximum = schema["maxItems"]?.asDouble, Double(items.count) > maximum {
            problems.append("\(path): \(items.count) items, more than \(Int(maximum))")
        }
        if let itemSchema = schema["items"] {
            for (index, item) in items.enumerated() {
                validate(item, against: itemSchema, at: "\(path)[\(index)]")
            }
        }
    }

    private mutating func checkObject(_ value: SchemaValue, _ schema: [String: SchemaValue], at path: String) {
        guard let members = value.objectValue else { return }
        for name in (schema["required"]?.arrayValue ?? []).compactMap(\.stringValue) where members[name] == nil {
            problems.append("\(path): required member \(name) is missing")
        }
        if let minimum = schema["minProperties"]?.asDouble, Double(members.count) < minimum {
            problems.append("\(path): fewer than \(Int(minimum)) members")
        }
        if let maximum = schema["maxProperties"]?.asDouble, Double(members.count) > maximum {
            problems.append("\(path): more than \(Int(maximum)) members")
        }
        let properties = schema["properties"]?.objectValue ?? [:]
        for name in members.keys.sorted() {
            let member = members[name]!
            if let propertySchema = properties[name] {
                validate(member, against: propertySchema, at: "\(path).\(name)")
            } else if let additional = schema["additionalProperties"] {
                validate(member, against: additional, at: "\(path).\(name)")
            }
        }
    }

    private mutating func checkCombinators(_ value: SchemaValue, _ schema: [String: SchemaValue], at path: String) {
        for sub in schema["allOf"]?.arrayValue ?? [] {
            validate(value, against: sub, at: path)
        }
        if let options = schema["anyOf"]?.arrayValue, !options.contains(where: { conforms(value, to: $0) }) {
            problems.append("\(path): \(value) matches none of anyOf")
        }
        if let options = schema["oneOf"]?.arrayValue {
            let matching = options.filter { conforms(value, to: $0) }.count
            if matching != 1 { problems.append("\(path): \(value) matches \(matching) of oneOf, not exactly one") }
        }
        if let negated = schema["not"], conforms(value, to: negated) {
            problems.append("\(path): \(value) matches a not schema")
        }
    }
}

extension OpenAPIDocument {
    /// Problems of the document itself: a `$ref` that does not resolve anywhere, a schema keyword
    /// the validator does not know (in components and in every response schema).
    func selfCheck() -> [String] {
        var problems: [String] = []
        func visitRefs(_ value: SchemaValue, at path: String) {
            switch value {
            case .object(let members):
                if let ref = members["$ref"]?.stringValue, (try? pointer(ref)) == nil {
                    problems.append("\(path): $ref \(ref) does not resolve")
                }
                for key in members.keys.sorted() { visitRefs(members[key]!, at: "\(path)/\(key)") }
            case .array(let items):
                for (index, item) in items.enumerated() { visitRefs(item, at: "\(path)/\(index)") }
            default:
                break
            }
        }
        func visitSchema(_ schema: SchemaValue, at path: String) {
            guard let keywords = schema.objectValue else { return }
            for key in keywords.keys.sorted()
            where !SchemaValidator.keywords.contains(key) && !SchemaValidator.annotations.contains(key) {
                problems.append("\(path): unsupported schema keyword \(key)")
            }
            for key in ["items", "additionalProperties", "not"] {
                if let sub = keywords[key] { visitSchema(sub, at: "\(path)/\(key)") }
            }
            for key in ["allOf", "anyOf", "oneOf"] {
                for (index, sub) in (keywords[key]?.arrayValue ?? []).enumerated() {
                    visitSchema(sub, at: "\(path)/\(key)/\(index)")
                }
            }
            for (name, sub) in (keywords["properties"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                visitSchema(sub, at: "\(path)/properties/\(name)")
            }
        }
        visitRefs(root, at: "#")
        for (name, schema) in (root["components"]?["schemas"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            visitSchema(schema, at: "#/components/schemas/\(name)")
        }
        for template in pathTemplates {
            for (method, operation) in (root["paths"]?[template]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                for (status, response) in (operation["responses"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                    guard let resolved = try? resolve(response) else { continue }
                    if let schema = resolved["content"]?["application/json"]?["schema"] {
                        visitSchema(schema, at: "\(template) \(method) \(status)")
                    }
                }
            }
        }
        return problems
    }
}
