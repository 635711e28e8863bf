import Determinism
import DNSWire
import DNSZone
import Foundation
import HarnessTesting
import Storage
import Testing

/// ISSUE 4, point 1: a zone written through our storage is served by a real PowerDNS
/// (`pdns_server --launch=gsqlite3` on that very file), and PowerDNS answers every name and type
/// exactly as our zone engine answers from the same file.
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
///
/// Needs pdns-server, pdns-backend-sqlite3 and dig (bind9-dnsutils), which scripts/bootstrap.sh
/// installs; without them the test fails and says so. pdns_server runs on loopback on a free port,
/// with its own empty configuration folder, and is stopped by its PID.
@Suite(.serialized) struct PowerDNSInteropTests {
    static let origin = name("dyn.example.")

    @Test func powerDNSAnswersFromOurDatabaseAsOurEngineDoes() throws {
        guard let tools = Self.requiredTools() else { return }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let zone = try Fixtures.dynExample()
        let databasePath = folder.path + "/pdns.sqlite3"
        _ = try ZoneStore(path: databasePath).storeZone(zone, kind: .native)
        let compared = try Self.compareAnswers(databasePath, expecting: zone, tools: tools, folder: folder)
        #expect(compared >= 450)
    }

    /// The rows `apply` leaves behind serve the same way: new deep names (empty non-terminals), a
    /// new delegation with glue, a removed delegation, names that disappear, a serial bump.
    @Test func powerDNSAnswersAlikeAfterChanges() throws {
        guard let tools = Self.requiredTools() else { return }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let databasePath = folder.path + "/pdns.sqlite3"
        let store = try ZoneStore(path: databasePath)
        _ = try store.storeZone(try Fixtures.dynExample(), kind: .master)
        func delete(_ owner: String, _ type: RRType) -> ZoneChange.Edit { .delete(owner: name(owner), type: type) }
        let changes: [[ZoneChange.Edit]] = [
            [.replace(rrset("alice.dyn.example. 60 IN A 192.0.2.201")), delete("alice.dyn.example.", .aaaa)],
            [.add(record("host.a.b.dyn.example. 60 IN A 192.0.2.61")),
             .add(record("a.b.dyn.example. 60 IN TXT \"ab\""))],
            [.replace(rrset("bob.dyn.example. 300 IN NS ns.bob.dyn.example.")), delete("bob.dyn.example.", .a),
             .add(record("ns.bob.dyn.example. 300 IN A 192.0.2.62"))],
            [delete("corp.dyn.example.", .ns)],
            [delete("erin.customers.dyn.example.", .a), delete("frank.customers.dyn.example.", .a),
             delete("frank.customers.dyn.example.", .aaaa)],
            [.remove(record("dyn.example. 300 IN CAA 0 iodef \"mailto:security@dyn.example\"")),
             .add(record("dyn.example. 300 IN MX 20 mx2.dyn.example.")),
             .add(record("mx2.dyn.example. 300 IN AAAA 2001:db8::25"))],
        ]
        for (index, edits) in changes.enumerated() {
            let now = Instant(nanoseconds: UInt64(index) * 1_000_000_000)
            let result = try store.apply(ZoneChange(edits), to: Self.origin, now: now, epoch: 1_709_985_600)
            #expect(result.changed)
        }
        let zone = try #require(try store.loadZone(Self.origin))
        #expect(zone.soa?.serial == 2_024_030_907)
        let compared = try Self.compareAnswers(databasePath, expecting: zone, tools: tools, folder: folder)
        #expect(compared >= 450)
    }

