import DNSWire
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

/// A small SplitMix64 so property tests need only the targets this test target depends on; the
/// seed is printed on failure (STYLE.md §9).
struct TestRandom {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in byte() } }
    mutating func bool() -> Bool { next() & 1 == 1 }
}
