import Backup
import DNSWire
import DNSZone
import Determinism
import Reports
import Scenario
import SimNet
import Storage
import WebServer

/// Restore drills: the scenario's `lose_database`, `corrupt_database` and `restore` steps on the
/// backed-up primary's database, and what a restore cost (docs/backups.md, Restore drills).
///
/// A database fault stops every service on the database (the primary, and the web server when it
/// shares it): they crash, their connection is closed, and the file is deleted or damaged. A
/// `restore` writes a verified snapshot to the database's path, raises each zone's serial past every
/// serial any of our nameservers has served (so secondaries and caches move forward to the restored
/// data), and starts the services again from that file alone; the secondaries take the restored
/// zones by NOTIFY and transfer. Scoring:
/// - RPO: the acknowledged updates committed after the snapshot, by host, counted three ways that
///   must agree (acknowledgement time after the snapshot's instant; commit serial newer than the
///   snapshot's; the restored file's content);
/// - the hosts served wrong right after the restore and an hour later (routers whose updater does
///   not send again until its address changes stay wrong);
/// - RTO: from the fault to the instant every nameserver serves the restored serials.
extension BackupDriver {
    /// The database file (kept from the start: a lost database's services hold a placeholder).
    func databasePath(_ simulator: Simulator<ClusterHost>) -> String {
        databaseFile ?? simulator.host.primaries[primaryIndex].store.database.path
    }

    /// The nodes running on the database: the primary and any web server that commits to it.
    func databaseNodes(_ simulator: Simulator<ClusterHost>) -> [NodeID] {
        let primary = simulator.host.primaries[primaryIndex].port53.node
        return [primary] + simulator.host.webs.filter { $0.primary.node == primary }.map(\.node)
    }

    mutating func apply(_ step: FaultSpec, _ simulator: inout Simulator<ClusterHost>) {
        let label = ClusterBuilder.label(step.kind)
        switch step.kind {
        case .loseDatabase, .corruptDatabase:
            let path = databasePath(simulator)
            if outage == nil { stopDatabase(label, &simulator) }
            let corrupt: Bool
            do throws(BackupError) {
                if case .corruptDatabase = step.kind, DatabaseDamage.exists(path) {
                    var random = SeededRandom(seed: seed, label: "corrupt-database:\(spec.host):\(nextStep)")
                    _ = try DatabaseDamage.corrupt(path, random: &random)
                    corrupt = true
                } else {
                    try DatabaseDamage.lose(path)
                    corrupt = false
                }
            } catch {
                report.failures.append("\(simulator.now): \(label): \(error)")
                return
            }
            outage = (outage?.label ?? label, outage?.at ?? simulator.now, corrupt)
        case .restore(_, let id): restore(id, label: label, &simulator)
        default: break
        }
    }

    /// Stops the services on the database and closes its connection; they keep an empty in-memory
    /// database in its place, so nothing can reach the file until a restore.
    mutating func stopDatabase(_ label: String, _ simulator: inout Simulator<ClusterHost>) {
        simulator.beginHostFault(label, stopping: databaseNodes(simulator))
        try? simulator.host.primaries[primaryIndex].store.database.close()
        if let placeholder = try? ZoneStore.inMemory() {
            simulator.host.replaceDatabase(primary: primaryIndex, with: placeholder)
        }
    }

    mutating func restore(_ id: Int?, label: String, _ simulator: inout Simulator<ClusterHost>) {
        let now = simulator.now
        var record = RestoreReport(at: now, host: spec.host)
        record.fault = outage?.label
        record.faultAt = outage?.at
        let path = databasePath(simulator)
        if outage == nil {
            stopDatabase(label, &simulator)
            outage = (label, now, false)
        }
        guard var vault else {
            record.failure = "no backup folder"
            report.restores.append(record)
            return
        }
        defer { self.vault = vault }
        do {
            let result = try vault.restore(id, to: path)
            let store = try ZoneStore(path: path, durability: .processCrash)
            record.snapshot = result.snapshot.id
            record.snapshotAt = result.snapshot.instant
            record.skippedSnapshots = result.skipped
            scoreLostWork(&record, snapshot: result.snapshot, restored: store, simulator)
            record.serials = try raiseSerials(store, simulator, now: now)
            simulator.host.replaceDatabase(primary: primaryIndex, with: store)
            simulator.endHostFault(outage?.label ?? label, restarting: databaseNodes(simulator))
            outage = nil
            lineageStart = now
            record.wrongAtRestore = wrongHosts(simulator, lost: record.lostUpdates)
            let later = min(now + Self.laterCheck, lastCycle)
            laterChecks.append((later, report.restores.count))
        } catch {
            record.failure = "\(error)"
            report.failures.append("\(now): \(label): \(error)")
        }
        report.restores.append(record)
    }

