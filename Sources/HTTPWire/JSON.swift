/// JSON values (RFC 8259) for the REST API: a strict parser and a deterministic serializer.
///
/// Objects keep their members in order (`JSONObject`), so output is the same in every process:
/// nothing here iterates a `Dictionary`. Integers that fit `Int64` stay exact (`.integer`).
public indirect enum JSON: Hashable, Sendable {
    case object(JSONObject)
    case array([JSON])
    case string(String)
    case integer(Int64)
    case number(Double)
    case bool(Bool)
    case null

    /// The member named `key` of an object (the first, if built with duplicates), else nil.
    public subscript(key: String) -> JSON? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }

    /// The element at `index` of an array, nil when out of range or not an array.
    public subscript(index: Int) -> JSON? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// The text of a string value.
    public var stringValue: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }

    /// An integer value, or a number with an integral value that fits `Int64`.
    public var intValue: Int64? {
        switch self {
        case .integer(let value): return value
        case .number(let value):
            guard value.rounded() == value, value >= -0x1p63, value < 0x1p63 else { return nil }
            return Int64(value)
        default: return nil
        }
    }

    /// A number or integer value as `Double`.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }

    /// The value of a boolean.
    public var boolValue: Bool? {
        guard case .bool(let value) = self else { return nil }
        return value
    }

    /// The elements of an array.
    public var arrayValue: [JSON]? {
        guard case .array(let elements) = self else { return nil }
        return elements
    }

    /// The members of an object, in order.
    public var objectMembers: [JSONMember]? {
        guard case .object(let object) = self else { return nil }
        return object.members
    }

    /// True for `null`.
    public var isNull: Bool { self == .null }
}

/// One `"key": value` member of an object.
public struct JSONMember: Hashable, Sendable {
    public var key: String
    public var value: JSON

    public init(_ key: String, _ value: JSON) {
        self.key = key
        self.value = value
    }
}

/// An object's members in their order: the order of the parsed text, or of construction.
/// Two objects are equal when they have the same members in the same order.
public struct JSONObject: Hashable, Sendable, ExpressibleByDictionaryLiteral {
    public var members: [JSONMember]

    /// An object with `members` in this order.
    public init(_ members: [JSONMember] = []) {
        self.members = members
    }

    /// An object from key-value pairs in this order.
    public init(pairs: [(String, JSON)]) {
        members = pairs.map { JSONMember($0.0, $0.1) }
    }

    /// An object in the literal's order: `["name": "example.org", "ttl": 60]`.
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self.init(pairs: elements)
    }

    /// The keys in order.
    public var keys: [String] { members.map(\.key) }

    /// The first member named `key`; setting replaces it in place or appends a new member, and
    /// setting nil removes every member named `key`.
    public subscript(key: String) -> JSON? {
        get { members.first { $0.key == key }?.value }
        set {
            guard let newValue else {
                members.removeAll { $0.key == key }
                return
            }
            if let index = members.firstIndex(where: { $0.key == key }) {
                members[index].value = newValue
            } else {
                members.append(JSONMember(key, newValue))
            }
        }
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral,
    ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) { self = .object(JSONObject(pairs: elements)) }
    public init(nilLiteral: ()) { self = .null }
}

// MARK: Serialization

extension JSON {
    /// The value as compact JSON text, members in stored order.
    public var compactText: String { String(decoding: serialized, as: UTF8.self) }

    /// The value as compact JSON in UTF-8. Non-finite numbers, which JSON cannot express, are `null`.
    public var serialized: [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    /// Appends the compact JSON text of the value to `out`.
    public func write(into out: inout [UInt8]) {
        switch self {
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (index, member) in object.members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSON.writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                element.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .string(let text):
            JSON.writeString(text, into: &out)
        case .integer(let value):
            out.append(contentsOf: String(value).utf8)
        case .number(let value):
            // Swift's description is the shortest text that reads back to the same Double.
            out.append(contentsOf: (value.isFinite ? value.description : "null").utf8)
        case .bool(let value):
            out.append(contentsOf: (value ? "true" : "false").utf8)
        case .null:
            out.append(contentsOf: "null".utf8)
        }
    }

    /// RFC 8259 §7: quote, backslash and control characters escaped; everything else as UTF-8.
    static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case 0x0A: out.append(contentsOf: "\\n".utf8)
            case 0x0D: out.append(contentsOf: "\\r".utf8)
            case 0x09: out.append(contentsOf: "\\t".utf8)
            case 0x08: out.append(contentsOf: "\\b".utf8)
            case 0x0C: out.append(contentsOf: "\\f".utf8)
            case 0x00..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(lowerHexDigits[Int(byte >> 4)])
                out.append(lowerHexDigits[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

private let lowerHexDigits: [UInt8] = Array("0123456789abcdef".utf8)
