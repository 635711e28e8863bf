import DNSWire
import DNSZone

/// `domains.type`: how PowerDNS replicates a zone.
public enum ZoneKind: String, Hashable, Sendable, CaseIterable {
    /// The database replicates itself; PowerDNS sends and accepts no NOTIFY.
    case native = "NATIVE"
    /// A primary: NOTIFY to the secondaries on change, serves AXFR.
    case master = "MASTER"
    /// A secondary: `domains.master` lists its primaries; its copy arrives by AXFR/IXFR.
    case slave = "SLAVE"
}

/// One row of `domains`.
public struct ZoneInfo: Hashable, Sendable {
    /// `domains.id`.
    public var id: Int64
    /// The zone's origin.
    public var origin: DNSName
    /// `domains.type`.
    public var kind: ZoneKind
    /// Primaries of a secondary (`domains.master`, comma-separated in the row), as written.
    public var primaries: [String]
    /// The serial last announced by NOTIFY (`domains.notified_serial`).
    public var notifiedSerial: UInt32?
    /// Seconds since 1970 of a secondary's last SOA check (`domains.last_check`).
    public var lastCheck: Int64?

    /// A row with every column given.
    public init(
        id: Int64, origin: DNSName, kind: ZoneKind, primaries: [String], notifiedSerial: UInt32?, lastCheck: Int64?
    ) {
        self.id = id
        self.origin = origin
        self.kind = kind
        self.primaries = primaries
        self.notifiedSerial = notifiedSerial
        self.lastCheck = lastCheck
    }
}

/// The `SOA-EDIT-API` zone metadata: how a change through `ZoneStore.apply` bumps the SOA serial
/// (PowerDNS `serialtweaker.cc` `calculateIncreaseSOA`).
///
/// Differences from PowerDNS, on purpose:
/// - The date of `DEFAULT` is the UTC date of `epoch + now` (time is an input, STYLE.md §4.1);
///   PowerDNS uses the server's local time.
/// - A candidate serial is taken only when it is newer under RFC 1982 arithmetic, otherwise the
///   serial goes up by one. PowerDNS compares plain integers for `DEFAULT` and takes `EPOCH`
///   unconditionally, so an `EPOCH` zone whose serial is ahead of the clock (a YYYYMMDDnn serial
///   is) would go backwards and secondaries would ignore the change. Ours never goes backwards.
/// - A zone without the metadata row bumps as `DEFAULT` (PowerDNS would not bump at all; zones
///   it creates through its API get `DEFAULT` written, as `ZoneStore.storeZone` does).
public enum SOAEditAPI: String, Hashable, Sendable, CaseIterable {
    /// YYYYMMDD01 of today, or the current serial + 1 when that is not newer.
    case `default` = "DEFAULT"
    /// The current serial + 1 (RFC 1982 §3.1: 4294967295 is followed by 0).
    case increase = "INCREASE"
    /// Seconds since 1970 (modulo 2^32), or the current serial + 1 when that is not newer.
    case epoch = "EPOCH"

    /// The metadata kind in `domainmetadata.kind`.
    public static let metadataKind = "SOA-EDIT-API"

    /// Parses a metadata value, ignoring case as PowerDNS does (`pdns_iequals`).
    public init?(metadata value: String) {
        guard let kind = Self(rawValue: value.uppercased()) else { return nil }
        self = kind
    }

    /// The serial after `current` for a change at `unixSeconds` (the run's epoch plus now).
    public func nextSerial(after current: UInt32, unixSeconds: Int64) -> UInt32 {
        precondition(unixSeconds >= 0, "a date before 1970")
        let serial = SerialNumber(current)
        let next: SerialNumber
        switch self {
        case .increase:
            next = serial.incremented()
        case .epoch:
            next = serial.bumped(.unixTime(UInt32(truncatingIfNeeded: unixSeconds)))
        case .default:
            // YYYYMMDD01: PowerDNS starts a day's counter at 01 (BIND's "date" method at 00).
            let candidate = SerialNumber(CalendarDate(secondsSinceEpoch: UInt64(unixSeconds)).serialBase + 1)
            next = serial.isLess(than: candidate) ? candidate : serial.incremented()
        }
        assert(serial.isLess(than: next), "a serial bump must move forward (RFC 1982)")
        return next.rawValue
    }
}
