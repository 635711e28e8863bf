import ArgumentParser
import Backup
import Foundation

/// `ddnslab backup list|verify|restore FOLDER`: look after a backup folder written by a run
/// (docs/backups.md).
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "List, verify and restore the snapshots of a backup folder.",
        discussion: "Exit status: 0 done, 1 a snapshot failed verification, 2 invalid input "
            + "(no catalogue, unknown or unusable snapshot), 3 internal error (I/O).",
        subcommands: [BackupList.self, BackupVerify.self, BackupRestore.self])

    /// Opens the folder's catalogue, or exits 2.
    static func openVault(_ folder: String) throws -> BackupVault {
        do {
            return try BackupVault.open(existing: folder)
        } catch {
            throw fail("\(folder): \(error)", code: Exit.invalidInput)
        }
    }

    static func save(_ vault: BackupVault) throws {
        do {
            try vault.save()
        } catch {
            throw fail("\(error)", code: Exit.internalError)
        }
    }

    /// Writes the message to standard error; the caller throws the exit code.
    static func fail(_ message: String, code: Int32) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitCode(code)
    }

    /// One line per snapshot: id, time, state, size, kept by, zones (serials), failure.
    static func line(_ entry: SnapshotEntry) -> String {
        let zones = entry.zones.map { "\($0.origin)@\($0.serial.map(String.init) ?? "-")" }.joined(separator: ",")
        var text = "\(entry.id)\t\(entry.utc)\t\(entry.state.rawValue)\t\(entry.database.size)\t"
            + "\(entry.keptBy.isEmpty ? "-" : entry.keptBy.joined(separator: ","))\t\(zones.isEmpty ? "-" : zones)"
        if let failure = entry.failure { text += "\t\(failure)" }
        return text
    }
}

struct BackupList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the snapshots: id, UTC time, state, size, kept by, zones@serial.")

    @Argument(help: "The backup folder (holds catalogue.json).")
    var folder: String

    func run() throws {
        let vault = try BackupCommand.openVault(folder)
        print("id\ttime\tstate\tsize\tkept_by\tzones")
        for entry in vault.catalogue.snapshots { print(BackupCommand.line(entry)) }
    }
}

struct BackupVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every snapshot (or one) again: checksum, integrity_check, row counts, zone digests.",
        discussion: "A snapshot that fails is marked failed in the catalogue and never restored. Exit 1 when one fails.")

    @Argument(help: "The backup folder (holds catalogue.json).")
    var folder: String

    @Option(name: .long, help: "Only this snapshot id.")
    var snapshot: Int?

    func run() throws {
        var vault = try BackupCommand.openVault(folder)
        let ids = snapshot.map { [$0] } ?? vault.catalogue.snapshots.map(\.id)
        var failed = false
        for id in ids {
            do throws(BackupError) {
                let entry = try vault.verify(id, expected: nil)
                print(BackupCommand.line(entry))
                failed = failed || entry.state == .failed
            } catch {
                throw BackupCommand.fail("\(error)", code: error.isCallerError ? Exit.invalidInput : Exit.internalError)
            }
        }
        try BackupCommand.save(vault)
        if failed { throw ExitCode(Exit.expectationFailed) }
    }
}

struct BackupRestore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore the latest verified snapshot (or --snapshot ID) into a database file.",
        discussion: "Stale -wal/-shm files beside the target are removed. A snapshot whose file no longer "
            + "matches its checksum is marked failed and passed over.")

    @Argument(help: "The backup folder (holds catalogue.json).")
    var folder: String

    @Option(name: .long, help: "The snapshot id (default: the latest verified).")
    var snapshot: Int?

    @Option(name: .long, help: "The database file to write.")
    var to: String

    func run() throws {
        var vault = try BackupCommand.openVault(folder)
        let result: RestoreResult
        do throws(BackupError) {
            result = try vault.restoreAndSave(snapshot, to: to)  // saves what the attempt marked failed
        } catch {
            throw BackupCommand.fail("\(error)", code: error.isCallerError ? Exit.invalidInput : Exit.internalError)
        }
        for id in result.skipped { print("skipped snapshot \(id): checksum mismatch, marked failed") }
        print("restored snapshot \(result.snapshot.id) (\(result.snapshot.utc)) to \(to)")
    }
}
