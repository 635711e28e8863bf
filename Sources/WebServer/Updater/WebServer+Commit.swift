import Determinism
import DNSWire
import DNSZone
import GRDB
import HTTPWire
import Storage

/// The commit phase: one write transaction for an accepted request, then the answer.
extension WebServer {
    mutating func commit(_ plan: UpdatePlan, update: DynUpdate, scope: TokenScope, peer: IPAddress, now: Instant)
        -> WebOutcome
    {
        let endpoint: WebEndpoint = update.dialect == .dyndns2 ? .dyndns2 : .ipv64
        let refusedHosts = plan.answers.filter { !$0.code.isSuccess }.map(\.code.rawValue)
        guard plan.isAccepted else {
            let response = UpdateResponse.answers(plan.answers, dialect: update.dialect, format: update.format)
            return WebOutcome(response: response, endpoint: endpoint, rejections: refusedHosts)
        }
        let results: [ChangeResult]
        do {
            results = try write(plan, update: update, scope: scope, peer: peer, now: now)
        } catch {
            let code: UpdateCode
            if case .invalidChange = error { code = .dnserr } else { code = .emergency }
            let detail = code == .dnserr ? "the zone refused the change" : "storage unavailable, try again later"
            return refuse(UpdateRefusal(code, detail), status: UpdateResponse.status(code, dialect: update.dialect),
                          format: update.format, endpoint: endpoint)
        }
        stats.acceptedUpdates += 1
        stats.transactions += 1
        var acknowledged: [AcknowledgedUpdate] = []
        for answer in plan.acceptedOnce {
            if answer.code == .good { stats.good += 1 } else { stats.nochg += 1 }
            abuse.record(answer.code, host: answer.host, now: now)
            let serial = Self.serial(of: answer, in: results)
            for rrset in answer.confirmed {
                for rdata in rrset.rdatas {
                    guard let value = rdata.address else { continue }
                    acknowledged.append(AcknowledgedUpdate(hostname: rrset.owner, type: rrset.type, value: value,
                                                           serial: serial))
                }
            }
        }
        let committed = results.filter(\.changed)
        let response = UpdateResponse.answers(plan.answers, dialect: update.dialect, format: update.format)
        var outcome = WebOutcome(response: response, endpoint: endpoint, committed: committed,
                                 purgeNames: Self.purgeNames(committed), acknowledged: acknowledged,
                                 rejections: refusedHosts)
        outcome.ifNotCommitted = refuse(UpdateRefusal(.emergency, "storage unavailable, try again later"),
                                        status: UpdateResponse.status(.emergency, dialect: update.dialect),
                                        format: update.format, endpoint: endpoint).response
        return outcome
    }

    /// The transaction: each zone's change (an empty change for a zone with only `nochg` hosts reads
    /// its serial and writes nothing), one log row per accepted host, the day's counters, the
    /// token's last use.
    func write(_ plan: UpdatePlan, update: DynUpdate, scope: TokenScope, peer: IPAddress, now: Instant)
        throws(StorageError) -> [ChangeResult]
    {
        let zones = store.zones
        let config = config
        let unixSeconds = config.unixSeconds(at: now)
        return try zones.writeTransaction { db in
            var results: [ChangeResult] = []
            for (zone, edits) in plan.changes {
                results.append(try zones.apply(ZoneChange(edits), to: zone, now: now, epoch: config.epochSeconds,
                                               in: db))
            }
            var counts = (good: 0, nochg: 0)
            for answer in plan.acceptedOnce {
                if answer.code == .good { counts.good += 1 } else { counts.nochg += 1 }
                let content = answer.confirmed.filter { $0.owner == answer.host }.sorted { $0.type < $1.type }
                    .flatMap { $0.rdatas.map(RData.addressText) }.joined(separator: ",")
                try WebStore.insertLog(UpdateLogEntry(
                    accountID: scope.account.id, domainID: answer.domain?.id, unixSeconds: unixSeconds,
                    virtualNanoseconds: now.nanoseconds, peer: peer.description, dialect: update.dialect.rawValue,
                    userAgent: update.userAgent.map { String($0.prefix(255)) }, hostname: answer.host.storedText,
                    result: answer.code.rawValue, content: content.isEmpty ? answer.shown : content,
                    serial: Self.serial(of: answer, in: results)), in: db)
            }
            try WebStore.countRequest(accountID: scope.account.id, day: config.day(at: now), good: counts.good,
                                      nochg: counts.nochg, in: db)
            try WebStore.touchToken(id: scope.tokenID, unixSeconds: unixSeconds, in: db)
            return results
        }
    }

    /// The serial of the answer's zone after the transaction.
    static func serial(of answer: HostAnswer, in results: [ChangeResult]) -> UInt32 {
        guard let zone = answer.domain?.zone, let result = results.first(where: { $0.zone == zone }) else {
            preconditionFailure("an accepted host's zone was part of the transaction")
        }
        return result.newSerial
    }

    /// Owners of changed records, each once, in order of the changes.
    static func purgeNames(_ results: [ChangeResult]) -> [DNSName] {
        var names: [DNSName] = []
        for result in results {
            for record in result.removed + result.added where !names.contains(record.name) {
                names.append(record.name)
            }
        }
        return names
    }
}

extension RData {
    /// The address of an A or AAAA RDATA.
    var address: IPAddress? {
        switch self {
        case .a(let address): .v4(address)
        case .aaaa(let address): .v6(address)
        default: nil
        }
    }
}

extension DNSName {
    /// The name as stored and logged: lowercase, no trailing dot.
    var storedText: String { PowerDNSFormat.storedName(self) }
}
