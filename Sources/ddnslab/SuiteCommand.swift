import ArgumentParser
import Dispatch
import Foundation
import Regression
import Reports
import Scenario

/// `ddnslab run DIR|FILE…` with more than one scenario: a suite. Each scenario runs as
/// `ddnslab run FILE --quiet --out OUT/<id>` in a child process of this executable (so a run stays
/// one process and one thread, and its report is byte-identical to a single run's), `--jobs` at
/// once. Then `junit.xml`, `index.json` and `index.html` go to OUT and a table to standard output.
extension Run {
    /// Whether each scenario's folder gets a `report.html` to link from `index.html`.
    static let writesHTMLReport = true

    /// More than one file, or a folder.
    var isSuite: Bool {
        var isDirectory: ObjCBool = false
        return scenarios.count > 1
            || (FileManager.default.fileExists(atPath: scenarios[0], isDirectory: &isDirectory) && isDirectory.boolValue)
    }

    /// Runs the suite and returns its exit status (0 pass, 1 an expectation failed, 2 invalid input,
    /// 3 a run crashed or the results could not be written).
    func runSuite() -> Int32 {
        if trace != nil || pcapOut != nil { Self.fail("--trace and --pcap-out take a single scenario") }
        if let jobs, jobs < 1 { Self.fail("--jobs: expected at least 1, found \(jobs)") }
        if let duration, ScenarioLoader.duration(duration) == nil {
            Self.fail("--duration: expected a duration like 30s or 5m, found '\(duration)'")
        }
        let entries: [SuiteEntry]
        switch SuiteEntry.discover(scenarios) {
        case .success(let found): entries = found
        case .failure(let message): Self.fail(message.text)
        }
        let folder = out ?? "reports/suite"
        let jobs = self.jobs ?? ProcessInfo.processInfo.activeProcessorCount
        var childArguments: [String] = ["--quiet"]
        if let seed { childArguments += ["--seed", "\(seed)"] }
        if let duration { childArguments += ["--duration", duration] }
        if !quiet {
            FileHandle.standardError.write(Data("suite: \(entries.count) scenarios, \(jobs) at a time, reports in \(folder)\n".utf8))
        }
        let runner = SuiteRunner(entries: entries, folder: folder, jobs: jobs, childArguments: childArguments, quiet: quiet)
        let suite = runner.run()
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Data(JUnitReport.xml(suite).utf8).write(to: URL(fileURLWithPath: "\(folder)/junit.xml"))
            try Data(suite.indexJSON.text.utf8).write(to: URL(fileURLWithPath: "\(folder)/index.json"))
            try Data(SuiteSummary.html(suite, htmlReports: Run.writesHTMLReport).utf8)
                .write(to: URL(fileURLWithPath: "\(folder)/index.html"))
        } catch {
            FileHandle.standardError.write(Data("error: cannot write the suite's results to \(folder): \(error)\n".utf8))
            return Exit.internalError
        }
        print(SuiteSummary.table(suite), terminator: "")
        print("junit: \(folder)/junit.xml, index: \(folder)/index.html, figures: \(folder)/index.json")
        return suite.exitCode
    }
}

/// One scenario of a suite: its id (path below the folder given, without `.yaml`) and its file.
struct SuiteEntry {
    var id: String
    var file: String

    struct Failure: Error {
        var text: String
    }

    /// Folders give every `*.yaml` below them, sorted by path; files give themselves. Ids that
    /// would collide get `-2`, `-3`, … so every report has its own folder.
    static func discover(_ inputs: [String]) -> Result<[SuiteEntry], Failure> {
        var entries: [SuiteEntry] = []
        for input in inputs {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
                return .failure(Failure(text: "\(input): error: no such file or folder"))
            }
            if isDirectory.boolValue {
                let below = (FileManager.default.enumerator(atPath: input)?.allObjects as? [String] ?? [])
                    .filter { $0.hasSuffix(".yaml") && !$0.split(separator: "/").contains { $0.hasPrefix(".") } }
                    .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                if below.isEmpty { return .failure(Failure(text: "\(input): error: no *.yaml scenario below this folder")) }
                for relative in below {
                    entries.append(SuiteEntry(id: String(relative.dropLast(5)), file: (input as NSString).appendingPathComponent(relative)))
                }
            } else {
                let name = (input as NSString).lastPathComponent
                entries.append(SuiteEntry(id: name.hasSuffix(".yaml") ? String(name.dropLast(5)) : name, file: input))
            }
        }
        var seen: Set<String> = []
        for index in entries.indices {
            var id = entries[index].id
            var suffix = 2
            while seen.contains(id) { id = "\(entries[index].id)-\(suffix)"; suffix += 1 }
            seen.insert(id)
            entries[index].id = id
        }
        return .success(entries)
    }
}

