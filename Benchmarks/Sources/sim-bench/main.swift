// sim-bench: simulated queries per wall second for a 60 s scenario at 50,000 queries/s against one
// nameserver (issue 3), on one core, release build. Usage: sim-bench OUT.json [ZONEFILE]
import DNSWire
import DNSZone
import Determinism
import Foundation
import Reports
import Scenario
import Simulation

let zonePath = CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : "fixtures/zones/dyn.example.zone"
guard let text = FileManager.default.contents(atPath: zonePath).map({ String(decoding: $0, as: UTF8.self) }) else {
    fatalError("cannot read \(zonePath)")
}
let zone = try! ZoneFileParser.load(text, fileName: zonePath, origin: DNSName("dyn.example.")!).zone
let zones = try! ZoneSet([zone])

// An optional third argument shortens the run (for profiling under callgrind).
let seconds = CommandLine.arguments.count > 3 ? Int64(CommandLine.arguments[3]) ?? 60 : 60
let repetitions = seconds == 60 ? 3 : 1
let scenario = Scenario(
    name: "bench-sim", seed: 1, duration: .seconds(seconds),
    sites: [Site(name: "internet", networks: ["public"]), Site(name: "fsn1", networks: ["public", "internal"])],
    links: [Link(between: ("internet", "fsn1"),
                 latency: LatencySpec(base: .milliseconds(12), jitter: .logNormal(median: .milliseconds(2), sigma: 0.6)),
                 lossPartsPerMillion: 100)],
    nameservers: [NameserverSpec(name: "ns1", site: "fsn1", networks: ["public"],
                                 capacity: CapacitySpec(cores: 8, serviceTime: .microseconds(20), queueLimit: 4096))],
    zoneFiles: [zonePath],
    workload: [ResolverPopulationSpec(
        name: "legit", count: 10_000, site: "internet", targets: ["ns1"], rate: .poisson(perSecond: 50_000),
        queryTypes: [(.a, 700_000), (.aaaa, 250_000), (.txt, 50_000)], zipfExponent: 1.1,
        nxdomainPartsPerMillion: 30_000, ednsPartsPerMillion: 900_000, ednsSizes: [1232, 4096])])

var results: [[String: Any]] = []
for repetition in 0..<repetitions {
    let clock = ContinuousClock()
    var outcome: ScenarioRun.Outcome?
    let elapsed = clock.measure { outcome = try! ScenarioRun(scenario: scenario, zones: zones, scenarioFile: "bench").run() }
    let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    let report = outcome!.report
    let queries = Double(report.classes[0].sent)
    results.append([
        "wall_seconds": wall, "queries": Int(queries), "events": Int(outcome!.eventsProcessed),
        "queries_per_wall_second": Int(queries / wall), "sim_to_wall_ratio": Double(seconds + 6) / wall,
        "events_per_wall_second": Int(Double(outcome!.eventsProcessed) / wall),
        "availability_percent": report.classes[0].availabilityPercent, "trace_digest": report.traceDigest,
    ])
    print("run \(repetition): \(Int(queries)) queries in \(String(format: "%.2f", wall)) s wall: "
          + "\(Int(queries / wall)) simulated queries/s, \(String(format: "%.1f", Double(seconds + 6) / wall))x real time, "
          + "\(Int(Double(outcome!.eventsProcessed) / wall)) events/s")
}
let median = results.sorted { ($0["wall_seconds"] as! Double) < ($1["wall_seconds"] as! Double) }[results.count / 2]
let report: [String: Any] = [
    "benchmark": "simulator", "build": "release", "cores_used": 1,
    "scenario": "60 s at poisson(50000/s), 10,000 clients, 1 nameserver (8 cores, 20 us/query), 12 ms + lognormal jitter, 0.01% loss",
    "method": "median of 3 full runs (simulated time includes the 6 s drain for late answers)",
    "target_queries_per_wall_second": 1_000_000,
    "median": median, "runs": results,
]
let out = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "reports/bench/sim.json"
try! FileManager.default.createDirectory(atPath: (out as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
try! JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: out))
print("wrote \(out)")