    /// Sets each zone's serial one past the newest serial any of our nameservers has served, when
    /// the restored serial is not already past it (`pdnsutil increase-serial` after a restore).
    func raiseSerials(_ store: ZoneStore, _ simulator: Simulator<ClusterHost>, now: Instant) throws -> [RestoreReport.ZoneSerial] {
        var result: [RestoreReport.ZoneSerial] = []
        for info in try store.zones() where info.kind == .master {
            guard let zone = try store.loadZone(info.origin), var soa = zone.soa, let soaRRset = zone.soaRRset else { continue }
            let restored = soa.serial
            if let highest = highestServed(info.origin, simulator), !SerialNumber(highest).isLess(than: SerialNumber(restored)) {
                soa.serial = highest &+ 1
                let raised = RRset(owner: info.origin, type: .soa, ttl: soaRRset.ttl, rdatas: [.soa(soa)])
                _ = try store.apply(ZoneChange([.replace(raised)]), to: info.origin, now: now, epoch: epochSeconds)
            }
            result.append(RestoreReport.ZoneSerial(zone: "\(info.origin)", restored: restored, served: soa.serial))
        }
        return result
    }

    /// The newest serial of `origin` the primary committed or a secondary of it serves.
    func highestServed(_ origin: DNSName, _ simulator: Simulator<ClusterHost>) -> UInt32? {
        var serials = simulator.host.primaries[primaryIndex].commits.filter { $0.zone == origin }.map(\.serial)
        if let served = simulator.host.primaries[primaryIndex].machine.server.zones.zone(named: origin)?.soa?.serial {
            serials.append(served)
        }
        for index in secondaryIndexes {
            if let served = simulator.host.secondaries[index].machine.server.zones.zone(named: origin)?.soa?.serial {
                serials.append(served)
            }
        }
        return serials.reduce(nil as UInt32?) { newest, serial in
            guard let newest else { return serial }
            return SerialNumber(newest).isLess(than: SerialNumber(serial)) ? serial : newest
        }
    }

    /// The acknowledged updates and commits the restore loses, and the three accounts' agreement.
    func scoreLostWork(_ record: inout RestoreReport, snapshot: SnapshotEntry, restored: ZoneStore,
                       _ simulator: Simulator<ClusterHost>) {
        let faultAt = record.faultAt ?? record.at
        let primary = simulator.host.primaries[primaryIndex]
        let restoredSerials = Dictionary(snapshot.zones.compactMap { digest in digest.serial.map { (digest.origin, $0) } },
                                         uniquingKeysWith: { first, _ in first })
        func newer(_ zone: DNSName, _ serial: UInt32) -> Bool {
            guard let restoredSerial = restoredSerials[zone] else { return true }
            return SerialNumber(restoredSerial).isLess(than: SerialNumber(serial))
        }
        record.lostCommits = UInt64(primary.commits.filter { entry in
            entry.at >= lineageStart && entry.at <= faultAt && newer(entry.zone, entry.serial)
        }.count)
        guard let zone = providerZone, let web = simulator.host.webs.first(where: { $0.primary.node == primary.port53.node })
        else { return }
        let updaters = updaterNames(simulator)
        let window = web.acknowledged.filter { $0.at >= lineageStart && $0.at <= faultAt }
        let restoredZone = (try? restored.loadZone(zone)) ?? nil
        for (update, at) in window {
            let byTime = at > snapshot.instant
            let bySerial = newer(zone, update.serial)
            let text = "\(update.hostname) \(update.type) \(update.value) acknowledged at \(at) (serial \(update.serial))"
            if byTime != bySerial {
                record.oracleMismatches.append(byTime ? "\(text): after the snapshot, but its serial is in it"
                                                      : "\(text): before the snapshot, but its serial is newer")
            }
            if byTime {
                record.lostUpdates.append(RestoreReport.LostUpdate(
                    host: "\(update.hostname)", type: "\(update.type)", value: "\(update.value)", acknowledgedAt: at,
                    serial: update.serial, updater: updaters[update.hostname] ?? "?"))
            }
        }
        checkAgainstClients(&record, snapshotAt: snapshot.instant, faultAt: faultAt, simulator)
        // The file's content: each host holds the value of its last update in the snapshot.
        var lastKept: [HostType: (value: String, at: Instant)] = [:]
        var order: [HostType] = []
        for (update, at) in window where at <= snapshot.instant {
            let key = HostType(host: update.hostname, type: update.type)
            if lastKept[key] == nil { order.append(key) }
            lastKept[key] = ("\(update.value)", at)
        }
        for key in order {
            guard let (value, at) = lastKept[key] else { continue }
            let stored = restoredZone?.rrset(at: key.host, type: key.type)?.rdatas.map { "\($0)" } ?? []
            if !stored.contains(value) {
                record.oracleMismatches.append("\(key.host) \(key.type): the restored file holds [\(stored.joined(separator: ", "))], "
                    + "not \(value) acknowledged at \(at) before the snapshot")
            }
        }
    }

