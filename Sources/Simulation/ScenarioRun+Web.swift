import DNSWire
import DNSZone
import Determinism
import Reports
import Scenario
import SimNet
import Storage
import Traffic
import WebServer

/// The web section of the report: what the clients saw, what the server committed, how long each
/// address change took to reach every nameserver, and whether any acknowledged update was lost.
extension ScenarioRun {
    func addWeb(to report: inout RunReport, _ simulator: Simulator<ClusterHost>, _ built: BuiltCluster, store: ZoneStore?) {
        guard let (name, _) = built.web, let web = simulator.host.webs.first else { return }
        var section = WebReport(server: name)
        section.committed = UInt64(web.commits.count)
        section.crashes = UInt64(web.crashes)
        section.pushesUnacknowledged = UInt64(web.controlsAbandoned)
        section.groupCommits = UInt64(web.groups)
        section.lostWaiting = UInt64(web.requestsLostWaiting)
        section.rejectedByReason = Self.reasons(web.rejections)
        let served = servedSerials(simulator)
        let zone = scenario.webPart.customers?.zone ?? .root
        let acknowledged = Self.acknowledgedByHost(web, zone: zone)
        let ttl = UInt64(scenario.webPart.customers?.ttl ?? 60) * 1_000_000_000
        for (index, node) in simulator.host.updaters.enumerated() {
            let fleet = node.fleet
            let model = scenario.webPart.updaters.indices.contains(index) ? scenario.webPart.updaters[index].model.rawValue : "?"
            var population = WebReport.Updaters(name: fleet.config.name, model: model)
            for request in fleet.requests where request.answeredAt != nil {
                population.requests += 1
                section.requests += 1
                switch request.code {
                case "good": population.accepted += 1
                case "nochg": population.unchanged += 1
                case "network", "timeout": population.failed += 1
                default:
                    if let status = request.status, (500...599).contains(status) { population.failed += 1 } else { population.rejected += 1 }
                }
                if let answered = request.answeredAt, request.status != nil {
                    section.apiLatency.record(UInt64((answered - request.sentAt).nanoseconds))
                }
            }
            population.exited = UInt64(fleet.config.customers.indices.filter { fleet.hasExited(customer: $0) }.count)
            population.ipChanges = UInt64(fleet.ipChanges.count)
            for change in fleet.ipChanges {
                let host = fleet.config.customers[change.customer].hostname
                var wanted: [(RRType, String)] = []
                if change.newV4 != change.oldV4 { wanted.append((.a, "\(change.newV4)")) }
                if let v6 = change.newV6, change.newV6 != change.oldV6 { wanted.append((.aaaa, "\(v6)")) }
                for (type, value) in wanted {
                    if let reached = reachable(host: host, type: type, value: value, after: change.at, acknowledged, served) {
                        let gap = UInt64((reached - change.at).nanoseconds)
                        population.gap.record(gap)
                        section.gap.record(gap)
                        section.gapWithTTL.record(gap + ttl)
                    } else {
                        population.unresolved += 1
                        section.unresolved += 1
                    }
                }
            }
            section.accepted += population.accepted
            section.unchanged += population.unchanged
            section.rejected += population.rejected
            section.failed += population.failed
            section.updaters.append(population)
        }
        if let store {
            let integrity = (try? store.integrityCheck()) ?? ["unreadable"]
            section.integrityErrors = integrity == ["ok"] ? 0 : UInt64(integrity.count)
            section.lost = lostUpdates(simulator, acknowledged, store: store)
        }
        report.web = section
    }

    static func reasons(_ counts: [String: Int]) -> [(reason: String, count: UInt64)] {
        var other = 0
        for (reason, count) in counts where !ReportFigure.rejectionReasons.contains(reason) { other += count }
        return ReportFigure.rejectionReasons.map { reason in
            (reason, UInt64(reason == "other" ? other + counts["other", default: 0] : counts[reason, default: 0]))
        }
    }

