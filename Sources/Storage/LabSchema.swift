/// ddnslab's own tables beside PowerDNS's (migration `lab/1-…`): the web server's accounts,
/// customer domains, update tokens, update log and per-day counters.
///
/// Conventions: every table starts with `lab_`; times are bound parameters (unix seconds computed
/// from the run's epoch plus `now`, never `CURRENT_TIMESTAMP`, STYLE.md §4.1); names are stored as
/// PowerDNS stores them (lowercase, no trailing dot); secrets never: a token is its hex SHA-256.
/// Every lookup on the updater's hot path has an index (token by hash, domain by name, counters
/// by day and account).
public enum LabSchema {
    /// The statements of `lab/1-accounts-domains-tokens-log`.
    public static let version1: [String] = [
        """
        CREATE TABLE lab_accounts (
          id                    INTEGER PRIMARY KEY,
          name                  VARCHAR(255) NOT NULL UNIQUE,
          email                 VARCHAR(255) DEFAULT NULL,
          class                 VARCHAR(64) NOT NULL DEFAULT 'standard',
          created               INTEGER NOT NULL
        )
        """,
        """
        CREATE TABLE lab_domains (
          id                    INTEGER PRIMARY KEY,
          account_id            INTEGER NOT NULL REFERENCES lab_accounts(id) ON DELETE CASCADE,
          name                  VARCHAR(255) NOT NULL COLLATE NOCASE UNIQUE,
          zone_id               INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
          created               INTEGER NOT NULL
        )
        """,
        "CREATE INDEX lab_domains_account_index ON lab_domains(account_id)",
        "CREATE INDEX lab_domains_zone_index ON lab_domains(zone_id)",
        """
        CREATE TABLE lab_tokens (
          id                    INTEGER PRIMARY KEY,
          account_id            INTEGER NOT NULL REFERENCES lab_accounts(id) ON DELETE CASCADE,
          kind                  VARCHAR(16) NOT NULL CHECK (kind IN ('account', 'domain', 'record', 'api')),
          hash                  CHAR(64) NOT NULL UNIQUE,
          domain_id             INTEGER DEFAULT NULL REFERENCES lab_domains(id) ON DELETE CASCADE,
          record_name           VARCHAR(255) DEFAULT NULL,
          record_type           VARCHAR(10) DEFAULT NULL,
          created               INTEGER NOT NULL,
          last_used             INTEGER DEFAULT NULL,
          CHECK ((kind IN ('account', 'api')) = (domain_id IS NULL)),
          CHECK ((kind = 'record') = (record_name IS NOT NULL AND record_type IS NOT NULL))
        )
        """,
        "CREATE INDEX lab_tokens_account_index ON lab_tokens(account_id)",
        "CREATE INDEX lab_tokens_domain_index ON lab_tokens(domain_id)",
        """
        CREATE TABLE lab_update_log (
          id                    INTEGER PRIMARY KEY,
          account_id            INTEGER NOT NULL REFERENCES lab_accounts(id) ON DELETE CASCADE,
          domain_id             INTEGER DEFAULT NULL REFERENCES lab_domains(id) ON DELETE SET NULL,
          time                  INTEGER NOT NULL,
          virtual_ns            INTEGER NOT NULL,
          peer                  VARCHAR(64) NOT NULL,
          dialect               VARCHAR(16) NOT NULL,
          user_agent            VARCHAR(255) DEFAULT NULL,
          hostname              VARCHAR(255) NOT NULL,
          result                VARCHAR(16) NOT NULL,
          content               VARCHAR(255) NOT NULL,
          serial                INTEGER NOT NULL
        )
        """,
        "CREATE INDEX lab_update_log_account_index ON lab_update_log(account_id, time)",
        "CREATE INDEX lab_update_log_domain_index ON lab_update_log(domain_id)",
        """
        CREATE TABLE lab_stats (
          day                   INTEGER NOT NULL,
          account_id            INTEGER NOT NULL REFERENCES lab_accounts(id) ON DELETE CASCADE,
          requests              INTEGER NOT NULL DEFAULT 0,
          good                  INTEGER NOT NULL DEFAULT 0,
          nochg                 INTEGER NOT NULL DEFAULT 0,
          PRIMARY KEY (day, account_id)
        ) WITHOUT ROWID
        """,
        "CREATE INDEX lab_stats_account_index ON lab_stats(account_id)",
    ]

    /// Our tables, in creation order.
    public static let tableNames = ["lab_accounts", "lab_domains", "lab_tokens", "lab_update_log", "lab_stats"]
}
