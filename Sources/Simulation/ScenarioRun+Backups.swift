import Backup
import DNSZone
import Determinism
import Reports
import Scenario
import SimNet

/// Scheduled backups of a primary's database on the simulator's clock (scenario section
/// `backups`; docs/backups.md).
///
/// The run is advanced in slices to each scheduled instant; after every event of that instant, the
/// driver copies the primary's database (`BackupVault.snapshot`), verifies the copy against the
/// zones the primary serves at that moment, and prunes with the ladder. A web server commits to the
/// database first and tells the primary after a network hop, so when the primary still serves an
/// older serial than its database the snapshot waits in steps of 10 ms (at most 1 s); past that
/// it is verified without the comparison and counted `unconfirmed`. The catalogue is saved at the
/// end. Nothing here reads a clock; the folder's epoch is the scenario's.
struct BackupDriver {
    let spec: BackupSpec
    let primaryIndex: Int
    let lastCycle: Instant
    var vault: BackupVault?
    var report: BackupsReport
    /// Every snapshot ever taken with its final state, for the end-of-run retention check.
    var history: [RetentionCandidate] = []
    let configuration: [UInt8]
    var lastPrune = Instant.zero

    static let postponeStep = SimDuration.milliseconds(10)
    static let postponeLimit = 100

    init?(scenario: Scenario, primaryNames: [String], folder: String?) {
        guard let spec = scenario.backups, let index = primaryNames.firstIndex(of: spec.host) else { return nil }
        self.spec = spec
        primaryIndex = index
        lastCycle = Instant.zero + scenario.duration
        let ladder = RetentionLadder(tiers: spec.tiers.map(Self.tier))
        report = BackupsReport(host: spec.host, every: spec.every,
                               ladder: ladder.tiers.map { "\($0.label)×\($0.count)" }, compress: spec.compress)
        configuration = Self.configurationText(scenario)
        guard let folder else {
            report.failures.append("no work folder: backups need files")
            return
        }
        do {
            vault = try BackupVault.open(folder: folder, epoch: scenario.epochSeconds, ladder: ladder,
                                         compress: spec.compress)
        } catch {
            report.failures.append("backup folder \(folder): \(error)")
        }
    }

    static func tier(_ tier: BackupSpec.Tier) -> RetentionTier {
        RetentionTier(period: tier.period, count: tier.count)
    }

    /// The components' settings stored beside each snapshot: one line per nameserver, balancer and
    /// web server, in scenario order.
    static func configurationText(_ scenario: Scenario) -> [UInt8] {
        var lines = ["# ddnslab \(scenario.name) seed \(scenario.seed)"]
        for spec in scenario.nameservers {
            lines.append("nameserver \(spec.name) role=\(spec.role) site=\(spec.site) cores=\(spec.capacity.cores)")
        }
        for spec in scenario.balancers { lines.append("balancer \(spec.name)") }
        if let web = scenario.webPart.web { lines.append("web \(web.name) site=\(web.site) primary=\(web.primary)") }
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    /// Runs the simulator to `end`, stopping at each scheduled snapshot.
    mutating func run(_ simulator: inout Simulator<ClusterHost>, until end: Instant, progressEvery: UInt64,
                      progress: (Instant, UInt64) -> Void) {
        var next = Instant.zero + spec.start
        while vault != nil && next <= lastCycle {
            simulator.run(until: next, progressEvery: progressEvery, progress: progress)
            var at = next
            var waited = 0
            while !inSync(simulator) && waited < Self.postponeLimit {
                at = at + Self.postponeStep
                simulator.run(until: at, progressEvery: progressEvery, progress: progress)
                waited += 1
            }
            if waited > 0 { report.postponed += 1 }
            cycle(simulator, at: at, confirmed: inSync(simulator))
            while next <= at { next = next + spec.every }
        }
        simulator.run(until: end, progressEvery: progressEvery, progress: progress)
        finish()
    }

    /// True when the primary serves exactly the serials its database holds.
    func inSync(_ simulator: Simulator<ClusterHost>) -> Bool {
        let primary = simulator.host.primaries[primaryIndex]
        return primary.machine.server.zones.zones.allSatisfy { zone in
            (try? primary.store.serial(of: zone.origin)) == zone.soa?.serial
        }
    }

    mutating func cycle(_ simulator: Simulator<ClusterHost>, at now: Instant, confirmed: Bool) {
        guard var vault else { return }
        self.vault = nil  // the only reference while the cycle mutates it: the catalogue is not copied
        defer { self.vault = vault }
        let primary = simulator.host.primaries[primaryIndex]
        let served = ZoneDigest.of(primary.machine.server.zones)
        do {
            let entry = try vault.snapshot(of: primary.store, configuration: configuration, now: now)
            report.snapshots += 1
            let checked = try vault.verify(entry.id, expected: confirmed ? served : nil)
            history.append(RetentionCandidate(id: checked.id, unixSeconds: checked.unixSeconds, state: checked.state))
            if checked.state == .verified {
                report.verified += 1
                if !confirmed { report.unconfirmed += 1 }
            } else {
                report.failed += 1
                report.failures.append("\(checked.id): \(checked.failure ?? "failed")")
            }
            report.pruned += UInt64(try vault.prune(now: now).count)
            lastPrune = now
        } catch {
            report.failed += 1
            report.failures.append("\(now): \(error)")
        }
    }

    /// Saves the catalogue, lists what is kept, and checks the kept set against the ladder applied
    /// once to every snapshot taken.
    mutating func finish() {
        guard let vault else { return }
        do {
            try vault.save()
        } catch {
            report.failures.append("catalogue: \(error)")
        }
        let catalogue = vault.catalogue
        report.kept = catalogue.snapshots.map { entry in
            BackupsReport.Kept(id: entry.id, utc: entry.utc, state: entry.state.rawValue, size: entry.database.size,
                               keptBy: entry.keptBy)
        }
        let decisions = catalogue.ladder.decide(history, nowUnixSeconds: catalogue.epoch + Int64(lastPrune.seconds))
        let prescribed = decisions.filter(\.isKept).map(\.id)
        let kept = catalogue.snapshots.map(\.id)
        let missing = prescribed.filter { !kept.contains($0) }.count
        let extra = kept.filter { !prescribed.contains($0) }.count
        report.retentionMismatches = UInt64(missing + extra)
    }
}
