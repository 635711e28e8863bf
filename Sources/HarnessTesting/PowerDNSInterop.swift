import DNSWire
import DNSZone

/// Asks a real PowerDNS serving a database file every question about its zones and compares each
/// answer with our zone engine's answer from the same zones (StorageTests, BackupTests).
///
/// Compared per question: RCODE, the AA flag and the answer RRsets, as sets of typed records.
/// dig's text is parsed back into records (`ZoneFileParser`) so that only meaning is compared.
/// Normalisations, each a difference in presentation only:
/// - owner-name case: names compare case-insensitively (RFC 4343), as DNSName does;
/// - RDATA text: dig prints DS digests in upper case split into groups and SvcParam values partly
///   unquoted; parsed into typed RDATA they are the same values;
/// - answer order: RRsets are sets (RFC 2181 §5), compared without order.
/// Not compared: the authority and additional sections (which NS, SOA and glue an authority adds is
/// a policy where servers legitimately differ; the engine's own tests cover ours), the OPT record,
/// and QTYPE ANY (PowerDNS answers ANY over UDP with TC by default, `any-to-tcp=yes`).
public enum PowerDNSInterop {
    /// Names of fixtures/zones/dyn.example.zone, relative to its origin, that are not owners: names
    /// that match only a wildcard, names below a delegation, empty non-terminals, names that do
    /// not exist, and owner names in other letter cases.
    public static let fixtureProbes = [
        "customers", "_tcp", "nothere", "a.b.c", "x.dave", "deep.x.dave", "x.customers", "erin.x.customers",
        "www.corp", "ns1.corp", "a.ns1.corp", "x._tcp", "_acme-challenge.bob", "x.www", "NotHere.ALICE",
        "Alice", "WWW", "b", "x.b", "host.bob", "x.corp",
    ]

    /// Every owner and empty non-terminal of `zone`, the `probes` (relative to its origin) and one
    /// name outside every zone; each asked with every type the zone holds plus one it lacks (PTR).
    public static func questions(for zone: Zone, probes: [String]) -> [Question] {
        var names = zone.nodes.map(\.owner)
        for probe in probes {
            guard let probeName = try? DNSName(parsing: probe, origin: zone.origin) else {
                preconditionFailure("bad probe name \(probe)")
            }
            names.append(probeName)
        }
        names.append(TestValues.name("other.example."))
        var types = Array(Set(zone.records.map(\.type))).sorted()
        if !types.contains(.ptr) { types.append(.ptr) }
        return names.flatMap { owner in types.map { Question(name: owner, type: $0) } }
    }

    /// What one comparison found.
    public struct Comparison: Sendable {
        /// Questions asked (and answered by both).
        public var questions: Int
        /// Distinct names and types among them.
        public var names: Int
        public var types: Int
        /// Questions PowerDNS answered with at least one record.
        public var answered: Int
        /// One text per question answered differently (both answers), in question order.
        public var differences: [String]
        /// pdns_server's log, kept when an answer differed.
        public var serverLog: String?

        /// Questions answered alike.
        public var agreeing: Int { questions - differences.count }

        /// One line: how many questions, names, types, with answers, and how many differ.
        public var summary: String {
            "PowerDNS interop: \(questions) questions (\(names) names x \(types) types, \(answered) with answers), "
                + "\(differences.count) differ"
        }
    }

    /// Starts pdns_server on `databasePath`, asks it `questions`, and compares each answer with
    /// `zones`' answer through our engine (`ZoneSet.answer`). `zones` are what our side read back
    /// from the same file. The server is stopped (by its PID) before this returns.
    public static func compare(
        databasePath: String, zones: [Zone], questions: [Question], tools: PowerDNSTools, folder: String
    ) throws -> Comparison {
        guard let probe = zones.first?.origin else { throw InteropFailure("no zone to compare") }
        let engine = try ZoneSet(zones)
        let server = try PowerDNSServer(tools: tools, databasePath: databasePath, folder: folder, probe: probe)
        defer { server.stop() }
        let answers = try server.ask(questions, dig: tools.dig, folder: folder)
        guard answers.count == questions.count else {
            throw InteropFailure("dig answered \(answers.count) of \(questions.count) questions:\n\(server.log)")
        }
        var differences: [String] = []
        for (question, theirs) in zip(questions, answers) {
            let query = Message.query(id: 1, name: question.name, type: question.type)
            guard let ours = engine.answer(query).message else {
                throw InteropFailure("our engine gave no answer to \(question.name) \(question.type)")
            }
            let label = "\(question.name) \(question.type)"
            let asked = "\(question.name) IN \(question.type)".lowercased()
            let same = theirs.question == asked && theirs.rcode == ours.rcode.description
                && theirs.authoritative == ours.flags.contains(.aa) && Set(theirs.answers) == Set(ours.answers)
            guard !same else { continue }
            differences.append("""
                \(label)\(theirs.question == asked ? "" : " (dig answered '\(theirs.question)': out of order)"):
                  PowerDNS: \(theirs.rcode) aa=\(theirs.authoritative) \(lines(theirs.answers))
                  ddnslab:  \(ours.rcode) aa=\(ours.flags.contains(.aa)) \(lines(ours.answers))
                """)
        }
        return Comparison(
            questions: questions.count, names: Set(questions.map(\.name)).count,
            types: Set(questions.map(\.type)).count, answered: answers.filter { !$0.answers.isEmpty }.count,
            differences: differences, serverLog: differences.isEmpty ? nil : server.log)
    }

    /// Records in presentation form, sorted, one per line.
    static func lines(_ records: [ResourceRecord]) -> String {
        let texts = records.map { "\($0)" }.sorted()
        return texts.isEmpty ? "(no answer)" : "\n    " + texts.joined(separator: "\n    ")
    }
}
