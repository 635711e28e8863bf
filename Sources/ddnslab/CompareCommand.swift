import ArgumentParser
import Foundation
import Regression

/// `ddnslab compare BASE NEW`: figure changes between two reports or suites; exit 1 on a regression.
struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List figure changes between two runs; exit 1 if one is worse beyond the thresholds.",
        discussion: """
            BASE and NEW are each a report.json, a suite's index.json, or a folder holding one of them. \\
            Thresholds (docs/ci.md): per figure glob a tolerance and the worse direction; built-in rules \\
            cover latency, availability, wrong answers, lost updates, replication and nameserver load.
            Exit status: 0 no regression, 1 a regression, 2 invalid input.
            """)

    @Argument(help: "The baseline: report.json, index.json, or a folder with one.")
    var base: String

    @Argument(help: "The run to judge: report.json, index.json, or a folder with one.")
    var new: String

    @Option(name: .long, help: "A thresholds file (YAML, docs/ci.md); its rules go before the built-in ones.")
    var thresholds: String?

    @Flag(name: .long, help: "List every changed figure, not only the first 40 without a verdict.")
    var all = false

    func run() throws {
        let baseScenarios = Self.load(base)
        let newScenarios = Self.load(new)
        var rules = Thresholds.defaults
        if let thresholds {
            guard let data = FileManager.default.contents(atPath: thresholds) else {
                Run.fail("\(thresholds): error: cannot read the file")
            }
            do {
                rules = try Thresholds.parse(yaml: String(decoding: data, as: UTF8.self), file: thresholds)
            } catch {
                Run.fail(error.description)
            }
        }
        let comparison = Comparison(base: baseScenarios, new: newScenarios, thresholds: rules)
        print(comparison.text(limit: all ? Int.max : 40), terminator: "")
        throw ExitCode(comparison.passed ? Exit.passed : Exit.expectationFailed)
    }

    /// A file, or a folder's index.json (a suite) or report.json (one run); exits 2 when unusable.
    static func load(_ path: String) -> [ScenarioFigures] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            Run.fail("\(path): error: no such file or folder")
        }
        var file = path
        if isDirectory.boolValue {
            let candidates = ["index.json", "report.json"].map { (path as NSString).appendingPathComponent($0) }
            guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                Run.fail("\(path): error: the folder holds neither index.json (a suite) nor report.json (a run)")
            }
            file = found
        }
        guard let data = FileManager.default.contents(atPath: file) else { Run.fail("\(file): error: cannot read the file") }
        do {
            return try SuiteIndex.scenarios(from: String(decoding: data, as: UTF8.self))
        } catch {
            Run.fail("\(file): error: \(error)")
        }
    }
}
