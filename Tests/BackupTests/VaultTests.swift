@testable import Backup
import Determinism
import DNSWire
import Foundation
import GRDB
import HarnessTesting
import Storage
import Testing

/// Snapshots of a live store, verification, corruption, pruning and restore, on real files.
@Suite struct VaultTests {
    static func at(_ seconds: UInt64) -> Instant { Instant(nanoseconds: seconds * 1_000_000_000) }

    static func digests(_ store: ZoneStore) throws -> [ZoneDigest] {
        ZoneDigest.of(try store.loadZones().zones)
    }

    /// Issue 7, must hold 2: snapshots copied page by page while another connection keeps
    /// committing restore to a sound database equal to the state at the snapshot's instant.
    @Test(arguments: [false, true]) func snapshotsDuringAWriteStormRestoreTheStateAtTheirInstant(compress: Bool) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let primary = try Fixtures.store(at: folder.path + "/primary.sqlite")
        let webServer = try ZoneStore(path: folder.path + "/primary.sqlite", durability: .processCrash)
        var vault = try BackupVault.open(folder: folder.path + "/backups", epoch: Fixtures.epoch,
                                         ladder: .standard, compress: compress)
        var expected: [Int: [ZoneDigest]] = [:]
        var writes = 0, writesDuringCopies = 0
        for cycle in 0..<12 {
            for _ in 0..<25 {
                writes += 1
                try Fixtures.update(webServer, host: writes % 40, value: writes, seconds: UInt64(writes))
            }
            let served = try Self.digests(primary)
            let entry = try vault.snapshot(of: primary, configuration: Array("cycle \(cycle)\n".utf8),
                                           now: Self.at(UInt64(cycle) * 900), pagesPerStep: 1) {
                writes += 1
                writesDuringCopies += 1
                try? Fixtures.update(webServer, host: writes % 40, value: writes, seconds: UInt64(writes))
            }
            expected[entry.id] = served
            let verified = try vault.verify(entry.id, expected: served)
            #expect(verified.state == .verified, "\(verified.failure ?? "")")
            #expect(try Self.digests(primary) != served, "the writer committed during the copy")
        }
        #expect(writesDuringCopies >= 12 * 5)
        for entry in vault.catalogue.snapshots {
            let target = folder.path + "/restored-\(entry.id).sqlite"
            let result = try vault.restore(entry.id, to: target)
            #expect(result.snapshot.id == entry.id && result.skipped.isEmpty)
            let restored = try ZoneStore(path: target)
            #expect(try restored.integrityCheck() == ["ok"])
            #expect(try Self.digests(restored) == expected[entry.id])
            #expect(try restored.rowCounts().map(\.rows) == entry.rowCounts.map(\.rows))
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: vault.folder).sorted()
        #expect(names.count == 24 && !names.contains { $0.hasSuffix(".partial") || $0.hasSuffix(".scratch") })
        #expect(names.first == "snapshot-000001-20260101T000000Z" + (compress ? ".config" : ".config"))
    }

    /// Issue 7, must hold 4: a snapshot whose file changed is found by verification (checksum) and
    /// by restore, marked failed, and never restored; the next older verified one is used.
    @Test func aCorruptedSnapshotIsDetectedAndNeverRestored() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let primary = try Fixtures.store(at: folder.path + "/primary.sqlite")
        var vault = try BackupVault.open(folder: folder.path + "/backups", epoch: Fixtures.epoch,
                                         ladder: .standard, compress: false)
        var served: [[ZoneDigest]] = []
        for cycle in 0..<3 {
            try Fixtures.update(primary, host: 1, value: cycle, seconds: UInt64(cycle))
            served.append(try Self.digests(primary))
            let entry = try vault.snapshot(of: primary, configuration: nil, now: Self.at(UInt64(cycle) * 900))
            #expect(try vault.verify(entry.id, expected: served[cycle]).state == .verified)
        }
        // Snapshot 3 damaged and re-checked (ddnslab backup verify): failed, with the reason.
        try Self.flipByte(in: vault.path(vault.entry(3).database.name), at: 3 * 4096 + 100)
        let checked = try vault.verify(3, expected: nil)
        #expect(checked.state == .failed && checked.failure == "checksum mismatch")
        // Snapshot 2 damaged after verification, not re-checked: restore passes over it.
        try Self.flipByte(in: vault.path(vault.entry(2).database.name), at: 2 * 4096 + 7)
        let target = folder.path + "/restored.sqlite"
        let result = try vault.restore(nil, to: target)
        #expect(result.snapshot.id == 1 && result.skipped == [2])
        #expect(try vault.entry(2).state == .failed)
        #expect(try Self.digests(ZoneStore(path: target)) == served[0])
        #expect(throws: BackupError.self) { try vault.restore(3, to: target) }
        // Snapshot 1 is the last verified one: pruning keeps it whatever the ladder says, and keeps
        // the failed ones after it until a newer snapshot has been verified.
        vault.catalogue.ladder = RetentionLadder(tiers: [])
        #expect(try vault.prune(now: Self.at(10 * 86_400)) == [])
        #expect(vault.catalogue.snapshots.map(\.keptBy) == [["latest"], ["awaiting-verified"], ["awaiting-verified"]])
        let fourth = try vault.snapshot(of: primary, configuration: nil, now: Self.at(10 * 86_400))
        #expect(try vault.prune(now: Self.at(10 * 86_400)) == [], "a pending snapshot prunes nothing")
        _ = try vault.verify(fourth.id, expected: served[2])
        #expect(try vault.prune(now: Self.at(10 * 86_400)) == [1, 2, 3])
        #expect(vault.catalogue.snapshots.map(\.id) == [4])
    }

    /// A file damaged before its checksum was taken passes the checksum but not SQLite's integrity
    /// check or the zone comparison; content different from what the primary served fails too.
    @Test func integrityAndContentFailuresMarkTheSnapshotFailed() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let primary = try Fixtures.store(at: folder.path + "/primary.sqlite")
        var vault = try BackupVault.open(folder: folder.path + "/backups", epoch: Fixtures.epoch,
                                         ladder: .standard, compress: false)
        let first = try vault.snapshot(of: primary, configuration: nil, now: .zero)
        let path = vault.path(first.database.name)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        for offset in stride(from: 4096, to: bytes.count, by: 1) { bytes[offset] = 0x5A }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        vault.catalogue.snapshots[0].database.sha256 = SHA256.hexDigest(bytes)
        let damaged = try vault.verify(first.id, expected: try Self.digests(primary))
        #expect(damaged.state == .failed)
        #expect(damaged.failure?.hasPrefix("integrity_check:") == true || damaged.failure?.hasPrefix("database:") == true)

        let served = try Self.digests(primary)
        try Fixtures.update(primary, host: 7, value: 7, seconds: 60)
        let second = try vault.snapshot(of: primary, configuration: nil, now: Self.at(900))
        let mismatch = try vault.verify(second.id, expected: served)
        #expect(mismatch.state == .failed && mismatch.failure?.hasPrefix("zone dyn.example. differs") == true)
        #expect(throws: BackupError.noVerifiedSnapshot) { try vault.restore(nil, to: folder.path + "/x.sqlite") }
    }

    /// The catalogue reads back as written, byte for byte, and restore removes stale WAL files.
    @Test func catalogueRoundTripsAndRestoreReplacesTheTarget() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let primary = try Fixtures.store(at: folder.path + "/primary.sqlite")
        var vault = try BackupVault.open(folder: folder.path + "/backups", epoch: Fixtures.epoch,
                                         ladder: .standard, compress: true)
        let served = try Self.digests(primary)
        for cycle in 0..<3 {
            let entry = try vault.snapshot(of: primary, configuration: Array("rules: []\n".utf8),
                                           now: Self.at(UInt64(cycle) * 3_600))
            _ = try vault.verify(entry.id, expected: served)
            _ = try vault.prune(now: Self.at(UInt64(cycle) * 3_600))
        }
        try vault.save()
        let reopened = try BackupVault.open(existing: vault.folder)
        #expect(reopened.catalogue == vault.catalogue)
        #expect(reopened.catalogue.serialized == vault.catalogue.serialized)
        #expect(vault.catalogue.snapshots.map(\.keptBy)
            == [["15m", "1h", "1d", "1mo"], ["15m", "1h"], ["latest", "15m", "1h"]])
        // A target with a stale WAL from another database: the restore must not replay it.
        let target = folder.path + "/primary.sqlite"
        try Fixtures.update(primary, host: 3, value: 3, seconds: 5)
        #expect(FileManager.default.fileExists(atPath: target + "-wal"))
        var reopenedVault = reopened
        let result = try reopenedVault.restore(nil, to: target)
        #expect(result.snapshot.id == 3)
        #expect(!FileManager.default.fileExists(atPath: target + "-wal"))
        #expect(try Self.digests(ZoneStore(path: target)) == served)
    }

    static func flipByte(in path: String, at offset: Int) throws {
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[min(offset, bytes.count - 1)] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}
