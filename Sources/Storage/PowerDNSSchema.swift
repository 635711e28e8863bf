/// PowerDNS Authoritative's gsqlite3 schema, statement for statement.
///
/// Copied exactly from `modules/gsqlite3backend/schema.sqlite3.sql` as shipped from PowerDNS 4.7
/// (Debian 12's `pdns-backend-sqlite3` installs the same file as
/// /usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql), so a real `pdns_server
/// --launch=gsqlite3` serves our database file and PowerDNS tools can edit it. SQLite keeps the text
/// of each CREATE statement in `sqlite_master`; `StorageTests` compares that text with these
/// statements, so do not reformat them.
///
/// The file's first line, `PRAGMA foreign_keys = 1;`, is a connection setting rather than schema:
/// GRDB turns foreign keys on for every connection it opens (`Configuration.foreignKeysEnabled`).
public enum PowerDNSSchema {
    /// The PowerDNS release whose schema this is (the 4.3.1 -> 4.7.0 migration was the last change).
    public static let version = "4.7.0"

    /// The tables, in the order of the schema file.
    public static let tableNames = [
        "domains", "records", "supermasters", "comments", "domainmetadata", "cryptokeys", "tsigkeys",
    ]

    /// Every CREATE TABLE and CREATE INDEX statement, in file order, without the closing semicolon
    /// (the form SQLite stores in `sqlite_master.sql`).
    public static let statements: [String] = [
        """
        CREATE TABLE domains (
          id                    INTEGER PRIMARY KEY,
          name                  VARCHAR(255) NOT NULL COLLATE NOCASE,
          master                VARCHAR(128) DEFAULT NULL,
          last_check            INTEGER DEFAULT NULL,
          type                  VARCHAR(8) NOT NULL,
          notified_serial       INTEGER DEFAULT NULL,
          account               VARCHAR(40) DEFAULT NULL,
          options               VARCHAR(65535) DEFAULT NULL,
          catalog               VARCHAR(255) DEFAULT NULL
        )
        """,
        "CREATE UNIQUE INDEX name_index ON domains(name)",
        "CREATE INDEX catalog_idx ON domains(catalog)",
        """
        CREATE TABLE records (
          id                    INTEGER PRIMARY KEY,
          domain_id             INTEGER DEFAULT NULL,
          name                  VARCHAR(255) DEFAULT NULL,
          type                  VARCHAR(10) DEFAULT NULL,
          content               VARCHAR(65535) DEFAULT NULL,
          ttl                   INTEGER DEFAULT NULL,
          prio                  INTEGER DEFAULT NULL,
          disabled              BOOLEAN DEFAULT 0,
          ordername             VARCHAR(255),
          auth                  BOOL DEFAULT 1,
          FOREIGN KEY(domain_id) REFERENCES domains(id) ON DELETE CASCADE ON UPDATE CASCADE
        )
        """,
        "CREATE INDEX records_lookup_idx ON records(name, type)",
        "CREATE INDEX records_lookup_id_idx ON records(domain_id, name, type)",
        "CREATE INDEX records_order_idx ON records(domain_id, ordername)",
        """
        CREATE TABLE supermasters (
          ip                    VARCHAR(64) NOT NULL,
          nameserver            VARCHAR(255) NOT NULL COLLATE NOCASE,
          account               VARCHAR(40) NOT NULL
        )
        """,
        "CREATE UNIQUE INDEX ip_nameserver_pk ON supermasters(ip, nameserver)",
        """
        CREATE TABLE comments (
          id                    INTEGER PRIMARY KEY,
          domain_id             INTEGER NOT NULL,
          name                  VARCHAR(255) NOT NULL,
          type                  VARCHAR(10) NOT NULL,
          modified_at           INT NOT NULL,
          account               VARCHAR(40) DEFAULT NULL,
          comment               VARCHAR(65535) NOT NULL,
          FOREIGN KEY(domain_id) REFERENCES domains(id) ON DELETE CASCADE ON UPDATE CASCADE
        )
        """,
        "CREATE INDEX comments_idx ON comments(domain_id, name, type)",
        "CREATE INDEX comments_order_idx ON comments (domain_id, modified_at)",
        """
        CREATE TABLE domainmetadata (
         id                     INTEGER PRIMARY KEY,
         domain_id              INT NOT NULL,
         kind                   VARCHAR(32) COLLATE NOCASE,
         content                TEXT,
         FOREIGN KEY(domain_id) REFERENCES domains(id) ON DELETE CASCADE ON UPDATE CASCADE
        )
        """,
        "CREATE INDEX domainmetaidindex ON domainmetadata(domain_id)",
        """
        CREATE TABLE cryptokeys (
         id                     INTEGER PRIMARY KEY,
         domain_id              INT NOT NULL,
         flags                  INT NOT NULL,
         active                 BOOL,
         published              BOOL DEFAULT 1,
         content                TEXT,
         FOREIGN KEY(domain_id) REFERENCES domains(id) ON DELETE CASCADE ON UPDATE CASCADE
        )
        """,
        "CREATE INDEX domainidindex ON cryptokeys(domain_id)",
        """
        CREATE TABLE tsigkeys (
         id                     INTEGER PRIMARY KEY,
         name                   VARCHAR(255) COLLATE NOCASE,
         algorithm              VARCHAR(50) COLLATE NOCASE,
         secret                 VARCHAR(255)
        )
        """,
        "CREATE UNIQUE INDEX namealgoindex ON tsigkeys(name, algorithm)",
    ]
}
