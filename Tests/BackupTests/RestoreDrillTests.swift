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

/// Restore drills in a run (issue 7, points 3 and 4): a database lost or damaged while the web
/// server commits updates, restored from a snapshot; what was lost listed exactly.
@Suite struct RestoreDrillTests {
    static func yaml(faults: String) -> String {
        BackupScenarios.webCluster(
            name: "drill", seed: 11, duration: "2h", epoch: "2026-03-02T03:30:00Z",
            customers: "count: 150, zone: dyn.example, ttl: 60, ipv6: 30%", sections: """
            workload:
              - updaters: { name: routers, model: fritzbox, share: 50%, site: internet }
              - updaters: { name: daemons, model: ddclient, share: 50%, site: internet }
              - ip_changes: { kind: random, mean_interval: 1h }
            backups: { of: ns1, every: 15m, keep: { "15m": 1d } }
            faults:
            \(faults)
            """)
    }

    static func run(_ yaml: String, in folder: String) throws -> RunReport {
        try BackupScenarios.run(yaml, in: folder)
    }

    @Test func aLostDatabaseIsRestoredAndWhatWasLostIsListedExactly() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let report = try Self.run(Self.yaml(faults: """
              - { at: 40m, lose_database: ns1 }
              - { at: 50m, restore: ns1 }
            """), in: folder.path)
        let backups = try #require(report.backups)
        let restore = try #require(backups.restores.first)
        #expect(backups.restores.count == 1 && restore.failure == nil)
        #expect(restore.fault == "lose_database ns1" && restore.faultAt == Instant.zero + .seconds(2_400))
        #expect(restore.snapshotAt == Instant.zero + .seconds(1_800), "the 30m snapshot, the last before the fault")
        #expect(restore.pointObjective == .seconds(600))
        #expect(backups.skipped == 1, "the 45m cycle found no database")
        // Lost: exactly the acknowledgements between the snapshot and the fault, agreeing with the
        // commit serials, the restored file and the routers' own record.
        #expect(!restore.lostUpdates.isEmpty)
        #expect(restore.oracleMismatches.isEmpty, "\(restore.oracleMismatches.prefix(5))")
        #expect(restore.lostUpdates.allSatisfy { $0.acknowledgedAt > Instant.zero + .seconds(1_800)
            && $0.acknowledgedAt <= Instant.zero + .seconds(2_400) })
        let serial = try #require(restore.serials.first)
        #expect(restore.lostUpdates.allSatisfy { SerialNumber(serial.restored).isLess(than: SerialNumber($0.serial)) })
        #expect(SerialNumber(restore.lostUpdates.map(\.serial).max() ?? 0).isLess(than: SerialNumber(serial.served)),
                "the restored zone is served past every serial handed out before")
        // Recovery: the restore at 50m, then the secondary's transfer, a few milliseconds.
        let recovery = try #require(restore.recovery)
        #expect(recovery >= .seconds(600) && recovery < .seconds(601))
        // ddclient and FRITZ!Box do not send an unchanged address again: every lost update whose
        // router kept its address is still wrong an hour later.
        #expect(restore.laterAt == Instant.zero + .seconds(6_600))
        #expect(!restore.wrongLater.filter(\.lostByRestore).isEmpty)
        #expect(restore.wrongLater.filter(\.lostByRestore).count <= restore.lostUpdates.count)
        // The cluster works on the restored database: later updates committed, nothing lost since,
        // the secondary serves exactly the primary's records, the file is consistent.
        let web = try #require(report.web)
        #expect(web.integrityErrors == 0)
        #expect(report.replication.first?.differingRecords == 0)
        #expect(report.figure("restore.oracle_mismatches") == 0 && report.figure("restore.count") == 1)
        #expect(report.figure("restore.lost_updates") == Double(restore.lostUpdates.count))
    }

    @Test func aDamagedDatabaseFailsItsNextCopyAndTheRestoreTakesTheSnapshotBefore() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let report = try Self.run(Self.yaml(faults: """
              - { at: 40m, corrupt_database: ns1 }
              - { at: 50m, restore: ns1 }
            """), in: folder.path)
        let backups = try #require(report.backups)
        let restore = try #require(backups.restores.first)
        #expect(backups.failed == 1 && backups.failures.first?.contains("malformed") == true, "\(backups.failures)")
        #expect(restore.snapshotAt == Instant.zero + .seconds(1_800))
        #expect(restore.oracleMismatches.isEmpty && !restore.lostUpdates.isEmpty)
        let vault = try BackupVault.open(existing: folder.path + "/backups")
        #expect(vault.catalogue.snapshots.allSatisfy { $0.state == .verified }, "no damaged copy in the catalogue")
        #expect(vault.catalogue.snapshots.contains { $0.id == restore.snapshot && $0.instant == restore.snapshotAt })
    }

    @Test func aRestoreWithoutAFaultRollsBackToTheNamedSnapshot() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let report = try Self.run(Self.yaml(faults: "  - { at: 50m, restore: ns1, snapshot: 2 }"), in: folder.path)
        let restore = try #require(report.backups?.restores.first)
        #expect(restore.snapshot == 2 && restore.snapshotAt == Instant.zero + .seconds(900))
        #expect(restore.fault == nil && restore.pointObjective == .seconds(2_100))
        #expect(restore.oracleMismatches.isEmpty && !restore.lostUpdates.isEmpty)
        #expect(report.backups?.skipped == 0 && report.replication.first?.differingRecords == 0)
    }

    @Test func aRestoreWithNothingToRestoreFailsAndTheServicesStayDown() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let report = try Self.run(Self.yaml(faults: """
              - { at: 40m, lose_database: ns1 }
              - { at: 50m, restore: ns1, snapshot: 99 }
            """), in: folder.path)
        let backups = try #require(report.backups)
        #expect(backups.restores.first?.snapshot == nil && backups.restores.first?.failure != nil)
        #expect(report.figure("restore.failed") == 1 && report.figure("restore.count") == 0)
        #expect(report.figure("restore.rto") == nil)
        #expect(backups.skipped == 6, "every cycle from 45m to 2h found no database")
        #expect(report.web?.integrityErrors == 0, "no database at the end: nothing to check")
    }
}
