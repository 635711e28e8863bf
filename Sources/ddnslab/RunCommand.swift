import ArgumentParser
import DNSZone
import Determinism
import Foundation
import PcapCapture
import PcapDecode
import PcapReplay
import Reports
import Scenario
import Simulation

/// `ddnslab run SCENARIO`: simulate a scenario and write its report.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario in the simulator and write reports/<scenario>/report.json and summary.md.",
        discussion: """
            Exit status: 0 every expectation holds, 1 an expectation failed, 2 invalid input, 3 internal error.
            Several files or a folder (every *.yaml below it) run as a suite: one process per scenario, \
            --jobs at once; --out (default reports/suite) gets a folder per scenario, junit.xml, index.json \
            and index.html; the exit status is the worst of the scenarios'.
            """)

    @Argument(help: "A scenario file (YAML, docs/scenarios.md); several files or a folder run as a suite (docs/ci.md).")
    var scenarios: [String]

    /// The scenario of a single run.
    var scenario: String { scenarios[0] }

    @Option(name: .long, help: "Suites: scenarios run at once, each in its own process (default: the number of cores).")
    var jobs: Int?

    @Option(name: .long, help: "Override the scenario's seed.")
    var seed: UInt64?

    @Option(name: .long, help: "Output folder (default reports/<scenario name>).")
    var out: String?

    @Option(name: .long, help: "Override the simulated duration, e.g. 30s or 5m.")
    var duration: String?

    @Option(name: .long, help: "Write every traced event as text to this file (slow; for debugging).")
    var trace: String?

    @Option(name: .long, help: "Write what reached each receiver on the simulated wire as a pcap file (docs/pcap.md).")
    var pcapOut: String?

    @Flag(name: .long, help: "No progress bar and no summary on standard output.")
    var quiet = false

    func run() throws {
        if isSuite { throw ExitCode(runSuite()) }
        let started = ContinuousClock.now
        var loaded = try Self.loadScenario(scenario)
        if let seed { loaded.scenario.seed = seed }
        if let duration {
            guard let value = ScenarioLoader.duration(duration) else {
                Self.fail("--duration: expected a duration like 30s or 5m, found '\(duration)'")
            }
            loaded.scenario.duration = value
        }
        let folder = out ?? "reports/\(loaded.scenario.name)"
        var runner = ScenarioRun(scenario: loaded.scenario, zones: loaded.zones, scenarioFile: scenario,
                                 recordTrace: trace != nil)
        // Each primary's and secondary's database is a real SQLite file, fresh for every run.
        let work = "\(folder)/work"
        try? FileManager.default.removeItem(atPath: work)
        do {
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        } catch {
            FileHandle.standardError.write(Data("error: cannot create \(work): \(error)\n".utf8))
            throw ExitCode(Exit.internalError)
        }
        runner.workFolder = work
        runner.replayPlans = Self.loadReplays(loaded.scenario, scenarioPath: scenario)
        runner.recordWire = pcapOut != nil
        let progress = ProgressLine(enabled: !quiet && isatty(STDERR_FILENO) == 1, total: loaded.scenario.duration,
                                    started: started)
        let outcome: ScenarioRun.Outcome
        do {
            outcome = try runner.run { instant, events in progress.update(instant, events: events) }
        } catch {
            progress.finish()
            FileHandle.standardError.write(Data("error: a node's database failed: \(error)\n".utf8))
            throw ExitCode(Exit.internalError)
        }
        progress.finish()
        var json = outcome.report.json
        if let pcapOut {
            let capture = WireCapture(records: outcome.wire)
            do {
                let writer = try CaptureWriter(path: pcapOut, linkType: .raw)
                for packet in capture.packets { writer.write(packet.bytes, timestampNanoseconds: packet.timestampNanoseconds) }
                writer.close()
            } catch {
                FileHandle.standardError.write(Data("error: --pcap-out: \(error)\n".utf8))
                throw ExitCode(Exit.internalError)
            }
            if case .object(var members) = json {
                members["pcap_out"] = capture.json
                json = .object(members)
            }
            if !quiet { print("pcap: \(capture.packets.count) packets, \(capture.dnsMessages) DNS messages written to \(pcapOut)") }
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Data(json.text.utf8).write(to: URL(fileURLWithPath: "\(folder)/report.json"))
            try Data(outcome.report.markdown.utf8).write(to: URL(fileURLWithPath: "\(folder)/summary.md"))
            try Data(outcome.report.html.utf8).write(to: URL(fileURLWithPath: "\(folder)/report.html"))
            if let trace { try Data((outcome.traceLines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: trace)) }
        } catch {
            FileHandle.standardError.write(Data("error: cannot write the report: \(error)\n".utf8))
            throw ExitCode(Exit.internalError)
        }
        if !quiet {
            print(outcome.report.markdown)
            let wall = ContinuousClock.now - started
            print("report: \(folder)/report.json, \(folder)/summary.md (\(outcome.eventsProcessed) events in \(wall))")
        }
        throw ExitCode(outcome.report.passed ? Exit.passed : Exit.expectationFailed)
    }

    /// Reads and validates a scenario and its zones; exits with status 2 and every error otherwise.
    static func loadScenario(_ path: String) throws -> (scenario: Scenario, zones: ZoneSet) {
        guard let data = FileManager.default.contents(atPath: path) else { fail("\(path): error: cannot read the file") }
        let scenario: Scenario
        switch ScenarioLoader.load(yaml: String(decoding: data, as: UTF8.self), file: path) {
        case .success(let value): scenario = value
        case .failure(let errors): fail(errors.description)
        }
        let directory = (path as NSString).deletingLastPathComponent
        let files = scenario.zoneFiles.map { $0.hasPrefix("/") ? $0 : (directory as NSString).appendingPathComponent($0) }
        do {
            return (scenario, try ZoneFiles.load(files).0)
        } catch {
            fail(error.description)
        }
    }

    /// Reads each `replay` item's capture (relative to the scenario) into its plan; exits with status 2
    /// when a capture cannot be opened. A capture damaged part-way replays what was read, with a warning.
    static func loadReplays(_ scenario: Scenario, scenarioPath: String) -> [ReplayPlan] {
        let directory = (scenarioPath as NSString).deletingLastPathComponent
        return scenario.replays.map { spec in
            let path = spec.file.hasPrefix("/") ? spec.file : (directory as NSString).appendingPathComponent(spec.file)
            let read: (messages: [CapturedDNSMessage], statistics: ExtractionStatistics, frames: CaptureFrames)
            do {
                read = try CaptureFrames.extractDNS(path: path)
            } catch {
                fail("\(scenarioPath):\(spec.position): error: replay '\(spec.name)': cannot read \(path): \(error)")
            }
            if let damage = read.frames.formatError {
                FileHandle.standardError.write(Data("warning: replay '\(spec.name)': \(path): \(damage); replaying what was read\n".utf8))
            }
            return ReplayPlan(messages: read.messages, speedPartsPerMillion: spec.speedPartsPerMillion)
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        Foundation.exit(Exit.invalidInput)
    }
}

