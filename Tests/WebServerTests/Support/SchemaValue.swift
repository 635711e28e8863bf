import Foundation
import Yams

/// A JSON (or YAML) value as the test-side OpenAPI validator sees it: integers kept apart from
/// fractions so `type: integer` can be checked exactly, objects as dictionaries (member order does
/// not matter to a schema).
indirect enum SchemaValue: Hashable, CustomStringConvertible {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([SchemaValue])
    case object([String: SchemaValue])

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let value): "\(value)"
        case .integer(let value): "\(value)"
        case .number(let value): "\(value)"
        case .string(let value): "\"\(value)\""
        case .array(let items): "[" + items.map(\.description).joined(separator: ",") + "]"
        case .object(let members):
            "{" + members.keys.sorted().map { "\"\($0)\":\(members[$0]!)" }.joined(separator: ",") + "}"
        }
    }

    /// The JSON Schema type names this value has ("integer" values are also "number").
    var typeNames: [String] {
        switch self {
        case .null: ["null"]
        case .bool: ["boolean"]
        case .integer: ["integer", "number"]
        case .number(let value): value.rounded() == value && value.isFinite ? ["integer", "number"] : ["number"]
        case .string: ["string"]
        case .array: ["array"]
        case .object: ["object"]
        }
    }

    var asDouble: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }

    subscript(key: String) -> SchemaValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var arrayValue: [SchemaValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    var objectValue: [String: SchemaValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// JSON Schema equality: 1 and 1.0 are equal.
    func schemaEquals(_ other: SchemaValue) -> Bool {
        if let left = asDouble, let right = other.asDouble { return left == right }
        switch (self, other) {
        case (.array(let left), .array(let right)):
            return left.count == right.count && zip(left, right).allSatisfy { $0.schemaEquals($1) }
        case (.object(let left), .object(let right)):
            return left.count == right.count
                && left.allSatisfy { key, value in right[key].map { value.schemaEquals($0) } ?? false }
        default:
            return self == other
        }
    }
}

extension SchemaValue {
    /// Converts what `Yams.load` returns (native Swift values) into a value.
    static func fromYAML(_ any: Any?) throws -> SchemaValue {
        guard let any else { return .null }
        switch any {
        case is NSNull: return .null
        case let value as Bool: return .bool(value)
        case let value as Int: return .integer(Int64(value))
        case let value as Double: return .number(value)
        case let value as String: return .string(value)
        case let value as [Any]: return .array(try value.map(fromYAML))
        case let value as [String: Any]:
            return .object(try value.mapValues(fromYAML))
        case let value as [AnyHashable: Any]:
            var members: [String: SchemaValue] = [:]
            for (key, member) in value {
                guard let key = key.base as? String else { throw SchemaLoadError("non-string key \(key)") }
                members[key] = try fromYAML(member)
            }
            return .object(members)
        default:
            throw SchemaLoadError("unsupported YAML value \(type(of: any))")
        }
    }

    /// Loads a YAML document.
    static func loadYAML(_ text: String) throws -> SchemaValue {
        try fromYAML(try Yams.load(yaml: text))
    }
}

struct SchemaLoadError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
