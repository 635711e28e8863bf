import DNSWire
import Determinism
import DNSZone
import Testing

/// A name from a literal in a test; a bad literal is a bug in the test.
func name(_ text: String) -> DNSName {
    guard let parsed = try? DNSName(parsing: text, origin: .root) else { fatalError("bad test name \(text)") }
    return parsed
}

/// Loads a zone from zone-file text, recording every error as a test failure.
func loadZone(_ text: String, origin: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Zone {
    do {
        return try ZoneFileParser.load(text, fileName: "test.zone", origin: name(origin)).zone
    } catch {
        Issue.record("zone did not load:\n\(error)", sourceLocation: sourceLocation)
        return Zone(origin: name(origin))
    }
}

/// Zone-file lines in the canonical one-line form: parsed (absolute names, any spacing, TTL
/// required) and printed back, sorted.
func normalized(_ lines: [String], sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [String] {
    let parsed = ZoneFileParser.parseRecords(lines.joined(separator: "\n"), fileName: "expected", origin: .root)
    #expect(parsed.errors.isEmpty, "bad expectation: \(parsed.errors)", sourceLocation: sourceLocation)
    return parsed.records.map(\.record.description).sorted()
}

/// Compares a section with expected zone-file lines, ignoring order (STYLE.md §9).
func expectSection(
    _ records: [ResourceRecord], _ expected: [String], sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
    #expect(
        records.map(\.description).sorted() == normalized(expected, sourceLocation: sourceLocation),
        sourceLocation: sourceLocation)
}

/// Sends a one-question query to `zones` and returns the response; a transfer result fails the test.
func ask(
    _ zones: ZoneSet, _ qname: String, _ type: RRType, options: LookupOptions = LookupOptions(),
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> Message {
    let query = Message.query(id: 0x1234, name: name(qname), type: type)
    guard let response = zones.answer(query, options: options).message else {
        Issue.record("expected a response", sourceLocation: sourceLocation)
        return query
    }
    #expect(
        response.id == 0x1234 && response.flags.contains(.qr) && response.questions == query.questions,
        sourceLocation: sourceLocation)
    return response
}

func zoneSet(_ zones: Zone...) -> ZoneSet {
    guard let set = try? ZoneSet(zones) else { fatalError("duplicate zone in test") }
    return set
}

/// Seeded randomness for property tests (the seed is printed on failure, STYLE.md §9).
struct TestRandom {
    var generator: SeededRandom

    init(state: UInt64) { generator = SeededRandom(seed: state) }

    mutating func next() -> UInt64 { generator.next() }
    mutating func below(_ bound: Int) -> Int { Int(generator.below(UInt64(bound))) }
    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: generator.next()) }
    mutating func bytes(_ count: Int) -> [UInt8] { generator.bytes(count) }
    mutating func bool() -> Bool { generator.next() & 1 == 1 }
}

