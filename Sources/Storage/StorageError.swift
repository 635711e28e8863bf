import DNSWire
import DNSZone
import GRDB

/// Why a storage operation failed. Every failure rolls its transaction back: the database is
/// left as it was before the call (STYLE.md §6).
public enum StorageError: Error, Hashable, Sendable, CustomStringConvertible {
    /// SQLite failed: an environmental failure (busy, constraint, disk full, I/O). See `isTransient`.
    case database(DatabaseFailure)
    /// No zone with this origin in `domains`. The caller is at fault.
    case zoneNotFound(DNSName)
    /// The change breaks the zone's structure (CNAME beside data, a second SOA, the apex SOA or NS
    /// removed, data outside the zone). The caller is at fault; nothing was written.
    case invalidChange(zone: DNSName, problems: [String])
    /// A zone handed to `storeZone` cannot be served: no SOA, or more than one.
    case invalidZone(zone: DNSName, problems: [String])
    /// A row of the database does not read back as DNS data (written by someone else, or damaged).
    case invalidRow(RowProblem)
    /// The zone has no enabled SOA row, so its serial cannot be bumped.
    case missingSOA(DNSName)
    /// `SOA-EDIT-API` metadata holds a value we do not implement (only DEFAULT, INCREASE, EPOCH).
    case unsupportedSOAEditAPI(zone: DNSName, value: String)

    /// True when trying again later may succeed (the database was busy or locked).
    public var isTransient: Bool {
        if case .database(let failure) = self { return failure.kind == .busy }
        return false
    }

    public var description: String {
        switch self {
        case .database(let failure): "database: \(failure)"
        case .zoneNotFound(let zone): "no zone \(zone) in the database"
        case .invalidChange(let zone, let problems): "change to \(zone) refused: " + problems.joined(separator: "; ")
        case .invalidZone(let zone, let problems): "zone \(zone) cannot be stored: " + problems.joined(separator: "; ")
        case .invalidRow(let problem): "\(problem)"
        case .missingSOA(let zone): "zone \(zone) has no enabled SOA record"
        case .unsupportedSOAEditAPI(let zone, let value): "zone \(zone): unsupported SOA-EDIT-API value '\(value)'"
        }
    }
}

/// A row that could not be read as DNS data, with where it is.
public struct RowProblem: Hashable, Sendable, CustomStringConvertible {
    /// The table, e.g. `records`.
    public var table: String
    /// The row's `id`.
    public var rowID: Int64
    /// What is wrong, in words.
    public var reason: String

    /// The problem `reason` with row `rowID` of `table`.
    public init(table: String, rowID: Int64, reason: String) {
        self.table = table
        self.rowID = rowID
        self.reason = reason
    }

    public var description: String { "\(table) row \(rowID): \(reason)" }
}

/// An SQLite failure, classified. The message is SQLite's own; SQL arguments (which may hold
/// secrets) are never included (STYLE.md §11).
public struct DatabaseFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The class of failure, from SQLite's primary result code.
    public enum Kind: String, Hashable, Sendable {
        /// SQLITE_BUSY or SQLITE_LOCKED: another connection holds a lock. Transient.
        case busy
        /// SQLITE_CONSTRAINT: a UNIQUE, NOT NULL or FOREIGN KEY rule.
        case constraint
        /// SQLITE_FULL: the disk (or `max_page_count`) is full.
        case diskFull
        /// SQLITE_READONLY.
        case readOnly
        /// SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_PERM.
        case ioError
        /// SQLITE_CORRUPT or SQLITE_NOTADB: the file is not a sound database.
        case corrupt
        /// Any other result code.
        case other
    }

    /// The class of failure.
    public var kind: Kind
    /// SQLite's extended result code.
    public var extendedCode: Int32
    /// SQLite's message.
    public var message: String

    /// A failure of `kind` (for fault injection in tests of callers).
    public init(kind: Kind, extendedCode: Int32, message: String) {
        self.kind = kind
        self.extendedCode = extendedCode
        self.message = message
    }

    init(_ error: DatabaseError) {
        let kind: Kind = switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: .busy
        case .SQLITE_CONSTRAINT: .constraint
        case .SQLITE_FULL: .diskFull
        case .SQLITE_READONLY: .readOnly
        case .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_PERM: .ioError
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: .corrupt
        default: .other
        }
        self.init(kind: kind, extendedCode: error.extendedResultCode.rawValue, message: error.message ?? "")
    }

    public var description: String { "\(kind.rawValue) (SQLite code \(extendedCode)): \(message)" }
}

extension StorageError {
    /// Maps whatever a GRDB call threw: our own errors pass through, SQLite's are classified.
    static func from(_ error: any Error) -> StorageError {
        if let storage = error as? StorageError { return storage }
        if let database = error as? DatabaseError { return .database(DatabaseFailure(database)) }
        return .database(DatabaseFailure(kind: .other, extendedCode: -1, message: "\(error)"))
    }
}
