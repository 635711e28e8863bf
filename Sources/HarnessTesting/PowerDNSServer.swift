import DNSWire
import DNSZone
import Foundation

/// The programs a PowerDNS interop test needs: pdns_server with its SQLite backend, and dig.
public struct PowerDNSTools: Sendable {
    public var pdnsServer: String
    public var dig: String

    /// Finds the programs. When one is missing this throws, naming the Debian package and
    /// scripts/bootstrap.sh, so that a test without them fails and says why instead of passing.
    public static func required() throws(InteropFailure) -> PowerDNSTools {
        let hint = "run scripts/bootstrap.sh (it installs pdns-server, pdns-backend-sqlite3 and bind9-dnsutils)"
        guard let server = ExternalTools.find("pdns_server") else {
            throw InteropFailure("pdns_server (Debian package pdns-server) is not installed: \(hint)")
        }
        guard ExternalTools.findPowerDNSModule("libgsqlite3backend.so") != nil else {
            throw InteropFailure("PowerDNS's SQLite backend (Debian package pdns-backend-sqlite3) is not installed: \(hint)")
        }
        guard let dig = ExternalTools.find("dig") else {
            throw InteropFailure("dig (Debian package bind9-dnsutils) is not installed: \(hint)")
        }
        return PowerDNSTools(pdnsServer: server, dig: dig)
    }
}

/// A pdns_server on 127.0.0.1 serving one SQLite file, for the length of a test.
public struct PowerDNSServer {
    let process: Process
    public let port: UInt16
    let logPath: String
    /// The process is `timeout`, whose child is pdns_server.
    let isWrapped: Bool

    /// Starts the server on `databasePath` (`--launch=gsqlite3`) with its own empty configuration
    /// folder under `folder`, and waits (bounded) until it answers the SOA of `probe`; a failure
    /// carries its log.
    public init(tools: PowerDNSTools, databasePath: String, folder: String, probe: DNSName) throws {
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
        do {
            try waitUntilServing(dig: tools.dig, folder: folder, probe: probe)
        } catch {
            stop()
            throw error
        }
    }

    private func waitUntilServing(dig: String, folder: String, probe: DNSName) throws {
        for _ in 0..<50 {
            guard process.isRunning else {
                throw InteropFailure("pdns_server exited with status \(process.terminationStatus):\n\(log)")
            }
            let answer = try ExternalTools.run(dig, ["@127.0.0.1", "-p", "\(port)", "+norec", "+time=1", "+tries=1",
                                                     probe.description, "SOA"],
                                               outputPath: folder + "/probe.txt", timeoutSeconds: 5)
            if let answer, answer.status == 0, answer.output.contains("status: NOERROR") { return }
            usleep(200_000)
        }
        throw InteropFailure("pdns_server did not answer on 127.0.0.1:\(port) within the wait:\n\(log)")
    }

    /// What the server wrote to standard output and error.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "(no log)" }

    /// Stops the server by the PID we started (ExternalTools.stop).
    public func stop() { ExternalTools.stop(process, viaChildren: isWrapped) }

    /// Asks every question with one dig run (dig takes many queries per command line).
    public func ask(_ questions: [Question], dig: String, folder: String) throws -> [DigAnswer] {
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
public struct DigAnswer: Sendable {
    public var question = ""
    public var rcode = ""
    public var authoritative = false
    public var answers: [ResourceRecord] = []

    /// Splits dig's output for many queries (`+noall +comments +question +answer`) into responses.
    public static func parse(_ output: String) throws -> [DigAnswer] {
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

/// An interop test could not run (a program missing or failing); thrown, so the test fails with it.
public struct InteropFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
