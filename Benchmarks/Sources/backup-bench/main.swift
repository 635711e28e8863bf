// backup-bench: wall time of scenarios/backups/ninety-days.yaml (issue 7 point 1: 90 days at a
// 15-minute backup cycle, every snapshot copied, checksummed, verified against the served zones and
// pruned by the ladder, in under a minute), release build, through the Simulation library with the
// databases and the backup folder in a fresh temporary work folder.
// Usage: backup-bench OUT.json [SCENARIO.yaml] [RUNS]
import DNSWire
import DNSZone
import Foundation
import Reports
import Scenario
import Simulation

let arguments = CommandLine.arguments
let out = arguments.count > 1 ? arguments[1] : "reports/bench/backups.json"
let scenarioPath = arguments.count > 2 ? arguments[2] : "scenarios/backups/ninety-days.yaml"
let runs = arguments.count > 3 ? max(1, Int(arguments[3]) ?? 1) : 1
let targetSeconds = 60.0

func read(_ path: String) -> String {
    guard let data = FileManager.default.contents(atPath: path) else { fatalError("cannot read \(path)") }
    return String(decoding: data, as: UTF8.self)
}

let scenario: Scenario
switch ScenarioLoader.load(yaml: read(scenarioPath), file: scenarioPath) {
case .success(let value): scenario = value
case .failure(let errors): fatalError(errors.description)
}
guard scenario.backups != nil else { fatalError("\(scenarioPath) has no backups section") }
// Zone files are relative to the scenario; the origin is the file name without `.zone`, as in the CLI.
let directory = (scenarioPath as NSString).deletingLastPathComponent
let zones = try! ZoneSet(scenario.zoneFiles.map { file in
    let path = file.hasPrefix("/") ? file : (directory as NSString).appendingPathComponent(file)
    var name = (path as NSString).lastPathComponent
    if name.hasSuffix(".zone") { name = String(name.dropLast(5)) }
    return try! ZoneFileParser.load(read(path), fileName: path, origin: DNSName(name)!).zone
})

let work = NSTemporaryDirectory() + "ddnslab-backup-bench-\(getpid())"
var results: [[String: Any]] = []
for run in 0..<runs {
    try? FileManager.default.removeItem(atPath: work)
    try! FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    var runner = ScenarioRun(scenario: scenario, zones: zones, scenarioFile: scenarioPath)
    runner.workFolder = work
    let clock = ContinuousClock()
    var outcome: ScenarioRun.Outcome?
    let elapsed = clock.measure { outcome = try! runner.run() }
    let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    let report = outcome!.report
    let backups = report.backups!
    results.append([
        "wall_seconds": wall, "snapshots": Int(backups.snapshots), "verified": Int(backups.verified),
        "failed": Int(backups.failed), "pruned": Int(backups.pruned), "kept": backups.kept.count,
        "retention_mismatches": Int(backups.retentionMismatches), "expectations_passed": report.passed,
        "events": Int(outcome!.eventsProcessed),
    ])
    print("run \(run): \(backups.snapshots) snapshots (\(backups.verified) verified, \(backups.kept.count) kept, "
          + "\(backups.retentionMismatches) retention mismatches) in \(String(format: "%.2f", wall)) s wall")
}
try? FileManager.default.removeItem(atPath: work)

let median = results.sorted { ($0["wall_seconds"] as! Double) < ($1["wall_seconds"] as! Double) }[results.count / 2]
let seconds = median["wall_seconds"] as! Double
let report: [String: Any] = [
    "benchmark": "backups", "build": "release", "cores_used": 1, "scenario": scenarioPath,
    "method": "median of \(runs) full run(s) through ScenarioRun, work folder in \(NSTemporaryDirectory())",
    "seconds": seconds, "snapshots": median["snapshots"]!, "kept": median["kept"]!,
    "target_seconds": targetSeconds, "target_met": seconds < targetSeconds && median["expectations_passed"] as! Bool,
    "median": median, "runs": results,
]
try! FileManager.default.createDirectory(atPath: (out as NSString).deletingLastPathComponent,
                                        withIntermediateDirectories: true)
try! JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
    .write(to: URL(fileURLWithPath: out))
print("wrote \(out)")
