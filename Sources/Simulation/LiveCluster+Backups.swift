import Backup
import Determinism
import Nameserver
import Scenario
import Storage

/// The scenario's backup schedule on a live host: the same vault, verification and retention
/// ladder as a run's `BackupDriver`, cycled by the host's clock.
public struct LiveBackups {
    public let every: SimDuration
    public let start: SimDuration
    public private(set) var vault: BackupVault
    let primaryIndex: Int
    let configuration: [UInt8]

    /// The schedule of `scenario`'s `backups` section over `folder`, nil without one.
    public static func open(scenario: Scenario, cluster: LiveCluster, folder: String, epochSeconds: Int64)
        throws(BackupError) -> LiveBackups?
    {
        guard let spec = scenario.backups,
              let index = cluster.nodes.filter({ $0.role == .primary }).firstIndex(where: { $0.name == spec.host })
        else { return nil }
        let ladder = RetentionLadder(tiers: spec.tiers.map(BackupDriver.tier))
        let vault = try BackupVault.open(folder: folder, epoch: epochSeconds, ladder: ladder, compress: spec.compress)
        return LiveBackups(every: spec.every, start: spec.start, vault: vault, primaryIndex: index,
                           configuration: BackupDriver.configurationText(scenario))
    }

    /// Snapshots the primary's database at Unix time `unixSeconds`, verifies the copy against what
    /// the primary serves, prunes by the ladder and saves the catalogue. One line for the log.
    public mutating func cycle(_ cluster: LiveCluster, unixSeconds: Int64) -> String {
        let primary = cluster.host.primaries[primaryIndex]
        let now = Instant.zero + .seconds(max(0, unixSeconds - vault.catalogue.epoch))
        let served = primary.databaseMatchesServed ? ZoneDigest.of(primary.machine.server.zones) : nil
        do {
            let entry = try vault.snapshot(of: primary.store, configuration: configuration, now: now)
            let checked = try vault.verify(entry.id, expected: served)
            let pruned = try vault.prune(now: now)
            try vault.save()
            return "backup \(checked.id) \(checked.state.rawValue)" + (checked.failure.map { ": \($0)" } ?? "")
                + ", \(pruned.count) pruned, \(vault.catalogue.snapshots.count) kept"
        } catch {
            return "backup failed: \(error)"
        }
    }
}