    /// Starts PowerDNS on the file, asks it every question, and compares with our engine's answers
    /// from the same file. Returns how many questions were compared.
    static func compareAnswers(
        _ databasePath: String, expecting expectedZone: Zone, tools: Tools, folder: TemporaryFolder
    ) throws -> Int {
        // Our engine answers from what it reads back from the file, as a primary does.
        let reloaded = try #require(try ZoneStore(path: databasePath).loadZone(Self.origin))
        #expect(reloaded == expectedZone)
        let engine = try ZoneSet([reloaded])
        let server = try PowerDNSServer(tools: tools, databasePath: databasePath, folder: folder.path)
        defer { server.stop() }
        let questions = Self.questions(for: reloaded)
        let answers = try server.ask(questions, dig: tools.dig, folder: folder.path)
        try #require(answers.count == questions.count, "dig answered \(answers.count) of \(questions.count) questions")
        var differing: [String] = []
        for (question, theirs) in zip(questions, answers) {
            let query = Message.query(id: 1, name: question.name, type: question.type)
            let ours = try #require(engine.answer(query).message)
            let label = "\(question.name) \(question.type)"
            #expect(theirs.question == "\(question.name) IN \(question.type)".lowercased(), "\(label): dig's order")
            let same = theirs.rcode == ours.rcode.description && theirs.authoritative == ours.flags.contains(.aa)
                && Set(theirs.answers) == Set(ours.answers)
            #expect(same, """
                \(label):
                  PowerDNS: \(theirs.rcode) aa=\(theirs.authoritative) \(lines(theirs.answers))
                  ddnslab:  \(ours.rcode) aa=\(ours.flags.contains(.aa)) \(lines(ours.answers))
                """)
            if !same { differing.append(label) }
        }
        if !differing.isEmpty { print("pdns_server log:\n\(server.log)") }
        let answered = answers.filter { !$0.answers.isEmpty }.count
        print("PowerDNS interop: \(questions.count) questions (\(Set(questions.map(\.name)).count) names x "
            + "\(Set(questions.map(\.type)).count) types, \(answered) with answers), \(differing.count) differ")
        return questions.count - differing.count
    }

    /// Every owner and empty non-terminal of the zone, names that match only a wildcard, names
    /// below the delegation, names that do not exist and one outside the zone; each asked with
    /// every type the zone holds plus one it lacks.
    static func questions(for zone: Zone) -> [Question] {
        var names = zone.nodes.map(\.owner)
        names += ["customers", "_tcp", "nothere", "a.b.c", "x.dave", "deep.x.dave", "x.customers", "erin.x.customers",
                  "www.corp", "ns1.corp", "a.ns1.corp", "x._tcp", "_acme-challenge.bob", "x.www", "NotHere.ALICE",
                  "Alice", "WWW", "b", "x.b", "host.bob", "x.corp"].map { name($0 + ".dyn.example.") }
        names.append(name("other.example."))
        var types = Array(Set(zone.records.map(\.type))).sorted()
        types.append(.ptr)
        return names.flatMap { owner in types.map { Question(name: owner, type: $0) } }
    }

    struct Tools {
        var pdnsServer: String
        var dig: String
    }

    /// The programs the test needs; when one is missing the test fails, naming scripts/bootstrap.sh.
    static func requiredTools() -> Tools? {
        let hint = "run scripts/bootstrap.sh (it installs pdns-server, pdns-backend-sqlite3 and bind9-dnsutils)"
        guard let server = ExternalTools.find("pdns_server") else {
            Issue.record("pdns_server (Debian package pdns-server) is not installed: \(hint)")
            return nil
        }
        guard ExternalTools.findPowerDNSModule("libgsqlite3backend.so") != nil else {
            Issue.record("PowerDNS's SQLite backend (Debian package pdns-backend-sqlite3) is not installed: \(hint)")
            return nil
        }
        guard let dig = ExternalTools.find("dig") else {
            Issue.record("dig (Debian package bind9-dnsutils) is not installed: \(hint)")
            return nil
        }
        return Tools(pdnsServer: server, dig: dig)
    }
}

/// A pdns_server on 127.0.0.1 serving one SQLite file, for the length of a test.
struct PowerDNSServer {
    let process: Process
    let port: UInt16
    let logPath: String
    /// The process is `timeout`, whose child is pdns_server.
    let isWrapped: Bool

    /// Starts the server and waits (bounded) until it answers; a failure carries its log.
    init(tools: PowerDNSInteropTests.Tools, databasePath: String, folder: String) throws {
        let configFolder = folder + "/pdns-config"
        try FileManager.default.createDirectory(atPath: configFolder, withIntermediateDirectories: true)
        // An empty pdns.conf: nothing from /etc/powerdns (Debian's default launches the bind backend).
        _ = FileManager.default.createFile(atPath: configFolder + "/pdns.conf", contents: Data())
        guard let port = ExternalTools.freeLoopbackPort() else { throw InteropFailure("no free loopback port") }
        self.port = port
        self.logPath = folder + "/pdns_server.log"
        // Under coreutils `timeout`, so a server whose test process died (a crash skips `stop()`)
        // is killed within five minutes. `stop()` kills the server (the child of the PID we
        // started), which `timeout` then reaps.
        let bounded = ExternalTools.find("timeout").map { ($0, ["-s", "KILL", "300", tools.pdnsServer]) }
        let (executable, prefix) = bounded ?? (tools.pdnsServer, [])
        isWrapped = bounded != nil
        process = try ExternalTools.start(executable, prefix + [
            "--config-dir=\(configFolder)", "--socket-dir=\(folder)",
            "--launch=gsqlite3", "--gsqlite3-database=\(databasePath)",
            "--local-address=127.0.0.1", "--local-port=\(port)",
            "--daemon=no", "--guardian=no", "--disable-syslog", "--write-pid=no",
            "--webserver=no", "--api=no", "--primary=no", "--secondary=no",
            "--receiver-threads=1", "--distributor-threads=1", "--loglevel=5",
            "--cache-ttl=0", "--query-cache-ttl=0", "--negquery-cache-ttl=0",
        ], logPath: logPath)
        try waitUntilServing(dig: tools.dig, folder: folder)
    }

    private func waitUntilServing(dig: String, folder: String) throws {
        for _ in 0..<50 {
            guard process.isRunning else {
                throw InteropFailure("pdns_server exited with status \(process.terminationStatus):\n\(log)")
            }
            let probe = try ExternalTools.run(dig, ["@127.0.0.1", "-p", "\(port)", "+norec", "+time=1", "+tries=1",
                                                    "dyn.example.", "SOA"],
                                              outputPath: folder + "/probe.txt", timeoutSeconds: 5)
            if let probe, probe.status == 0, probe.output.contains("status: NOERROR") { return }
            usleep(200_000)
        }
        throw InteropFailure("pdns_server did not answer on 127.0.0.1:\(port) within the wait:\n\(log)")
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "(no log)" }

    func stop() { ExternalTools.stop(process, viaChildren: isWrapped) }

    /// Asks every question with one dig run (dig takes many queries per command line).
    func ask(_ questions: [Question], dig: String, folder: String) throws -> [DigAnswer] {
        var arguments = ["@127.0.0.1", "-p", "\(port)", "+norec", "+time=2", "+tries=2", "+noall", "+comments",
                         "+question", "+answer"]
        for question in questions { arguments += [question.name.description, question.type.description] }
        guard let result = try ExternalTools.run(dig, arguments, outputPath: folder + "/dig.txt", timeoutSeconds: 120)
        else { throw InteropFailure("dig did not finish within 120 s") }
        guard result.status == 0 else {
            throw InteropFailure("dig failed (\(result.status)):\n\(result.output)\n\(log)")
        }
        return try DigAnswer.parse(result.output)
    }
}

/// One response as dig prints it, its answer section parsed into records.
struct DigAnswer {
    var question = ""
    var rcode = ""
    var authoritative = false
    var answers: [ResourceRecord] = []

    /// Splits dig's output for many queries (`+noall +comments +question +answer`) into responses.
    static func parse(_ output: String) throws -> [DigAnswer] {
        var responses: [DigAnswer] = []
        var section = ""
        for rawLine in output.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = String(rawLine)
            if line.contains("->>HEADER<<-") {
                var response = DigAnswer()
                response.rcode = field(line, after: "status: ")
                responses.append(response)
                section = ""
            } else if line.hasPrefix(";; flags:"), !responses.isEmpty {
                let flags = field(line, after: ";; flags:").split(separator: " ")
                responses[responses.count - 1].authoritative = flags.contains("aa")
            } else if line.hasPrefix(";; ") && line.hasSuffix("SECTION:") {
                section = line
            } else if section == ";; QUESTION SECTION:", line.hasPrefix(";"), !line.hasPrefix(";;"),
                !responses.isEmpty
            {
                let fields = line.dropFirst().split(whereSeparator: { $0 == " " || $0 == "\t" })
                responses[responses.count - 1].question = fields.joined(separator: " ").lowercased()
            } else if section == ";; ANSWER SECTION:", !line.hasPrefix(";"), !responses.isEmpty {
                let parsed = ZoneFileParser.parseRecords(line, fileName: "dig", origin: .root)
                guard parsed.errors.isEmpty, parsed.records.count == 1 else {
                    throw InteropFailure("cannot read dig's record '\(line)': \(parsed.errors)")
                }
                responses[responses.count - 1].answers.append(parsed.records[0].record)
            }
        }
        return responses
    }

    /// The text after `marker` up to the next comma or semicolon.
    private static func field(_ line: String, after marker: String) -> String {
        guard let start = line.range(of: marker)?.upperBound else { return "" }
        return String(line[start...].prefix { $0 != "," && $0 != ";" }).trimmingCharacters(in: .whitespaces)
    }
}

struct InteropFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