    /// The clients' own record (what each router sent and was told) against the lost list: every
    /// `good` for a request sent after the snapshot and answered before the fault is listed, and
    /// every listed update was sent by its router before it was acknowledged.
    func checkAgainstClients(_ record: inout RestoreReport, snapshotAt: Instant, faultAt: Instant,
                             _ simulator: Simulator<ClusterHost>) {
        var listed: [String: [Instant]] = [:]
        for lost in record.lostUpdates { listed["\(lost.host) \(lost.type) \(lost.value)", default: []].append(lost.acknowledgedAt) }
        var sent: [String: [(sentAt: Instant, answeredAt: Instant?)]] = [:]
        for node in simulator.host.updaters {
            let fleet = node.fleet
            for request in fleet.requests where request.sentAt >= lineageStart && request.sentAt <= faultAt {
                let host = "\(fleet.config.customers[request.customer].hostname)"
                var values: [String] = []
                if let v4 = request.v4 { values.append("\(host) A \(v4)") }
                if let v6 = request.v6 { values.append("\(host) AAAA \(v6)") }
                for key in values { sent[key, default: []].append((request.sentAt, request.answeredAt)) }
                guard request.code == "good", request.sentAt > snapshotAt, let answered = request.answeredAt,
                      answered <= faultAt else { continue }
                for key in values where listed[key] == nil {
                    record.oracleMismatches.append("\(key): sent at \(request.sentAt) and told good at \(answered), not listed as lost")
                }
            }
        }
        for (key, instants) in listed.sorted(by: { $0.key < $1.key }) {
            for at in instants where !(sent[key] ?? []).contains(where: { $0.sentAt <= at && ($0.answeredAt.map { $0 >= at } ?? true) }) {
                record.oracleMismatches.append("\(key): listed as acknowledged at \(at), but no router sent it then")
            }
        }
    }

    struct HostType: Hashable {
        var host: DNSName
        var type: RRType
    }

    /// Each customer host's updater population.
    func updaterNames(_ simulator: Simulator<ClusterHost>) -> [DNSName: String] {
        var names: [DNSName: String] = [:]
        for node in simulator.host.updaters {
            for customer in node.fleet.config.customers { names[customer.hostname] = node.fleet.config.name }
        }
        return names
    }

    /// Hosts whose address the primary serves is not their router's current one, in fleet order;
    /// `lostByRestore` when that address is one of the restore's lost updates (else the router
    /// could not report it, e.g. during the outage).
    func wrongHosts(_ simulator: Simulator<ClusterHost>, lost: [RestoreReport.LostUpdate]) -> [RestoreReport.WrongHost] {
        let lostValues = Set(lost.map { "\($0.host) \($0.type) \($0.value)" })
        guard let zoneName = providerZone,
              let zone = simulator.host.primaries[primaryIndex].machine.server.zones.zone(named: zoneName)
        else { return [] }
        var wrong: [RestoreReport.WrongHost] = []
        for node in simulator.host.updaters {
            let fleet = node.fleet
            for (index, customer) in fleet.config.customers.enumerated() {
                let (v4, v6) = fleet.currentAddresses(customer: index)
                var actual: [(RRType, String)] = [(.a, "\(v4)")]
                if let v6 { actual.append((.aaaa, "\(v6)")) }
                for (type, value) in actual {
                    let served = zone.rrset(at: customer.hostname, type: type)?.rdatas.map { "\($0)" } ?? []
                    if !served.contains(value) {
                        let host = "\(customer.hostname)"
                        wrong.append(RestoreReport.WrongHost(
                            host: host, type: "\(type)", served: served, actual: value, updater: fleet.config.name,
                            lostByRestore: lostValues.contains("\(host) \(type) \(value)")))
                    }
                }
            }
        }
        return wrong
    }

    /// The restore's "an hour later" look at the hosts served wrong, now.
    mutating func checkLater(restore index: Int, _ simulator: Simulator<ClusterHost>) {
        report.restores[index].laterAt = simulator.now
        report.restores[index].wrongLater = wrongHosts(simulator, lost: report.restores[index].lostUpdates)
    }

    /// After the run: each restore's recovery time (every nameserver serving the restored serials)
    /// and the checks whose hour did not come before the end.
    mutating func finishRestores(_ simulator: Simulator<ClusterHost>) {
        for check in laterChecks { checkLater(restore: check.restore, simulator) }
        laterChecks = []
        for index in report.restores.indices where report.restores[index].snapshot != nil {
            let restore = report.restores[index]
            var recovered: Instant? = restore.at
            for secondary in secondaryIndexes {
                let applied = simulator.host.secondaries[secondary].applied
                for zone in restore.serials {
                    let reached = applied.first { entry in
                        entry.at >= restore.at && "\(entry.zone)" == zone.zone
                            && !SerialNumber(entry.serial).isLess(than: SerialNumber(zone.served))
                    }
                    recovered = reached.flatMap { reached in recovered.map { max($0, reached.at) } }
                }
            }
            report.restores[index].recovery = recovered.map { $0 - (restore.faultAt ?? restore.at) }
        }
    }
}
