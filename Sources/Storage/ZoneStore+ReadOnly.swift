import GRDB

extension ZoneStore {
    /// Opens an existing database file for reading only: no migration, no journal-mode change,
    /// nothing written, so the file's bytes stay as they are (a backup snapshot being verified
    /// keeps its checksum). Writers on the result fail with `.database` (read-only).
    public static func openReadOnly(path: String) throws(StorageError) -> ZoneStore {
        do {
            var configuration = Self.configuration()
            configuration.readonly = true
            return ZoneStore(migrated: try DatabaseQueue(path: path, configuration: configuration))
        } catch {
            throw StorageError.from(error)
        }
    }

    /// Rows per table (every table but SQLite's own), sorted by table name.
    public func rowCounts() throws(StorageError) -> [(table: String, rows: Int64)] {
        try read { db in
            let tables = try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            return try tables.map { table in
                let quoted = "\"" + table.replacingDoubleQuotes + "\""
                return (table, try Int64.fetchOne(db, sql: "SELECT count(*) FROM \(quoted)") ?? 0)
            }
        }
    }
}

extension StorageError {
    /// Whatever a GRDB call outside the store's own methods threw (a backup copying pages),
    /// classified as the store's methods classify it.
    public static func classifying(_ error: any Error) -> StorageError {
        from(error)
    }
}

extension String {
    /// `"` doubled, for an SQL identifier in double quotes.
    fileprivate var replacingDoubleQuotes: String {
        var out = ""
        for character in self {
            out.append(character)
            if character == "\"" { out.append("\"") }
        }
        return out
    }
}
