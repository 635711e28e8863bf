import Determinism
import Scenario
import SimNet

extension ClusterBuilder {
    /// The scenario's timeline faults plus, when asked, faults drawn from the seed's "faults" stream.
    func faultPlan(siteIDs: [String: SiteID], built: BuiltCluster) -> [SimFault] {
        var plan: [SimFault] = []
        let end = Instant.zero + scenario.duration
        func node(_ name: String) -> NodeID? { hostNode(name) }
        for fault in scenario.faults {
            let start = Instant.zero + fault.at
            let stop = fault.duration.map { start + $0 }
            // Database steps are the backup driver's (ScenarioRun+Backups.swift), between slices of the run.
            guard let kind = simKind(fault.kind, node: node, siteIDs: siteIDs) else { continue }
            plan.append(SimFault(at: start, end: stop.map { min($0, end) }, kind: kind, label: Self.label(fault.kind)))
        }
        if let random = scenario.randomFaults { plan += randomFaults(random, siteIDs: siteIDs, built: built, end: end) }
        return plan
    }

    private func simKind(_ kind: FaultKind, node: (String) -> NodeID?, siteIDs: [String: SiteID]) -> SimFault.Kind? {
        switch kind {
        case .crash(let host): return node(host).map { .crash($0) }
        case .hang(let host): return node(host).map { .hang($0) }
        case .slow(let host, let factor): return node(host).map { .slow($0, factor: Int64(factor)) }
        case .clockSkew(let host, let offset): return node(host).map { .clockSkew($0, offset: offset) }
        case .partition(let from, let to, let oneWay):
            guard let a = siteIDs[from], let b = siteIDs[to] else { return nil }
            return .partition(a, b, oneWay: oneWay)
        case .degrade(let between, let latency, let loss):
            guard let a = siteIDs[between.0], let b = siteIDs[between.1] else { return nil }
            return .degrade(a, b, extraDelay: latency, lossPartsPerMillion: loss)
        case .loseDatabase, .corruptDatabase, .restore: return nil
        }
    }

    static func label(_ kind: FaultKind) -> String {
        switch kind {
        case .crash(let host): "crash \(host)"
        case .hang(let host): "hang \(host)"
        case .slow(let host, let factor): "slow \(host) x\(factor)"
        case .clockSkew(let host, let offset): "clock_skew \(host) \(offset)"
        case .partition(let from, let to, let oneWay): "partition \(from) \(oneWay ? "->" : "<->") \(to)"
        case .degrade(let between, let latency, let loss):
            "degrade \(between.0)~\(between.1) +\(latency) loss \(Double(loss) / 10_000)%"
        case .loseDatabase(let host): "lose_database \(host)"
        case .corruptDatabase(let host): "corrupt_database \(host)"
        case .restore(let host, let snapshot): "restore \(host) from \(snapshot.map { "snapshot \($0)" } ?? "latest verified")"
        }
    }

    /// The random faults as simulator faults (each on a host or pair of sites of the scenario).
    private func randomFaults(_ spec: RandomFaultSpec, siteIDs: [String: SiteID], built: BuiltCluster, end: Instant) -> [SimFault] {
        RandomFaults.draw(scenario).compactMap { fault in
            guard let kind = simKind(fault.kind, node: hostNode, siteIDs: siteIDs) else { return nil }
            let start = Instant.zero + fault.at
            return SimFault(at: start, end: fault.duration.map { start + $0 }, kind: kind, label: Self.label(fault.kind) + " (random)")
        }
    }
}

/// The faults a scenario's `random_faults` draws from its seed (the "faults" stream): at exponential
/// intervals, kinds and targets (nameservers, links) drawn uniformly, durations uniform in the range,
/// each cut at the end of the run (or at `until`). The same scenario and seed draw the same list, so
/// a seed sweep can write them out as ordinary `faults` (`ddnslab sweep shrink`).
public enum RandomFaults {
    public static func draw(_ scenario: Scenario) -> [FaultSpec] {
        guard let spec = scenario.randomFaults else { return [] }
        var random = SeededRandom(seed: scenario.seed, label: "faults")
        var faults: [FaultSpec] = []
        var at = SimDuration.zero
        let end = min(scenario.duration, spec.until ?? scenario.duration)
        let hosts = scenario.nameservers.map(\.name)
        let links = scenario.links.map(\.between)
        while faults.count < 10_000 {
            at = at + .nanoseconds(Int64(random.exponential(mean: Double(spec.meanInterval.nanoseconds))))
            guard at < end, let kindName = random.element(of: spec.kinds) else { break }
            let span = spec.maximumDuration.nanoseconds - spec.minimumDuration.nanoseconds
            let duration = spec.minimumDuration + .nanoseconds(span > 0 ? Int64(random.below(UInt64(span))) : 0)
            guard let kind = kind(kindName, hosts: hosts, links: links, random: &random) else { continue }
            faults.append(FaultSpec(at: at, duration: min(at + duration, end) - at, kind: kind))
        }
        return faults
    }

    private static func kind(_ name: String, hosts: [String], links: [(String, String)],
                                    random: inout SeededRandom) -> FaultKind? {
        switch name {
        case "crash": return random.element(of: hosts).map { .crash(host: $0) }
        case "hang": return random.element(of: hosts).map { .hang(host: $0) }
        case "slow": return random.element(of: hosts).map { .slow(host: $0, factor: 10) }
        case "clock_skew": return random.element(of: hosts).map { .clockSkew(host: $0, offset: .seconds(30)) }
        case "partition": return random.element(of: links).map { .partition(from: $0.0, to: $0.1, oneWay: false) }
        case "degrade":
            return random.element(of: links).map { .degrade(between: $0, extraLatency: .milliseconds(100), lossPartsPerMillion: 50_000) }
        default: return nil
        }
    }
}