    struct Ack {
        var value: String
        var serial: UInt32
        var zone: DNSName
        var at: Instant
    }

    struct HostKey: Hashable {
        var host: DNSName
        var type: RRType
    }

    static func acknowledgedByHost(_ web: WebNode, zone: DNSName) -> [HostKey: [Ack]] {
        var result: [HostKey: [Ack]] = [:]
        for (update, at) in web.acknowledged {
            result[HostKey(host: update.hostname, type: update.type), default: []]
                .append(Ack(value: "\(update.value)", serial: update.serial, zone: zone, at: at))
        }
        return result
    }

    /// For each nameserver that serves changes (primaries and secondaries), when each serial of
    /// each zone became servable, in time order.
    func servedSerials(_ simulator: Simulator<ClusterHost>) -> [[(zone: DNSName, serial: UInt32, at: Instant)]] {
        simulator.host.primaries.map(\.commits) + simulator.host.secondaries.map(\.applied)
    }

    /// When every nameserver first served a serial holding `value` for `host`, committed after `after`.
    func reachable(host: DNSName, type: RRType, value: String, after: Instant, _ acknowledged: [HostKey: [Ack]],
                   _ served: [[(zone: DNSName, serial: UInt32, at: Instant)]]) -> Instant? {
        guard let ack = acknowledged[HostKey(host: host, type: type)]?.first(where: { $0.at >= after && $0.value == value })
        else { return nil }
        var latest = ack.at
        for history in served {
            var low = 0
            var high = history.count
            while low < high {
                let middle = (low + high) / 2
                if history[middle].at < ack.at { low = middle + 1 } else { high = middle }
            }
            guard let entry = history[low...].first(where: { entry in
                entry.zone == ack.zone && !SerialNumber(entry.serial).isLess(than: SerialNumber(ack.serial))
            }) else { return nil }
            latest = max(latest, entry.at)
        }
        return latest
    }

    /// Updates a client saw acknowledged that the database does not hold at the end, with no later
    /// commit for the host that explains it (a commit the server made but could not answer).
    func lostUpdates(_ simulator: Simulator<ClusterHost>, _ acknowledged: [HostKey: [Ack]], store: ZoneStore)
        -> [WebReport.LostUpdate]
    {
        var lost: [WebReport.LostUpdate] = []
        var zones: [DNSName: Zone] = [:]
        for node in simulator.host.updaters {
            let fleet = node.fleet
            var last: [HostKey: (value: String, at: Instant)] = [:]
            var order: [HostKey] = []
            for request in fleet.requests where request.status == 200 && (request.code == "good" || request.code == "nochg") {
                guard let answered = request.answeredAt else { continue }
                let host = fleet.config.customers[request.customer].hostname
                var values: [(RRType, String)] = []
                if let v4 = request.v4 { values.append((.a, "\(v4)")) }
                if let v6 = request.v6 { values.append((.aaaa, "\(v6)")) }
                for (type, value) in values {
                    let key = HostKey(host: host, type: type)
                    if last[key] == nil { order.append(key) }
                    last[key] = (value, answered)
                }
            }
            for key in order {
                guard let (value, at) = last[key] else { continue }
                let server = acknowledged[key] ?? []
                guard let final = server.last else {
                    lost.append(WebReport.LostUpdate(host: "\(key.host)", value: value, acknowledgedAt: at))
                    continue
                }
                if zones[final.zone] == nil { zones[final.zone] = (try? store.loadZone(final.zone)) ?? nil }
                let stored = zones[final.zone]?.rrset(at: key.host, type: key.type)?.rdatas.map { "\($0)" } ?? []
                let explained = server.contains { $0.value == value && $0.at <= at }
                if !explained || !stored.contains(final.value) {
                    lost.append(WebReport.LostUpdate(host: "\(key.host)", value: value, acknowledgedAt: at))
                }
            }
        }
        return lost
    }
}
