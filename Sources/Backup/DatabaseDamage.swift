import Determinism

/// What the scenario faults `lose_database` and `corrupt_database` do to a closed SQLite database
/// file (docs/backups.md, Restore drills). Deterministic: the damage depends only on the file and
/// the random stream.
public enum DatabaseDamage {
    /// True when a file is at `path`.
    public static func exists(_ path: String) -> Bool { FileOps.exists(path) }

    /// The file and its `-wal`, `-shm` and `-journal` companions are deleted.
    public static func lose(_ path: String) throws(BackupError) {
        for suffix in ["", "-wal", "-shm", "-journal"] { try FileOps.remove(path + suffix) }
    }

    /// Every page after the first is overwritten with bytes from `random`; the first page (the
    /// header and the schema's root) stays, so the file still opens as a database and the damage
    /// shows when its tables are read (`PRAGMA integrity_check`). Returns the pages overwritten.
    public static func corrupt(_ path: String, random: inout SeededRandom) throws(BackupError) -> Int {
        var bytes = try FileOps.read(path)
        guard bytes.count >= 100 else { return 0 }
        let declared = Int(bytes[16]) << 8 | Int(bytes[17])
        let pageSize = declared == 1 ? 65_536 : max(512, declared)
        var pages = 0
        var offset = pageSize
        while offset < bytes.count {
            let end = min(bytes.count, offset + pageSize)
            var index = offset
            while index < end {
                var word = random.next()
                for _ in 0..<8 where index < end {
                    bytes[index] = UInt8(truncatingIfNeeded: word)
                    word >>= 8
                    index += 1
                }
            }
            pages += 1
            offset = end
        }
        try FileOps.write(bytes, to: path)
        return pages
    }
}
