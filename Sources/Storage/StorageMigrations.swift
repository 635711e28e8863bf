import GRDB

/// The schema of a ddnslab database: two lists of migrations, applied in this order.
///
/// 1. `powerDNS`: PowerDNS's own tables, exactly as PowerDNS creates them (`PowerDNSSchema`). This
///    list only changes when we follow a PowerDNS schema upgrade, with the same statements as
///    PowerDNS's upgrade script, so `pdns_server` can always open the file.
/// 2. `ddnslab`: our own tables (accounts, tokens, update logs, … — later issues). They live beside
///    PowerDNS's tables in the same file, never alter them, and are named with a `lab_` prefix so
///    nobody mistakes them for PowerDNS's. Append new migrations at the end; never edit one that
///    has shipped.
///
/// Identifiers carry their list's prefix (`pdns/…`, `lab/…`); GRDB records applied ones in its
/// `grdb_migrations` table.
public enum StorageMigrations {
    /// One named schema step.
    public struct Migration: Sendable {
        /// Unique, stable identifier, prefixed by its list.
        public let identifier: String
        /// The statements of the step, run in one transaction.
        public let statements: [String]

        /// A step named `identifier` running `statements`.
        public init(identifier: String, statements: [String]) {
            self.identifier = identifier
            self.statements = statements
        }
    }

    /// PowerDNS's gsqlite3 schema.
    public static let powerDNS: [Migration] = [
        Migration(identifier: "pdns/\(PowerDNSSchema.version)", statements: PowerDNSSchema.statements),
    ]

    /// Our own tables: the web server's accounts, customer domains, tokens, update log and daily
    /// counters (`LabSchema`).
    public static let ddnslab: [Migration] = [
        Migration(identifier: "lab/1-accounts-domains-tokens-log", statements: LabSchema.version1),
    ]

    /// Every migration, PowerDNS's first.
    public static var all: [Migration] { powerDNS + ddnslab }

    /// A migrator with every list registered.
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in all {
            precondition(migration.identifier.hasPrefix("pdns/") || migration.identifier.hasPrefix("lab/"),
                         "migration identifiers name their list")
            migrator.registerMigration(migration.identifier) { db in
                for statement in migration.statements { try db.execute(sql: statement) }
            }
        }
        return migrator
    }
}
