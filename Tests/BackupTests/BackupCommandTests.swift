@testable import Backup
import Determinism
import Foundation
import HarnessTesting
import Storage
import Testing

/// `ddnslab backup list|verify|restore`: output and exit codes, on the binary built beside the tests.
@Suite struct BackupCommandTests {
    /// The ddnslab executable in the build folder, when it has been built.
    static var executable: String? {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [folder, folder.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("ddnslab").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(executable))
        process.arguments = arguments
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    @Test(.enabled(if: executable != nil)) func listVerifyRestoreAndTheirExitCodes() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let primary = try Fixtures.store(at: folder.path + "/primary.sqlite")
        let backups = folder.path + "/backups"
        var vault = try BackupVault.open(folder: backups, epoch: Fixtures.epoch, ladder: .standard, compress: false)
        var served: [[ZoneDigest]] = []
        for cycle in 0..<3 {
            try Fixtures.update(primary, host: 2, value: cycle, seconds: UInt64(cycle))
            served.append(ZoneDigest.of(try primary.loadZones().zones))
            let entry = try vault.snapshot(of: primary, configuration: nil,
                                           now: Instant(nanoseconds: UInt64(cycle) * 900_000_000_000))
            _ = try vault.verify(entry.id, expected: served[cycle])
        }
        _ = try vault.prune(now: Instant(nanoseconds: 1_800_000_000_000))
        try vault.save()

        let list = try Self.run(["backup", "list", backups])
        #expect(list.status == 0)
        #expect(list.output.split(separator: "\n").dropFirst().map { String($0.prefix(31)) } == [
            "1\t2026-01-01T00:00:00Z\tverified", "2\t2026-01-01T00:15:00Z\tverified",
            "3\t2026-01-01T00:30:00Z\tverified",
        ])
        #expect(try Self.run(["backup", "verify", backups]).status == 0)
        let target = folder.path + "/restored.sqlite"
        let restored = try Self.run(["backup", "restore", backups, "--snapshot", "2", "--to", target])
        #expect(restored.status == 0 && restored.output == "restored snapshot 2 (2026-01-01T00:15:00Z) to \(target)\n")
        #expect(ZoneDigest.of(try ZoneStore(path: target).loadZones().zones) == served[1])

        // Damage snapshot 3: verify exits 1 and marks it; restore then takes snapshot 2.
        try VaultTests.flipByte(in: vault.path(vault.entry(3).database.name), at: 5000)
        let verify = try Self.run(["backup", "verify", backups])
        #expect(verify.status == 1 && verify.output.contains("3\t2026-01-01T00:30:00Z\tfailed"))
        #expect(try Self.run(["backup", "restore", backups, "--to", target]).output.contains("restored snapshot 2 "))
        #expect(try Self.run(["backup", "restore", backups, "--snapshot", "3", "--to", target]).status == 2)
        #expect(try Self.run(["backup", "restore", backups, "--snapshot", "9", "--to", target]).status == 2)
        #expect(try Self.run(["backup", "list", folder.path + "/nowhere"]).status == 2)
        #expect(try Self.run(["backup", "restore", backups]).status == 64)  // ArgumentParser: --to missing
    }
}
