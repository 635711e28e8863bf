import ArgumentParser
import Determinism
import Foundation
import Scenario
import Simulation
import Yams

/// `ddnslab sweep shrink`: the smallest scenario, found greedily, that still breaks the same
/// invariant under the same seed. Random faults are first written out as ordinary `faults`; then
/// expectations go, then each fault, then each workload item, then the duration is halved while the
/// run still fails. The result is an ordinary scenario file.
struct SweepShrink: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shrink", abstract: "Write the smallest scenario that still breaks the same invariant under the seed.")

    @Argument(help: "The scenario file.")
    var scenario: String

    @Option(name: .long, help: "The failing seed.")
    var seed: UInt64

    @OptionGroup var options: SweepRunOptions

    @Option(name: .long, help: "Write the smaller scenario here (default reports/sweep/<scenario>-seed<N>-shrunk.yaml).")
    var out: String?

    func run() throws {
        let loaded = try options.load(scenario, seed: seed)
        let executable = SweepChildren.executable
        let bug = (options.injectBug.map { ["--inject-bug", $0] } ?? [])
            + (options.faultPoints.map { ["--fault-points", $0] } ?? [])
        let first = SweepChildren.one(executable: executable, seed: seed,
                                      arguments: ["sweep", "seed", scenario, "--seed", String(seed)] + options.childArguments)
        guard !first.violations.isEmpty else {
            print("seed \(seed) keeps every invariant: nothing to shrink")
            return
        }
        let broken = Set(first.violations.map { $0[0] })
        guard let source = FileManager.default.contents(atPath: scenario),
            case .mapping(var root)? = try? Yams.compose(yaml: String(decoding: source, as: UTF8.self))
        else { Run.fail("\(scenario): error: cannot read the scenario as a YAML mapping") }
        root["seed"] = Node(String(seed), Tag(.int))
        root["random_faults"] = nil
        root["expect"] = nil
        var candidate = Candidate(
            root: root, faults: loaded.scenario.faults + RandomFaults.draw(loaded.scenario),
            workload: root["workload"]?.sequence.map(Array.init) ?? [], duration: loaded.scenario.duration)
        let before = (faults: candidate.faults.count, workload: candidate.workload.count, duration: candidate.duration)
        let folder = (scenario as NSString).deletingLastPathComponent
        let scratch = (folder.isEmpty ? "." : folder) + "/.ddnslab-shrink-\(getpid()).yaml"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var runs = 0
        func fails(_ trial: Candidate) -> Bool {
            guard let text = try? trial.yaml(),
                case .success = ScenarioLoader.load(yaml: text, file: scratch),
                (try? Data(text.utf8).write(to: URL(fileURLWithPath: scratch))) != nil
            else { return false }
            runs += 1
            let result = SweepChildren.one(executable: executable, seed: seed,
                                           arguments: ["sweep", "seed", scratch, "--seed", String(seed)] + bug)
            return result.violations.contains { broken.contains($0[0]) }
        }
        guard fails(candidate) else {
            Run.fail("seed \(seed) fails, but no longer once its random faults are written out; cannot shrink")
        }
        var index = candidate.faults.count - 1
        while index >= 0 {
            var trial = candidate
            trial.faults.remove(at: index)
            if fails(trial) { candidate = trial }
            index -= 1
        }
        index = candidate.workload.count - 1
        while index >= 0 {
            var trial = candidate
            trial.workload.remove(at: index)
            if fails(trial) { candidate = trial }
            index -= 1
        }
        while candidate.duration > .seconds(2) {
            var trial = candidate
            trial.duration = .nanoseconds(candidate.duration.nanoseconds / 2)
            guard fails(trial) else { break }
            candidate = trial
        }
        let name = (scenario as NSString).lastPathComponent.replacingOccurrences(of: ".yaml", with: "")
        let path = out ?? "reports/sweep/\(name)-seed\(seed)-shrunk.yaml"
        let outFolder = (path as NSString).deletingLastPathComponent
        candidate.movePaths(from: folder, to: outFolder)
        let text = "# Shrunk by `ddnslab sweep shrink \(scenario) --seed \(seed)`: breaks "
            + broken.sorted().joined(separator: ", ") + ".\n" + (try candidate.yaml())
        if !outFolder.isEmpty { try FileManager.default.createDirectory(atPath: outFolder, withIntermediateDirectories: true) }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        print("shrunk seed \(seed) (\(broken.sorted().joined(separator: ", "))) in \(runs) runs: "
            + "faults \(before.faults) -> \(candidate.faults.count), workload items \(before.workload) -> "
            + "\(candidate.workload.count), duration \(before.duration) -> \(candidate.duration); written to \(path)")
    }

    /// A scenario being shrunk: the document with its faults, workload items and duration apart.
    struct Candidate {
        var root: Node.Mapping
        var faults: [FaultSpec]
        var workload: [Node]
        var duration: SimDuration

        /// Rewrites the relative paths (zone files, captures) of a scenario in `from` for a file in `to`.
        mutating func movePaths(from: String, to: String) {
            func moved(_ node: Node) -> Node {
                guard let path = node.string, !path.hasPrefix("/") else { return node }
                return Node(Self.relative(Self.absolute((from.isEmpty ? "." : from) + "/" + path), from: Self.absolute(to.isEmpty ? "." : to)))
            }
            if case .sequence(let zones)? = root["zones"] { root["zones"] = .sequence(.init(zones.map(moved))) }
            workload = workload.map { item in
                guard case .mapping(var mapping) = item, case .mapping(var replay)? = mapping["replay"], let file = replay["file"]
                else { return item }
                replay["file"] = moved(file)
                mapping["replay"] = .mapping(replay)
                return .mapping(mapping)
            }
        }

        static func absolute(_ path: String) -> String {
            let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            return (full as NSString).standardizingPath
        }

        /// `path` relative to the folder `base` (both absolute and standardized).
        static func relative(_ path: String, from base: String) -> String {
            let target = path.split(separator: "/")
            let start = base.split(separator: "/")
            var common = 0
            while common < min(target.count, start.count), target[common] == start[common] { common += 1 }
            let up = Array(repeating: "..", count: start.count - common)
            return (up + target[common...].map(String.init)).joined(separator: "/")
        }

        func yaml() throws -> String {
            var document = root
            document["duration"] = Node("\(duration.nanoseconds)ns")
            document["faults"] = faults.isEmpty ? nil : .sequence(.init(try faults.map(Self.node)))
            document["workload"] = .sequence(.init(workload))
            return try Yams.serialize(node: .mapping(document))
        }

        /// A fault in the scenario syntax (docs/scenarios.md, Fault kinds).
        static func node(_ fault: FaultSpec) throws -> Node {
            func time(_ value: SimDuration) -> String { "\(value.nanoseconds)ns" }
            var text = "at: \(time(fault.at))"
            switch fault.kind {
            case .crash(let host): text += ", crash: \(host)"
            case .hang(let host): text += ", hang: \(host)"
            case .slow(let host, let factor): text += ", slow: \(host), factor: \(factor)"
            case .clockSkew(let host, let offset): text += ", clock_skew: \(host), offset: \(time(offset))"
            case .partition(let from, let to, let oneWay): text += ", partition: [\(from), \(to)], one_way: \(oneWay)"
            case .degrade(let between, let latency, let loss):
                text += ", degrade: [\(between.0), \(between.1)], latency: +\(time(latency)), "
                    + "loss: \(Double(loss) / 10_000)%"
            case .loseDatabase(let host): text += ", lose_database: \(host)"
            case .corruptDatabase(let host): text += ", corrupt_database: \(host)"
            case .restore(let host, let snapshot): text += ", restore: \(host), snapshot: \(snapshot.map(String.init) ?? "latest")"
            }
            if let duration = fault.duration { text += ", for: \(time(duration))" }
            guard let node = try Yams.compose(yaml: "{ \(text) }") else { throw ValidationError("fault \(text)") }
            return node
        }
    }
}
