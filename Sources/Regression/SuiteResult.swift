import HTTPWire
import Reports

/// What one scenario of a suite came to: the child process's exit and, when it wrote one, its report.
public struct ScenarioResult: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case passed, failed
        /// The scenario did not load (exit 2): YAML, schema or zone file errors.
        case invalid
        /// The run ended abnormally (exit 3, a signal, or no readable report).
        case crashed
    }

    /// The scenario's path below the suite folder without `.yaml` (`attacks/botnet`); its report
    /// folder below `--out`.
    public var id: String
    public var file: String
    public var status: Status
    /// The child's exit status, or 128 + the signal that ended it.
    public var exitCode: Int32
    /// For invalid and crashed scenarios: what the child wrote to standard error (trimmed).
    public var message: String
    /// Wall time of the child; shown on the terminal and in JUnit, never in `index.json`.
    public var wallSeconds: Double
    public var report: ReportSummary?

    public init(id: String, file: String, status: Status, exitCode: Int32, message: String = "", wallSeconds: Double = 0,
                report: ReportSummary? = nil) {
        self.id = id
        self.file = file
        self.status = status
        self.exitCode = exitCode
        self.message = message
        self.wallSeconds = wallSeconds
        self.report = report
    }

    /// Classifies a finished child: exit 0 or 1 needs a readable report, 2 is invalid input,
    /// anything else a crash.
    public static func classify(id: String, file: String, exitCode: Int32, signalled: Bool, stderr: String,
                                reportText: String?, wallSeconds: Double) -> ScenarioResult {
        let message = String(stderr.suffix(4000)).trimmingWhitespace
        if signalled {
            return ScenarioResult(id: id, file: file, status: .crashed, exitCode: 128 + exitCode,
                                  message: "killed by signal \(exitCode)" + (message.isEmpty ? "" : "\n" + message),
                                  wallSeconds: wallSeconds)
        }
        switch exitCode {
        case 0, 1:
            guard let reportText else {
                return ScenarioResult(id: id, file: file, status: .crashed, exitCode: exitCode,
                                      message: "exit \(exitCode) but no report.json", wallSeconds: wallSeconds)
            }
            do {
                let report = try ReportSummary.parse(reportText)
                return ScenarioResult(id: id, file: file, status: report.passed ? .passed : .failed, exitCode: exitCode,
                                      wallSeconds: wallSeconds, report: report)
            } catch {
                return ScenarioResult(id: id, file: file, status: .crashed, exitCode: exitCode,
                                      message: "report.json: \(error)", wallSeconds: wallSeconds)
            }
        case 2:
            return ScenarioResult(id: id, file: file, status: .invalid, exitCode: 2, message: message, wallSeconds: wallSeconds)
        default:
            return ScenarioResult(id: id, file: file, status: .crashed, exitCode: exitCode,
                                  message: "exit \(exitCode)" + (message.isEmpty ? "" : "\n" + message),
                                  wallSeconds: wallSeconds)
        }
    }
}

/// A suite's results in input order, and what they add up to.
public struct SuiteResult: Sendable, Equatable {
    public var scenarios: [ScenarioResult]

    public init(scenarios: [ScenarioResult]) {
        self.scenarios = scenarios
    }

    public func count(_ status: ScenarioResult.Status) -> Int { scenarios.count { $0.status == status } }

    /// 0 all pass, 1 an expectation failed, 2 a scenario is invalid, 3 a run crashed: the worst wins.
    public var exitCode: Int32 {
        if count(.crashed) > 0 { return 3 }
        if count(.invalid) > 0 { return 2 }
        if count(.failed) > 0 { return 1 }
        return 0
    }

    /// `index.json`, schema `ddnslab.suite/1` (docs/ci.md): no wall-clock values, so the same
    /// suite, seeds and code give the same bytes. `compare` reads it; a committed copy is a baseline.
    public var indexJSON: JSONValue {
        var counts: [String: JSONValue] = ["scenarios": .integer(Int64(scenarios.count))]
        for status in ScenarioResult.Status.allCases { counts[status.rawValue] = .integer(Int64(count(status))) }
        return .object([
            "schema": .string(SuiteIndex.schema),
            "ddnslab_version": .string(BuildInfo.version),
            "passed": .bool(exitCode == 0),
            "counts": .object(counts),
            "scenarios": .array(scenarios.map(Self.entryJSON)),
        ])
    }

    private static func entryJSON(_ result: ScenarioResult) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(result.id), "file": .string(result.file), "status": .string(result.status.rawValue),
            "exit_code": .integer(Int64(result.exitCode)),
        ]
        if !result.message.isEmpty { object["message"] = .string(result.message) }
        if let report = result.report {
            object["name"] = .string(report.name)
            object["seed"] = .integer(Int64(bitPattern: report.seed))
            object["report"] = .string(result.id + "/report.json")
            object["attackers"] = .array(report.attackers.map { .string($0) })
            object["expectations"] = .array(report.expectations.map { expectation in
                .object(["figure": .string(expectation.figure), "op": .string(expectation.comparison),
                         "threshold": .number(expectation.threshold), "text": .string(expectation.text),
                         "value": expectation.value.map { .number($0) } ?? .null, "passed": .bool(expectation.passed)])
            })
            var figures: [String: JSONValue] = [:]
            for figure in report.figures { figures[figure.path] = .number(figure.value) }
            object["figures"] = .object(figures)
        }
        return .object(object)
    }
}

extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
