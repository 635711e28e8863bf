import DNSWire

/// An SOA serial under RFC 1982 serial number arithmetic with SERIAL_BITS = 32.
///
/// Serials wrap around, so they are not `Comparable`: two serials exactly 2^31 apart have no order
/// (RFC 1982 §3.2) and the relation is not transitive across the whole space.
public struct SerialNumber: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The serial as carried in the SOA.
    public var rawValue: UInt32

    /// Wraps a serial value.
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Wraps a serial value.
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    /// The largest addend RFC 1982 §3.1 defines: 2^(SERIAL_BITS - 1) - 1.
    public static let additionMax: UInt32 = (1 << 31) - 1

    /// The order of two serials (RFC 1982 §3.2).
    public enum Order: Hashable, Sendable {
        case less, equal, greater
        /// Exactly 2^31 apart: RFC 1982 leaves the comparison undefined.
        case undefined
    }

    /// The decimal serial.
    public var description: String { String(rawValue) }

    /// RFC 1982 §3.2: s1 < s2 when (i1 < i2 and i2 - i1 < 2^31) or (i1 > i2 and i1 - i2 > 2^31).
    /// Both cases are "i2 - i1 modulo 2^32 lies in 1 ..< 2^31".
    public func compare(to other: SerialNumber) -> Order {
        let distance = other.rawValue &- rawValue
        if distance == 0 { return .equal }
        if distance == 1 << 31 { return .undefined }
        return distance < 1 << 31 ? .less : .greater
    }

    /// True only when the order is defined and this serial is less.
    public func isLess(than other: SerialNumber) -> Bool { compare(to: other) == .less }

    /// True only when the order is defined and this serial is greater.
    public func isGreater(than other: SerialNumber) -> Bool { compare(to: other) == .greater }

    /// RFC 1982 §3.1: s + n modulo 2^32, defined only for n in 0 ... 2^31 - 1.
    public func adding(_ addend: UInt32) -> SerialNumber {
        precondition(addend <= Self.additionMax, "RFC 1982 §3.1: addend above 2^31 - 1")
        let result = SerialNumber(rawValue &+ addend)
        assert(addend == 0 || isLess(than: result), "serial addition must move forward")
        return result
    }

    /// The next serial (0 follows 4294967295).
    public func incremented() -> SerialNumber { adding(1) }

    /// The serial after applying `method`; never goes backwards in serial arithmetic.
    public func bumped(_ method: SerialBump) -> SerialNumber {
        let candidate: SerialNumber
        switch method {
        case .increment: return incremented()
        case .date(let date): candidate = SerialNumber(date.serialBase)
        case .unixTime(let seconds): candidate = SerialNumber(seconds)
        }
        // BIND's "date" and "unixtime" update methods: the candidate only when it is newer, else +1.
        return isLess(than: candidate) ? candidate : incremented()
    }
}

/// How to choose the next SOA serial when a zone changes.
public enum SerialBump: Hashable, Sendable {
    /// Plus one (RFC 1982 §3.1).
    case increment
    /// YYYYMMDDnn: the date with nn = 00, or plus one when that is not newer than the current serial.
    case date(CalendarDate)
    /// Seconds since 1970 (passed in: time is an input, STYLE.md §4.1), or plus one when not newer.
    case unixTime(UInt32)
}

/// A proleptic Gregorian calendar date, for date-style serials. Computed from the run's declared
/// epoch plus `now` by the caller; never read from a clock.
public struct CalendarDate: Hashable, Sendable, CustomStringConvertible {
    /// The year, 1 ... 4294.
    public let year: Int
    /// The month, 1 ... 12.
    public let month: Int
    /// The day of the month.
    public let day: Int

    /// Nil for a day that does not exist or a year outside 1 ... 4294 (a YYYYMMDDnn serial must fit
    /// in 32 bits).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...4294).contains(year), (1...12).contains(month), day >= 1 else { return nil }
        let next = month == 12 ? (year + 1, 1) : (year, month + 1)
        let length = TextEncoding.daysSinceEpoch(year: next.0, month: next.1, day: 1)
            - TextEncoding.daysSinceEpoch(year: year, month: month, day: 1)
        guard day <= length else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The UTC date of a count of seconds since 1970-01-01.
    public init(secondsSinceEpoch seconds: UInt64) {
        let (year, month, day) = TextEncoding.civilDate(daysSinceEpoch: Int(seconds / 86_400))
        precondition(year <= 4294, "date beyond a YYYYMMDDnn serial")
        self.year = year
        self.month = month
        self.day = day
    }

    /// YYYYMMDD00.
    public var serialBase: UInt32 { UInt32(year * 1_000_000 + month * 10_000 + day * 100) }

    /// ISO 8601 form, YYYY-MM-DD.
    public var description: String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)-\(two(month))-\(two(day))"
    }
}

extension SOA {
    /// This SOA with its serial bumped by `method`.
    public func bumpingSerial(_ method: SerialBump) -> SOA {
        var copy = self
        copy.serial = SerialNumber(serial).bumped(method).rawValue
        return copy
    }
}
