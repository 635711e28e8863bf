import Determinism
import DNSWire
import GRDB

/// Transactions that callers compose: a layer above the store (the web server) writes its own
/// rows and a zone change in the same transaction, so a request is committed whole or not at all.
extension ZoneStore {
    /// Runs `body` in one write transaction; any error rolls it back and comes out as a
    /// `StorageError` (SQLite failures classified, `StorageError`s thrown by `body` unchanged).
    ///
    /// Inside, change zones only through `apply(_:to:now:epoch:in:)`, never by writing PowerDNS's
    /// tables directly.
    public func writeTransaction<T>(_ body: (Database) throws -> T) throws(StorageError) -> T {
        try write(body)
    }

    /// Runs `body` in one deferred transaction (a consistent snapshot) that `body` must only read
    /// from; the transaction is committed without having written anything. Inside a group
    /// transaction `body` reads the group's state, its uncommitted writes included.
    public func readTransaction<T>(_ body: (Database) throws -> T) throws(StorageError) -> T {
        try read(body)
    }

    /// Group commit: runs `body` in ONE write transaction that is committed (one journal sync)
    /// when `body` returns. Every `writeTransaction` and store method `body` calls becomes a
    /// savepoint of it: each is still kept or rolled back whole, and sees what earlier ones wrote,
    /// but none is durable before the group commits. If the commit fails, nothing of the group is
    /// kept. A busy server amortises its disk's sync over many requests this way.
    public func groupTransaction<T>(_ body: (Database) throws -> T) throws(StorageError) -> T {
        do {
            return try database.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction {
                    result = try body(db)
                    return .commit
                }
                guard let result else { preconditionFailure("the transaction ran its body") }
                return result
            }
        } catch {
            throw StorageError.from(error)
        }
    }

    /// `apply(_:to:now:epoch:)` inside the caller's write transaction (`db` from
    /// `writeTransaction`): the same rows, serial bump and result, but committed (or rolled back)
    /// together with whatever else the transaction writes.
    public func apply(_ change: ZoneChange, to origin: DNSName, now: Instant, epoch: Int64, in db: Database)
        throws(StorageError) -> ChangeResult
    {
        precondition(epoch >= 0 && epoch <= Int64.max - Int64(now.seconds), "the run's epoch is seconds since 1970")
        precondition(db.isInsideTransaction, "apply(in:) runs inside the caller's write transaction")
        do {
            let editor = try ZoneEditor(db: db, origin: origin)
            return try editor.apply(change, unixSeconds: epoch + Int64(now.seconds))
        } catch {
            throw StorageError.from(error)
        }
    }
}
