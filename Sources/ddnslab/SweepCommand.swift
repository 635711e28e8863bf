import ArgumentParser
import DNSZone
import Foundation
import Scenario
import Simulation

/// `ddnslab sweep`: runs a scenario under many seeds, each in its own process, and checks the
/// invariants after every run (docs/sweeps.md).
struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario under many seeds with random faults and check the invariants after each.",
        subcommands: [SweepRun.self, SweepSeed.self, SweepMerge.self, SweepShrink.self],
        defaultSubcommand: SweepRun.self
    )
}

/// Options every sweep subcommand that runs seeds shares.
struct SweepRunOptions: ParsableArguments {
    @Option(name: .long, help: "'random': add random faults (crash, hang, slow, partition, degrade, clock_skew) when the scenario has none.")
    var faults: String?

    @Option(name: .long, help: "Switch on a deliberate bug (tests only): lose-acknowledged-update.")
    var injectBug: String?

    @Option(name: .long, help: "Fault points in our components to switch on, comma-separated: slow-commit, drop-notify, delay-health-check, or all.")
    var faultPoints: String?

    /// The fault points named by `--fault-points`.
    var points: Set<FaultPoint> {
        guard let faultPoints else { return [] }
        if faultPoints == "all" { return Set(FaultPoint.allCases) }
        return Set(faultPoints.split(separator: ",").compactMap { FaultPoint(rawValue: String($0)) })
    }

    /// The arguments that give a child run the same options.
    var childArguments: [String] {
        (faults.map { ["--faults", $0] } ?? []) + (injectBug.map { ["--inject-bug", $0] } ?? [])
            + (faultPoints.map { ["--fault-points", $0] } ?? [])
    }

    /// The scenario at `path` under `seed`, with random faults added when `--faults random` asks
    /// for them and the scenario has none; exits with status 2 when it does not load.
    func load(_ path: String, seed: UInt64) throws -> (scenario: Scenario, zones: ZoneSet) {
        var loaded = try Run.loadScenario(path)
        loaded.scenario.seed = seed
        if faults == "random", loaded.scenario.randomFaults == nil {
            loaded.scenario.randomFaults = SweepDefaults.randomFaults(for: loaded.scenario)
        }
        return loaded
    }

    func validate() throws {
        if let faults, faults != "random" { throw ValidationError("--faults: only 'random' is known, found '\(faults)'") }
        if let injectBug, InjectedBug(rawValue: injectBug) == nil {
            throw ValidationError("--inject-bug: one of \(InjectedBug.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let faultPoints, faultPoints != "all",
            let unknown = faultPoints.split(separator: ",").first(where: { FaultPoint(rawValue: String($0)) == nil }) {
            throw ValidationError("--fault-points: unknown '\(unknown)'; known: "
                + FaultPoint.allCases.map(\.rawValue).joined(separator: ", ") + ", all")
        }
    }
}

/// One seed in this process: run, check, print one JSON line (the sweep's child).
struct SweepSeed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed", abstract: "Run one seed and print its invariant check as a JSON line (what a sweep runs per seed).")

    @Argument(help: "The scenario file.")
    var scenario: String

    @Option(name: .long, help: "The seed.")
    var seed: UInt64

    @OptionGroup var options: SweepRunOptions

    @Option(name: .long, help: "Also write the run's report.json and summary.md into this folder.")
    var report: String?

    func run() throws {
        let loaded = try options.load(scenario, seed: seed)
        var runner = ScenarioRun(scenario: loaded.scenario, zones: loaded.zones, scenarioFile: scenario)
        runner.checksInvariants = true
        runner.injectedBug = options.injectBug.flatMap(InjectedBug.init(rawValue:))
        runner.faultPoints = options.points
        runner.replayPlans = Run.loadReplays(loaded.scenario, scenarioPath: scenario)
        // The databases stay in memory (`workFolder` nil): a sweep runs thousands of seeds, and the
        // simulator's crash keeps the store either way.
        let outcome: ScenarioRun.Outcome
        do {
            outcome = try runner.run()
        } catch {
            FileHandle.standardError.write(Data("error: a node's database failed: \(error)\n".utf8))
            throw ExitCode(Exit.internalError)
        }
        if let report {
            try FileManager.default.createDirectory(atPath: report, withIntermediateDirectories: true)
            try Data(outcome.report.json.text.utf8).write(to: URL(fileURLWithPath: "\(report)/report.json"))
            try Data(outcome.report.markdown.utf8).write(to: URL(fileURLWithPath: "\(report)/summary.md"))
        }
        let result = SeedResult(seed: seed, checked: outcome.invariantsChecked,
                                violations: outcome.violations.map { [$0.invariant, $0.detail] })
        print(String(decoding: try SweepJSON.encoder.encode(result), as: UTF8.self))
        throw ExitCode(result.violations.isEmpty ? Exit.passed : Exit.expectationFailed)
    }
}

/// The sweep: seeds A..B (or one shard of them) in parallel child processes.
struct SweepRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run seeds A..B (or shard I/N of them), print each failing seed with the command that reproduces it.")

    @Argument(help: "The scenario file.")
    var scenario: String

