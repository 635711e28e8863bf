import DNSWire
import DNSZone
import Determinism
import Reports
import SimNet

/// A property every run must keep, found broken after a run (seed sweeps, `ddnslab sweep`).
public struct InvariantViolation: Sendable, Hashable {
    /// One of `Invariants.names`, or `crash` (the sweep's own: the run's process died).
    public var invariant: String
    /// What broke, for the person reproducing it.
    public var detail: String

    public init(invariant: String, detail: String) {
        self.invariant = invariant
        self.detail = detail
    }
}

/// The invariants checked after a run, from the run's own records:
/// - `acknowledged_updates_kept`: no update a client saw acknowledged is lost (the report's oracle),
///   except those a scenario's `restore` lost and listed (committed after the restored snapshot).
/// - `serials_never_go_back`: every primary commits, and every secondary applies, serials that only
///   grow (RFC 1982) per zone.
/// - `secondaries_converge`: at the end every secondary serves exactly its primary's records, when
///   the last fault healed at least `settle` before the end: twice the longest refresh interval of
///   a secondary (its `refresh: every(…)`, or the zones' SOA refresh), at least 60 s.
/// - `answers_match_zones`: no resolver population got an answer that contradicts the zone data,
///   names outside our zones included (which must be REFUSED); checked only when the zones do not
///   change during the run (no `changes`, no `web`), since the oracle judges against the zone files.
public enum Invariants {
    public static let names = ["acknowledged_updates_kept", "serials_never_go_back", "secondaries_converge",
                               "answers_match_zones"]
}

extension ScenarioRun {
    /// The invariants that apply to this scenario and those found broken (at most 5 details each).
    func checkInvariants(_ report: RunReport, _ simulator: Simulator<ClusterHost>, _ built: BuiltCluster)
        -> (checked: [String], violations: [InvariantViolation])
    {
        var checked: [String] = []
        var violations: [InvariantViolation] = []
        func add(_ invariant: String, _ details: [String]) {
            violations += details.prefix(5).map { InvariantViolation(invariant: invariant, detail: $0) }
        }
        let host = simulator.host
        if let web = report.web {
            checked.append("acknowledged_updates_kept")
            // A restore loses what was acknowledged after its snapshot by design: its report lists it.
            let restored = Set((report.backups?.restores ?? []).flatMap(\.lostUpdates).map { "\($0.host) \($0.value)" })
            add("acknowledged_updates_kept", web.lost.filter { !restored.contains("\($0.host) \($0.value)") }.map { lost in
                "\(lost.host) \(lost.value), acknowledged at \(lost.acknowledgedAt), is not in the database"
            })
        }
        if !host.primaries.isEmpty {
            checked.append("serials_never_go_back")
            var details: [String] = []
            for (index, primary) in host.primaries.enumerated() {
                details += Self.regressions(primary.commits, who: "primary \(index)")
            }
            for (index, secondary) in host.secondaries.enumerated() {
                details += Self.regressions(secondary.applied, who: built.secondaryNames[index])
            }
            add("serials_never_go_back", details)
        }
        let end = Instant.zero + scenario.duration
        let lastHeal = simulator.faultLog.map { $0.ended ?? end }.max() ?? .zero
        let soaRefresh = SimDuration.seconds(zones.zones.compactMap { $0.soa.map { Int64($0.refresh) } }.max() ?? 0)
        let refresh = scenario.nameservers.compactMap { spec -> SimDuration? in
            guard case .secondary(_, let mode, _) = spec.role else { return nil }
            if case .every(let interval) = mode { return interval }
            return soaRefresh
        }.max() ?? .zero
        let settle = SimDuration.nanoseconds(max(SimDuration.seconds(60).nanoseconds, 2 * refresh.nanoseconds))
        if !report.replication.isEmpty, lastHeal + settle <= end {
            checked.append("secondaries_converge")
            add("secondaries_converge", report.replication.filter { $0.differingRecords > 0 }.map {
                "\($0.secondary) differs from its primary in \($0.differingRecords) records at the end"
            })
        }
        if !report.classes.isEmpty, scenario.webPart.web == nil, host.primaries.allSatisfy({ $0.commits.isEmpty }) {
            checked.append("answers_match_zones")
            add("answers_match_zones", report.classes.compactMap { population in
                let wrong = population.outcomes[.wrong] ?? 0
                return wrong > 0 ? "\(population.name) got \(wrong) answers that contradict the zones" : nil
            })
        }
        return (checked, violations)
    }

    /// Places where a zone's serial went back in a time-ordered list.
    static func regressions(_ serials: [(zone: DNSName, serial: UInt32, at: Instant)], who: String) -> [String] {
        var last: [DNSName: UInt32] = [:]
        var found: [String] = []
        for entry in serials {
            if let previous = last[entry.zone], SerialNumber(entry.serial).isLess(than: SerialNumber(previous)) {
                found.append("\(who): \(entry.zone) went from serial \(previous) back to \(entry.serial) at \(entry.at)")
            }
            last[entry.zone] = entry.serial
        }
        return found
    }
}
