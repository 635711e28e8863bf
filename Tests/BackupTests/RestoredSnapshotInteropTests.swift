@testable import Backup
import DNSWire
import DNSZone
import Determinism
import Foundation
import GRDB
import HarnessTesting
import Reports
import Scenario
import Simulation
import Storage
import Testing

/// ISSUE 7, point 5: `ddnslab backup restore` on a snapshot produced by a run gives a database that
/// a real PowerDNS (`pdns_server --launch=gsqlite3`, loopback only) serves with the same answers as
/// our nameserver.
///
/// A short run with a web server, customers whose routers report address changes, and a 15-minute
/// backup cycle of the primary's database (which the web server shares, so snapshots hold the
/// customers' records and the `lab_` tables). A verified snapshot taken after updates were
/// committed is restored as the command restores (`BackupVault.restoreAndSave`, which
/// `ddnslab backup restore` calls), then PowerDNS on the restored file and our engine on the zones
/// read back from it are asked every name and type (HarnessTesting's `PowerDNSInterop`: RCODE, AA,
/// answer RRsets as sets of typed records).
///
/// Needs pdns-server, pdns-backend-sqlite3 and dig (scripts/bootstrap.sh installs them); without
/// them the test fails and says so. pdns_server is stopped by its PID.
@Suite(.serialized) struct RestoredSnapshotInteropTests {
    static let customerCount = 40

    static let yaml = BackupScenarios.webCluster(
        name: "backups-restore-pdns", seed: 5, duration: "2h", epoch: "2026-03-02T00:00:00Z",
        customers: "count: \(customerCount), zone: dyn.example, ttl: 60, ipv6: 50%", sections: """
        workload:
          - updaters: { name: fritz, model: fritzbox, share: 50%, site: internet }
          - updaters: { name: ddc, model: ddclient, share: 50%, site: internet }
          - ip_changes: { kind: random, mean_interval: 40m }
        backups: { of: ns1, every: 15m, keep: { "15m": 1d } }
        expect:
          backups.failed: "== 0"
          updates.lost: "== 0"
        """)

    /// Probes below and beside the customers' names `c00`…`c39` (relative to dyn.example.): a name
    /// below a customer, one in capitals, one never provisioned.
    static let customerProbes = ["x.c01", "C02", "c\(customerCount + 7)"]

    @Test func powerDNSServesARestoredSnapshotAsOurEngineDoes() throws {
        let tools = try PowerDNSTools.required()
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let report = try Self.run(in: folder.path)
        #expect(report.passed && report.backups?.failed == 0)
        #expect(try #require(report.web).committed > 0, "the web server committed updates during the run")

        var vault = try BackupVault.open(existing: folder.path + "/backups")
        let verified = vault.catalogue.snapshots.filter { $0.state == .verified }
        let first = try #require(verified.first)
        #expect(first.instant == .zero, "the first snapshot holds the customers as provisioned")
        let changed = verified.filter { $0.zones != first.zones }
        try #require(!changed.isEmpty, "a snapshot after committed updates")
        let chosen = changed[changed.count / 2]  // named by id, as `--snapshot ID` does

        let initialPath = folder.path + "/initial.sqlite", restoredPath = folder.path + "/restored.sqlite"
        #expect(try vault.restoreAndSave(first.id, to: initialPath).snapshot.id == first.id)
        let restored = try vault.restoreAndSave(chosen.id, to: restoredPath)
        #expect(restored.snapshot.id == chosen.id && restored.skipped.isEmpty)
        let restoredSet = try ZoneStore(path: restoredPath).loadZones().zones
        let zones = restoredSet.zones, initialZones = try ZoneStore(path: initialPath).loadZones().zones.zones
        #expect(ZoneDigest.of(restoredSet) == chosen.zones, "the restored file holds what the snapshot verified")

        // The updates are in it: customers' addresses differ from the provisioned ones.
        let customersNow = Self.customerAddresses(zones), customersThen = Self.customerAddresses(initialZones)
        #expect(Set(customersNow.keys) == Set(customersThen.keys))
        #expect(customersNow.keys.filter { $0.hasSuffix(" A") }.count == Self.customerCount)
        let moved = customersNow.filter { customersThen[$0.key] != $0.value }.count
        #expect(moved > 0, "customer A/AAAA RRsets changed between snapshot \(first.id) and \(chosen.id)")
        #expect(try Self.count("lab_accounts", in: restoredPath) == Self.customerCount)
        #expect(try Self.count("lab_update_log", in: restoredPath) > 0)

        let questions = zones.flatMap {
            PowerDNSInterop.questions(for: $0, probes: PowerDNSInterop.fixtureProbes + Self.customerProbes)
        }
        let result = try PowerDNSInterop.compare(databasePath: restoredPath, zones: zones, questions: questions,
                                                 tools: tools, folder: folder.path)
        for difference in result.differences { Issue.record("\(difference)") }
        if let log = result.serverLog { print("pdns_server log:\n\(log)") }
        print("snapshot \(chosen.id) (\(chosen.utc)), \(moved) customer RRsets moved since snapshot \(first.id): "
            + result.summary)
        #expect(result.differences.isEmpty && result.questions >= 900)
        let customerQuestions = questions.filter { customersNow["\($0.name) \($0.type)"] != nil }
        #expect(customerQuestions.count == customersNow.count, "every customer A and AAAA is asked")
    }

    static func run(in folder: String) throws -> RunReport {
        try BackupScenarios.run(yaml, in: folder)
    }

    /// The customers' A and AAAA RRsets (`c<i>.dyn.example.`), keyed by "owner TYPE".
    static func customerAddresses(_ zones: [Zone]) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for record in zones.flatMap(\.records) where record.type == .a || record.type == .aaaa {
            let owner = record.name.description
            guard owner.hasPrefix("c"), owner.hasSuffix(".dyn.example."),
                owner.dropFirst().prefix(while: { $0 != "." }).allSatisfy(\.isNumber) else { continue }
            result["\(owner) \(record.type)", default: []].append("\(record.rdata)")
        }
        return result.mapValues { $0.sorted() }
    }

    static func count(_ table: String, in path: String) throws -> Int {
        try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
    }
}
