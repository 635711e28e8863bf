/// A point on a run's virtual time line: nanoseconds since the run's epoch (STYLE.md §4.1).
///
/// Anything date-like is computed from the scenario's declared epoch plus an `Instant`; nothing in
/// the simulation reads a clock.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    public static let zero = Instant(nanoseconds: 0)
    public static let distantFuture = Instant(nanoseconds: .max)

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    public static func + (lhs: Instant, rhs: SimDuration) -> Instant {
        Instant(nanoseconds: rhs.nanoseconds >= 0 ? lhs.nanoseconds &+ UInt64(rhs.nanoseconds)
                : lhs.nanoseconds - min(lhs.nanoseconds, UInt64(-rhs.nanoseconds)))
    }

    public static func - (lhs: Instant, rhs: Instant) -> SimDuration {
        SimDuration(nanoseconds: Int64(bitPattern: lhs.nanoseconds &- rhs.nanoseconds))
    }

    /// Whole seconds since the epoch (for per-second time series).
    public var seconds: UInt64 { nanoseconds / 1_000_000_000 }

    public var description: String { SimDuration(nanoseconds: Int64(nanoseconds)).description }
}

/// A signed span of virtual time in nanoseconds.
public struct SimDuration: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static let zero = SimDuration(nanoseconds: 0)
    public static func nanoseconds(_ value: Int64) -> SimDuration { SimDuration(nanoseconds: value) }
    public static func microseconds(_ value: Int64) -> SimDuration { SimDuration(nanoseconds: value * 1_000) }
    public static func milliseconds(_ value: Int64) -> SimDuration { SimDuration(nanoseconds: value * 1_000_000) }
    public static func seconds(_ value: Int64) -> SimDuration { SimDuration(nanoseconds: value * 1_000_000_000) }

    public static func < (lhs: SimDuration, rhs: SimDuration) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
    public static func + (lhs: SimDuration, rhs: SimDuration) -> SimDuration {
        SimDuration(nanoseconds: lhs.nanoseconds + rhs.nanoseconds)
    }
    public static func - (lhs: SimDuration, rhs: SimDuration) -> SimDuration {
        SimDuration(nanoseconds: lhs.nanoseconds - rhs.nanoseconds)
    }
    public static func * (lhs: SimDuration, rhs: Int64) -> SimDuration {
        SimDuration(nanoseconds: lhs.nanoseconds * rhs)
    }

    /// Milliseconds as a floating-point number, for reports only (STYLE.md §4.7).
    public var milliseconds: Double { Double(nanoseconds) / 1_000_000 }

    /// Compact text: `1h2m3s`, `250ms`, `1.5ms`, `800ns`.
    public var description: String {
        let ns = nanoseconds
        if ns < 0 { return "-" + SimDuration(nanoseconds: -ns).description }
        if ns == 0 { return "0s" }
        if ns % 1_000_000_000 == 0 {
            var seconds = ns / 1_000_000_000
            var text = ""
            if seconds >= 3600 { text += "\(seconds / 3600)h"; seconds %= 3600 }
            if seconds >= 60 { text += "\(seconds / 60)m"; seconds %= 60 }
            if seconds > 0 { text += "\(seconds)s" }
            return text
        }
        if ns % 1_000_000 == 0 { return "\(ns / 1_000_000)ms" }
        if ns % 1_000 == 0 { return "\(ns / 1_000)us" }
        return "\(ns)ns"
    }
}
