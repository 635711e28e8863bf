@testable import Backup
import DNSZone
import Determinism
import Foundation
import HarnessTesting
import Reports
import Scenario
import Simulation
import Storage
import Testing

/// The scenario section `backups` in a run: scheduled snapshots of the primary's database while
/// the web server commits updates, verified against what the primary serves, pruned by the ladder.
@Suite struct BackupScenarioTests {
    static let yaml = BackupScenarios.webCluster(
        name: "backups-two-days", seed: 3, duration: "2d", epoch: "2026-01-30T00:00:00Z",
        customers: "count: 20, zone: dyn.example, ttl: 60", sections: """
        workload:
          - updaters: { name: routers, model: fritzbox, share: 100%, site: internet }
          - ip_changes: { kind: random, mean_interval: 2h }
        backups: { every: 15m, keep: { "15m": 6h, "1h": 1d, "1d": 1w, "1mo": 1y } }
        expect:
          backups.failed: "== 0"
          backups.retention_mismatches: "== 0"
        """)

    static func run(in folder: String) throws -> RunReport {
        try BackupScenarios.run(yaml, in: folder)
    }

    @Test func aRunTakesVerifiesAndPrunesSnapshotsAndTheFolderRestores() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let report = try Self.run(in: folder.path)
        let backups = try #require(report.backups)
        #expect(backups.snapshots == 2 * 96 + 1 && backups.failed == 0 && backups.failures.isEmpty)
        #expect(backups.retentionMismatches == 0)
        // 24 quarter hours, 18 more hours, 1 more midnight (2026-01-31), and 2026-01-30 00:00 for January.
        #expect(backups.kept.count == 24 + 18 + 1 + 1)
        #expect(backups.kept.last?.keptBy.first == "latest")
        #expect(report.figure("backups.kept") == 44 && report.passed)
        let updates = try #require(report.web).committed
        #expect(updates > 0, "the web server committed while the snapshots were taken")

        // The folder a run leaves restores through the vault, as `ddnslab backup restore` does.
        var vault = try BackupVault.open(existing: folder.path + "/backups")
        #expect(vault.catalogue.snapshots.map(\.id) == backups.kept.map(\.id))
        let restored = try vault.restore(nil, to: folder.path + "/restored.sqlite")
        let store = try ZoneStore(path: folder.path + "/restored.sqlite")
        #expect(ZoneDigest.of(try store.loadZones().zones) == restored.snapshot.zones)
    }

    @Test func theSameScenarioGivesTheSameReportAndCatalogue() throws {
        let first = try TemporaryFolder(), second = try TemporaryFolder()
        defer { first.remove(); second.remove() }
        let a = try Self.run(in: first.path), b = try Self.run(in: second.path)
        #expect(a.json.text == b.json.text)
        let catalogueA = try Data(contentsOf: URL(fileURLWithPath: first.path + "/backups/catalogue.json"))
        let catalogueB = try Data(contentsOf: URL(fileURLWithPath: second.path + "/backups/catalogue.json"))
        #expect(catalogueA == catalogueB, "the same bytes, checksums included")
    }
}