    @Option(name: .long, help: "Seeds, e.g. 1..1000.")
    var seeds: String

    @Option(name: .long, help: "Run only shard I of N (seeds whose position in the range is I modulo N), e.g. 0/4.")
    var shard: String?

    @OptionGroup var options: SweepRunOptions

    @Option(name: .long, help: "Parallel processes (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .long, help: "Write the results (JSON) here (default reports/sweep/<scenario>-<seeds>[-shard-I-of-N].json).")
    var out: String?

    @Flag(name: .long, help: "Print only failing seeds and the total.")
    var quiet = false

    func run() throws {
        guard let range = SweepJSON.seedRange(seeds) else {
            Run.fail("--seeds: expected A..B with A <= B, found '\(seeds)'")
        }
        let part = shard.map { text -> (index: Int, count: Int) in
            guard let value = SweepJSON.shard(text) else { Run.fail("--shard: expected I/N with 0 <= I < N, found '\(text)'") }
            return value
        }
        _ = try Run.loadScenario(scenario)  // bad input: exit 2 before spawning anything
        let chosen = Array(range).enumerated().filter { position, _ in
            part.map { position % $0.count == $0.index } ?? true
        }.map(\.element)
        let started = ContinuousClock.now
        let results = SweepChildren.run(seeds: chosen, jobs: max(1, jobs)) { seed in
            ["sweep", "seed", scenario, "--seed", String(seed)] + options.childArguments
        }
        let wall = ContinuousClock.now - started
        let file = SweepFile(scenario: scenario, faults: options.faults ?? "none", injectedBug: options.injectBug,
                             seeds: seeds, shard: shard, results: results)
        let path = out ?? "reports/sweep/\((scenario as NSString).lastPathComponent.replacingOccurrences(of: ".yaml", with: ""))-"
            + seeds.replacingOccurrences(of: "..", with: "-") + (part.map { "-shard-\($0.index)-of-\($0.count)" } ?? "") + ".json"
        try SweepJSON.write(file, to: path)
        let failing = results.filter { !$0.violations.isEmpty }
        for result in failing {
            let invariants = Set(result.violations.map { $0[0] }).sorted().joined(separator: ", ")
            print("seed \(result.seed): \(invariants)")
            for violation in result.violations { print("  \(violation[0]): \(violation[1])") }
            print("  reproduce: \(reproduce(seed: result.seed))")
        }
        print("sweep: \(results.count) seeds of \(scenario), \(failing.count) failing, in \(wall) (\(max(1, jobs)) processes); "
            + "results: \(path)")
        throw ExitCode(failing.isEmpty ? Exit.passed : Exit.expectationFailed)
    }

    func reproduce(seed: UInt64) -> String {
        (["ddnslab", "sweep", "seed", scenario, "--seed", String(seed)] + options.childArguments
            + ["--report", "reports/sweep/seed-\(seed)"]).joined(separator: " ")
    }
}

/// `ddnslab sweep merge`: shard results into the result of the whole range.
struct SweepMerge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Combine the results of shards into one, equal to the unsharded sweep's.")

    @Argument(help: "Result files of the shards.")
    var files: [String]

    @Option(name: .long, help: "Write the merged results here.")
    var out: String

    func run() throws {
        var parts: [SweepFile] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file),
                let part = try? JSONDecoder().decode(SweepFile.self, from: data)
            else { Run.fail("\(file): error: not a sweep result file") }
            parts.append(part)
        }
        guard let first = parts.first else { Run.fail("no result files given") }
        for part in parts where part.scenario != first.scenario || part.seeds != first.seeds
            || part.faults != first.faults || part.injectedBug != first.injectedBug {
            Run.fail("the shards differ in scenario, seeds, faults or injected bug; they are not parts of one sweep")
        }
        let results = parts.flatMap(\.results).sorted { $0.seed < $1.seed }
        guard Set(results.map(\.seed)).count == results.count else { Run.fail("a seed appears in more than one shard") }
        try SweepJSON.write(SweepFile(scenario: first.scenario, faults: first.faults, injectedBug: first.injectedBug,
                                      seeds: first.seeds, shard: nil, results: results), to: out)
        let failing = results.filter { !$0.violations.isEmpty }.count
        print("merged \(parts.count) shards: \(results.count) seeds, \(failing) failing; results: \(out)")
        throw ExitCode(failing == 0 ? Exit.passed : Exit.expectationFailed)
    }
}

/// Random faults a sweep adds to a scenario that has none: every kind the topology allows, one
/// every fifth of the run on average, 2 to 20 s each, all over by half the run so that the cluster
/// has time to heal before the invariants are checked.
enum SweepDefaults {
    static func randomFaults(for scenario: Scenario) -> RandomFaultSpec {
        var kinds = ["crash", "hang", "slow", "clock_skew"]
        if !scenario.links.isEmpty { kinds += ["partition", "degrade"] }
        let duration = scenario.duration.nanoseconds
        return RandomFaultSpec(kinds: kinds, meanInterval: .nanoseconds(max(1, duration / 5)),
                               minimumDuration: .seconds(2), maximumDuration: .seconds(20),
                               until: .nanoseconds(duration / 2))
    }
}
