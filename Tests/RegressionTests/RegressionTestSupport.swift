import DNSWire
import DNSZone
import Determinism
import Foundation
import Regression
import Reports
import Scenario
import Simulation
import Testing

/// Fixtures and external tools for the regression tests.
enum RegressionTestSupport {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Runs a scenario of the library in this process (its zones must be the dyn.example fixture),
    /// after `edit` changed its YAML text; `duration` overrides the scenario's.
    static func runScenario(_ path: String, duration: SimDuration? = nil,
                            edit: (String) throws -> String = { $0 }) throws -> RunReport {
        let yaml = try edit(String(contentsOf: repositoryRoot.appendingPathComponent(path), encoding: .utf8))
        var scenario = try ScenarioLoader.load(yaml: yaml, file: path).get()
        if let duration { scenario.duration = duration }
        try #require(scenario.zoneFiles.allSatisfy { $0.hasSuffix("fixtures/zones/dyn.example.zone") })
        let zoneText = try String(contentsOf: repositoryRoot.appendingPathComponent("fixtures/zones/dyn.example.zone"),
                                  encoding: .utf8)
        let zone = try ZoneFileParser.load(zoneText, fileName: "dyn.example.zone", origin: DNSName("dyn.example.")!).zone
        return try ScenarioRun(scenario: scenario, zones: try ZoneSet([zone]), scenarioFile: path).run().report
    }

    /// The path of an executable on PATH, or nil.
    static func tool(_ name: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Runs a tool; returns its exit status and what it wrote to standard output and error.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func temporaryFile(_ name: String, contents: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ddnslab-regression-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try Data(contents.utf8).write(to: url)
        return url
    }

    /// A suite with every kind of outcome: passed, an expectation failed, invalid, crashed.
    static var mixedSuite: SuiteResult {
        let passing = ReportSummary(
            name: "quickstart", seed: 42, passed: true,
            expectations: [.init(figure: "legit.availability", comparison: ">=", threshold: 99.9, text: ">= 99.9%",
                                 value: 100, passed: true)],
            figures: [FigureValue("legit.latency.p99", 22.5)], attackers: [])
        let failing = ReportSummary(
            name: "strict", seed: 7, passed: false,
            expectations: [
                .init(figure: "legit.latency.p99", comparison: "<", threshold: 1, text: "< 1ms", value: 22.561, passed: false),
                .init(figure: "server.ns9.queries", comparison: ">", threshold: 0, text: "> 0", value: nil, passed: false),
            ],
            figures: [], attackers: [])
        return SuiteResult(scenarios: [
            ScenarioResult(id: "quickstart", file: "scenarios/quickstart.yaml", status: .passed, exitCode: 0,
                           wallSeconds: 1.25, report: passing),
            ScenarioResult(id: "attacks/strict & <odd>", file: "s/strict.yaml", status: .failed, exitCode: 1,
                           wallSeconds: 2, report: failing),
            ScenarioResult(id: "broken", file: "broken.yaml", status: .invalid, exitCode: 2,
                           message: "broken.yaml:3:11: error: expected a duration like 250ms, found 'fast'"),
            ScenarioResult(id: "crash", file: "crash.yaml", status: .crashed, exitCode: 134,
                           message: "killed by signal 6\nFatal error: \u{1B}[31mboom\u{0}"),
        ])
    }
}
