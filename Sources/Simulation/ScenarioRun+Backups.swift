import Backup
import DNSZone
import Determinism
import Reports
import Scenario
import SimNet
import Storage
import DNSWire

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
///
/// The scenario's database steps (`lose_database`, `corrupt_database`, `restore`) run between
/// slices too, after a snapshot due at the same instant (ScenarioRun+Restore.swift).
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
    /// The scenario's database steps in time order (file order at the same instant).
    let steps: [FaultSpec]
    var nextStep = 0
    /// For restores: what the run needs to know about the cluster.
    let seed: UInt64
    let epochSeconds: Int64
    let providerZone: DNSName?
    /// The secondaries (indexes in `ClusterHost.secondaries`) that transfer from the backed-up primary.
    let secondaryIndexes: [Int]
    /// The database fault in force: its label, when it struck, and whether a damaged file remains.
    var outage: (label: String, at: Instant, corrupt: Bool)?
    /// "An hour later" checks still due: (instant, index into `report.restores`), in time order.
    var laterChecks: [(at: Instant, restore: Int)] = []
    /// Acknowledgements and commits before this instant belong to a database replaced by a restore.
    var lineageStart = Instant.zero
    /// The backed-up database's file.
    var databaseFile: String?

    static let postponeStep = SimDuration.milliseconds(10)
    static let postponeLimit = 100
    static let laterCheck = SimDuration.seconds(3_600)

    init?(scenario: Scenario, built: BuiltCluster, folder: String?) {
        guard let spec = scenario.backups, let index = built.primaryNames.firstIndex(of: spec.host) else { return nil }
        self.spec = spec
        primaryIndex = index
        lastCycle = Instant.zero + scenario.duration
        steps = scenario.faults.filter(\.kind.isDatabaseStep).enumerated()
            .sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        seed = scenario.seed
        epochSeconds = scenario.epochSeconds
        providerZone = scenario.webPart.customers?.zone
        secondaryIndexes = built.secondaryPrimary.indices.filter { built.secondaryPrimary[$0] == index }
        let ladder = RetentionLadder(tiers: spec.tiers.map(Self.tier))
        report = BackupsReport(host: spec.host, every: spec.every,
                               ladder: ladder.tiers.map { "\($0.label)×\($0.count)" }, compress: spec.compress)
        report.drills = !steps.isEmpty
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

    /// What happens next between slices of the run.
    enum Stop {
        case snapshot, step, laterCheck
    }

    /// Runs the simulator to `end`, stopping at each scheduled snapshot, database step and check.
    mutating func run(_ simulator: inout Simulator<ClusterHost>, until end: Instant, progressEvery: UInt64,
                      progress: (Instant, UInt64) -> Void) {
        var next = Instant.zero + spec.start
        databaseFile = simulator.host.primaries[primaryIndex].store.database.path
        while true {
            var stops: [(Instant, Stop)] = []
            if vault != nil && next <= lastCycle { stops.append((next, .snapshot)) }
            if nextStep < steps.count { stops.append((Instant.zero + steps[nextStep].at, .step)) }
            if let check = laterChecks.first { stops.append((check.at, .laterCheck)) }
            // The earliest; at the same instant a snapshot first, then a step, then a check.
            guard let (at, stop) = stops.min(by: { $0.0 < $1.0 }) else { break }
            simulator.run(until: at, progressEvery: progressEvery, progress: progress)
            switch stop {
            case .snapshot:
                takeSnapshot(&simulator, progressEvery: progressEvery, progress: progress)
                while next <= simulator.now { next = next + spec.every }
            case .step:
                apply(steps[nextStep], &simulator)
                nextStep += 1
            case .laterCheck:
                checkLater(restore: laterChecks.removeFirst().restore, simulator)
            }
        }
        simulator.run(until: end, progressEvery: progressEvery, progress: progress)
        finishRestores(simulator)
        finish()
    }

    /// One cycle: waits (briefly) for the primary to serve what its database holds, then copies,
    /// verifies and prunes. While the database is lost the cycle is skipped; while it is damaged
    /// the damaged file is copied and fails verification.
    mutating func takeSnapshot(_ simulator: inout Simulator<ClusterHost>, progressEvery: UInt64,
                               progress: (Instant, UInt64) -> Void) {
        if let outage {
            guard outage.corrupt else {
                report.skipped += 1
                report.failures.append("\(simulator.now): no database to copy (\(outage.label))")
                return
            }
            do {
                let damaged = try ZoneStore.openReadOnly(path: databasePath(simulator))
                cycle(store: damaged, served: nil, at: simulator.now)
            } catch {
                report.failed += 1
                report.failures.append("\(simulator.now): \(error)")
            }
            return
        }
        var at = simulator.now
        var waited = 0
        while !inSync(simulator) && waited < Self.postponeLimit {
            at = at + Self.postponeStep
            simulator.run(until: at, progressEvery: progressEvery, progress: progress)
            waited += 1
        }
        if waited > 0 { report.postponed += 1 }
        let primary = simulator.host.primaries[primaryIndex]
        let confirmed = inSync(simulator)
        let verified = cycle(store: primary.store, served: confirmed ? ZoneDigest.of(primary.machine.server.zones) : nil,
                             at: at)
        if verified && !confirmed { report.unconfirmed += 1 }
    }

    /// True when the primary serves exactly the serials its database holds.
    func inSync(_ simulator: Simulator<ClusterHost>) -> Bool {
        simulator.host.primaries[primaryIndex].databaseMatchesServed
    }

    /// Copies `store`, verifies the copy against `served` (nil: without the comparison), prunes.
    /// True when the copy verified.
    @discardableResult
    mutating func cycle(store: ZoneStore, served: [ZoneDigest]?, at now: Instant) -> Bool {
        guard var vault else { return false }
        self.vault = nil  // the only reference while the cycle mutates it: the catalogue is not copied
        defer { self.vault = vault }
        var verified = false
        do {
            let entry = try vault.snapshot(of: store, configuration: configuration, now: now)
            report.snapshots += 1
            let checked = try vault.verify(entry.id, expected: served)
            history.append(RetentionCandidate(id: checked.id, unixSeconds: checked.unixSeconds, state: checked.state))
            if checked.state == .verified {
                report.verified += 1
                verified = true
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
        return verified
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
