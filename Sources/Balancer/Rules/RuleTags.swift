/// The tags of one query (dnsdist's `dq.tags`): set by `SetTag`, read by `Tag` selectors, carried
/// from the query to its response. Kept as a small array in insertion order (tags are rare, and
/// an empty array costs no allocation); setting an existing name overwrites its value in place.
public struct RuleTags: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    public var isEmpty: Bool { entries.isEmpty }

    public subscript(name: String) -> String? {
        for entry in entries where entry.name == name { return entry.value }
        return nil
    }

    public mutating func set(_ name: String, to value: String) {
        if let index = entries.firstIndex(where: { $0.name == name }) {
            entries[index].value = value
        } else {
            entries.append(Entry(name: name, value: value))
        }
    }
}