/// Runs a suite's scenarios as child processes, `jobs` at once, and reads their reports.
struct SuiteRunner {
    let entries: [SuiteEntry]
    let folder: String
    let jobs: Int
    let childArguments: [String]
    let quiet: Bool

    private enum Launch {
        case started(Running)
        case failed(ScenarioResult)
    }

    private struct Running {
        var index: Int
        var process: Process
        var log: FileHandle?
        var started: ContinuousClock.Instant
    }

    func run() -> SuiteResult {
        var results: [ScenarioResult?] = Array(repeating: nil, count: entries.count)
        var running: [Running] = []
        var next = 0
        var done = 0
        let finished = DispatchSemaphore(value: 0)
        while next < entries.count || !running.isEmpty {
            while next < entries.count, running.count < jobs {
                switch launch(next, finished: finished) {
                case .started(let child): running.append(child)
                case .failed(let result):
                    results[next] = result
                    done += 1
                    announce(result, done: done)
                }
                next += 1
            }
            guard !running.isEmpty else { continue }
            finished.wait()
            // A wake-up can stand for several exits, or for one already collected; collect what ended.
            let ended = running.filter { !$0.process.isRunning }
            running.removeAll { child in ended.contains { $0.index == child.index } }
            for child in ended {
                let result = collect(child)
                results[child.index] = result
                done += 1
                announce(result, done: done)
            }
        }
        return SuiteResult(scenarios: results.map { $0! })
    }

    private func launch(_ index: Int, finished: DispatchSemaphore) -> Launch {
        let entry = entries[index]
        let reportFolder = "\(folder)/\(entry.id)"
        let fileManager = FileManager.default
        // A stale report.json must never stand in for a run that wrote none.
        try? fileManager.removeItem(atPath: reportFolder)
        try? fileManager.createDirectory(atPath: reportFolder, withIntermediateDirectories: true)
        _ = fileManager.createFile(atPath: "\(reportFolder)/run.log", contents: nil)
        let log = FileHandle(forWritingAtPath: "\(reportFolder)/run.log")
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["run", entry.file, "--out", reportFolder] + childArguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = log ?? FileHandle.nullDevice
        process.terminationHandler = { _ in finished.signal() }
        do {
            try process.run()
        } catch {
            try? log?.close()
            return .failed(ScenarioResult(id: entry.id, file: entry.file, status: .crashed, exitCode: 3,
                                           message: "cannot start \(Self.executable.path): \(error)"))
        }
        return .started(Running(index: index, process: process, log: log, started: .now))
    }

    private func collect(_ child: Running) -> ScenarioResult {
        let entry = entries[child.index]
        let wall = ContinuousClock.now - child.started
        try? child.log?.close()
        let reportFolder = "\(folder)/\(entry.id)"
        let stderr = FileManager.default.contents(atPath: "\(reportFolder)/run.log").map { String(decoding: $0, as: UTF8.self) } ?? ""
        if stderr.isEmpty { try? FileManager.default.removeItem(atPath: "\(reportFolder)/run.log") }
        let report = FileManager.default.contents(atPath: "\(reportFolder)/report.json").map { String(decoding: $0, as: UTF8.self) }
        return ScenarioResult.classify(
            id: entry.id, file: entry.file, exitCode: child.process.terminationStatus,
            signalled: child.process.terminationReason == .uncaughtSignal, stderr: stderr, reportText: report,
            wallSeconds: Double(wall.components.seconds) + Double(wall.components.attoseconds) * 1e-18)
    }

    private func announce(_ result: ScenarioResult, done: Int) {
        guard !quiet else { return }
        let seconds = JSONValue.format(result.wallSeconds, decimals: 1)
        FileHandle.standardError.write(Data("[\(done)/\(entries.count)] \(result.id): \(result.status.rawValue) (\(seconds) s)\n".utf8))
    }

    /// This executable: the children are the same build as the parent.
    static let executable: URL = {
        let linux = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        if FileManager.default.isExecutableFile(atPath: linux.path), linux.path != "/proc/self/exe" { return linux }
        let argument0 = CommandLine.arguments[0]
        if argument0.contains("/") {
            return URL(fileURLWithPath: argument0, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        }
        return Bundle.main.executableURL ?? URL(fileURLWithPath: argument0)
    }()
}
