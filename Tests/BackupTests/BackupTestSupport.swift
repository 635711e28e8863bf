import Determinism
import DNSWire
import DNSZone
import Foundation
import HarnessTesting
import Reports
import Scenario
import Simulation
import Storage
import Testing

/// Test literals (HarnessTesting.TestValues).
func name(_ text: String) -> DNSName { TestValues.name(text) }
func record(_ line: String) -> ResourceRecord { TestValues.record(line) }
func rrset(_ lines: String...) -> RRset { TestValues.rrset(lines) }

enum Fixtures {
    static let origin = name("dyn.example.")
    /// 2026-01-01T00:00:00Z.
    static let epoch: Int64 = 1_767_225_600

    /// The repository's root folder.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../..").standardizedFileURL.path

    static func read(_ path: String) -> String? {
        try? String(contentsOfFile: path.hasPrefix("/") ? path : root + "/" + path, encoding: .utf8)
    }

    /// fixtures/zones/dyn.example.zone.
    static func dynExample() throws -> Zone {
        let path = "fixtures/zones/dyn.example.zone"
        let text = try #require(read(path))
        return try ZoneFileParser.load(text, fileName: path, origin: origin, loader: read).zone
    }

    /// A WAL-mode store at `path` holding the fixture zone (as a simulation run opens it).
    static func store(at path: String) throws -> ZoneStore {
        let store = try ZoneStore(path: path, durability: .processCrash)
        _ = try store.storeZone(try dynExample(), kind: .master)
        return store
    }

    /// Sets host`index`.dyn.example to an address derived from `value`: one committed update.
    static func update(_ store: ZoneStore, host index: Int, value: Int, seconds: UInt64) throws {
        let address = "192.0.2.\(value % 250 + 1)"
        let change = ZoneChange([.replace(rrset("host\(index).dyn.example. 60 IN A \(address)"))])
        _ = try store.apply(change, to: origin, now: Instant(nanoseconds: seconds * 1_000_000_000), epoch: epoch)
    }
}



/// The scenarios the backup tests run: a primary, a secondary and a web server whose customers'
/// routers change addresses, on fixtures/zones/dyn.example.zone.
enum BackupScenarios {
    /// A scenario of that cluster; `sections` (workload, backups, faults, expect) follow the zones.
    static func webCluster(name: String, seed: Int, duration: String, epoch: String, customers: String,
                           sections: String) -> String {
        """
        version: 1
        name: \(name)
        seed: \(seed)
        duration: \(duration)
        epoch: \(epoch)
        sites:
          fsn1: { networks: [public, internal] }
          internet: { networks: [public] }
        links:
          - { between: [internet, fsn1], latency: { base: 15ms } }
        nameservers:
          - { name: ns1, site: fsn1, role: primary, networks: [internal] }
          - { name: ns2, site: fsn1, role: secondary, primary: ns1, networks: [internal] }
        web: { name: www, site: fsn1 }
        customers: { \(customers) }
        zones: [fixtures/zones/dyn.example.zone]
        \(sections)
        """
    }

    /// Runs `yaml` with its databases and backups in `folder`.
    static func run(_ yaml: String, in folder: String) throws -> RunReport {
        let scenario = try ScenarioLoader.scenario(yaml: yaml, file: "\(scenarioName(yaml)).yaml")
        var runner = ScenarioRun(scenario: scenario, zones: try ZoneSet([try Fixtures.dynExample()]),
                                 scenarioFile: "\(scenarioName(yaml)).yaml")
        runner.workFolder = folder
        return try runner.run().report
    }

    private static func scenarioName(_ yaml: String) -> String {
        yaml.split(separator: "\n").first { $0.hasPrefix("name: ") }.map { String($0.dropFirst(6)) } ?? "scenario"
    }
}