/// `ddnslab validate FILE…`: check scenario files without running them.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate scenario files; every error as file:line:column, exit 2 if any.")

    @Argument(help: "Scenario files.")
    var files: [String]

    func run() throws {
        var failed = false
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                FileHandle.standardError.write(Data("\(file): error: cannot read the file\n".utf8))
                failed = true
                continue
            }
            switch ScenarioLoader.load(yaml: String(decoding: data, as: UTF8.self), file: file) {
            case .success: print("\(file): ok")
            case .failure(let errors):
                FileHandle.standardError.write(Data((errors.description + "\n").utf8))
                failed = true
            }
        }
        if failed { throw ExitCode(Exit.invalidInput) }
    }
}

/// A one-line progress display on a terminal: simulated time, wall time, events per second.
struct ProgressLine {
    let enabled: Bool
    let total: SimDuration
    let started: ContinuousClock.Instant

    init(enabled: Bool, total: SimDuration, started: ContinuousClock.Instant) {
        self.enabled = enabled
        self.total = total
        self.started = started
    }

    func update(_ instant: Instant, events: UInt64) {
        guard enabled else { return }
        let wall = ContinuousClock.now - started
        let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) * 1e-18
        let share = min(1, Double(instant.nanoseconds) / Double(max(1, total.nanoseconds)))
        let filled = Int(share * 30)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled)
        let rate = seconds > 0 ? Int(Double(events) / seconds) : 0
        FileHandle.standardError.write(Data("\r[\(bar)] sim \(instant) / \(total)  wall \(Int(seconds))s  \(rate) events/s ".utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
