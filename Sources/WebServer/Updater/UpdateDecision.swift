import Determinism
import DNSWire
import DNSZone
import Storage

/// What deciding an update needs from the database, read in one read transaction before deciding
/// (STYLE.md §2: read, decide, commit).
struct UpdateSnapshot {
    /// The authenticated token.
    var scope: TokenScope
    /// Accepted requests of the account today (the daily budget's count).
    var requestsToday: Int
    /// The hosts the request targets, in request order (praefix applied, derived when not named).
    var hosts: [HostSnapshot]
}

/// One targeted host as stored.
struct HostSnapshot {
    var name: DNSName
    /// The customer domain it lies in, nil if none (not one of ours).
    var domain: CustomerDomain?
    var records: HostRecords
    /// The AAAA RRsets of the whole domain, read only for a prefix update.
    var domainAAAA: [RRset]
}

/// The decided answer for one host.
struct HostAnswer {
    var host: DNSName
    var code: UpdateCode
    var domain: CustomerDomain?
    /// The RRsets the host's request confirmed or set (for `acknowledged` and the log).
    var confirmed: [RRset]
    /// The text after the code in the answer line (`good 192.0.2.1`).
    var shown: String
}

/// A decided request: answers per host and the zone changes to commit, grouped by zone in order of
/// first appearance. No zone is listed without an accepted host in it.
struct UpdatePlan {
    var answers: [HostAnswer]
    var changes: [(zone: DNSName, edits: [ZoneChange.Edit])]

    /// Whether any host was accepted (then the request is committed and counted).
    var isAccepted: Bool { answers.contains { $0.code.isSuccess } }

    /// The accepted answers, each host once (a host named twice is logged and acknowledged once).
    var acceptedOnce: [HostAnswer] {
        var seen: [DNSName] = []
        return answers.filter { answer in
            guard answer.code.isSuccess, !seen.contains(answer.host) else { return false }
            seen.append(answer.host)
            return true
        }
    }
}

enum UpdateDecision {
    /// The hosts a request targets: the named ones (or the `token=` host inadyn sends, or the
    /// token's own record or domain), each with the `praefix` labels put before it.
    static func targets(_ update: DynUpdate, scope: TokenScope) -> [DNSName] {
        var bases = update.hostnames
        if bases.isEmpty, let hinted = update.hostFromToken { bases = [hinted] }
        if bases.isEmpty {
            if scope.kind == .record, update.praefix == nil, let record = scope.recordName {
                bases = [record]
            } else if let domain = scope.domain?.name {
                bases = [domain]
            }
        }
        guard let praefix = update.praefix else { return bases }
        return bases.compactMap { base in try? DNSName(labels: praefix + base.labels.map(Array.init)) }
    }

    /// Decides every host of the request. Pure: the snapshot, the abuse state and the config in,
    /// the answers and edits out.
    static func decide(_ update: DynUpdate, snapshot: UpdateSnapshot, abuse: AbuseTracker, config: WebServerConfig,
                       now: Instant) -> UpdatePlan {
        var plan = UpdatePlan(answers: [], changes: [])
        let explicitV6Owners = update.ipv6 != nil && !update.onlyPrefix ? snapshot.hosts.map(\.name) : []
        var prefixedDomains: [Int64] = []
        for (index, host) in snapshot.hosts.enumerated() {
            if let first = snapshot.hosts[..<index].firstIndex(where: { $0.name == host.name }) {
                plan.answers.append(plan.answers[first])  // the same host twice: the same answer
                continue
            }
            var prefixTargets: [RRset] = []
            if update.prefix != nil, let domain = host.domain, !prefixedDomains.contains(domain.id) {
                prefixTargets = host.domainAAAA.filter { rrset in
                    !explicitV6Owners.contains(rrset.owner)
                        && snapshot.scope.permits(owner: rrset.owner, type: .aaaa, in: domain)
                }
            }
            let (answer, edits) = decideHost(update, host: host, prefixTargets: prefixTargets,
                                             scope: snapshot.scope, abuse: abuse, config: config, now: now)
            plan.answers.append(answer)
            guard answer.code.isSuccess, let domain = answer.domain else { continue }
            prefixedDomains.append(domain.id)
            if let slot = plan.changes.firstIndex(where: { $0.zone == domain.zone }) {
                plan.changes[slot].edits += edits
            } else {
                plan.changes.append((domain.zone, edits))
            }
        }
        assert(plan.answers.count == snapshot.hosts.count, "one answer per targeted host")
        return plan
    }

    static func decideHost(_ update: DynUpdate, host: HostSnapshot, prefixTargets: [RRset], scope: TokenScope,
                           abuse: AbuseTracker, config: WebServerConfig, now: Instant)
        -> (HostAnswer, [ZoneChange.Edit])
    {
        func refused(_ code: UpdateCode) -> (HostAnswer, [ZoneChange.Edit]) {
            (HostAnswer(host: host.name, code: code, domain: host.domain, confirmed: [], shown: ""), [])
        }
        guard host.name.labelCount >= 2 else { return refused(.notfqdn) }
        guard let domain = host.domain else { return refused(.nohost) }
        var wanted: [RRset] = []
        if !update.onlyPrefix {
            if let v4 = update.ipv4 {
                wanted.append(RRset(owner: host.name, type: .a, ttl: host.records.a?.ttl ?? config.recordTTL,
                                    rdatas: [.a(v4)]))
            }
            if let v6 = update.ipv6 {
                wanted.append(RRset(owner: host.name, type: .aaaa, ttl: host.records.aaaa?.ttl ?? config.recordTTL,
                                    rdatas: [.aaaa(v6)]))
            }
        }
        let permitted = wanted.isEmpty
            ? scope.permits(owner: host.name, type: .aaaa, in: domain)
            : wanted.allSatisfy { scope.permits(owner: $0.owner, type: $0.type, in: domain) }
        guard permitted else { return refused(.nohost) }
        if abuse.isBlocked(host.name, now: now) { return refused(.abuse) }
        if host.records.hasCNAME && !wanted.isEmpty { return refused(.dnserr) }
        var edits: [ZoneChange.Edit] = []
        for rrset in wanted where !sameData(rrset, rrset.type == .a ? host.records.a : host.records.aaaa) {
            edits.append(.replace(rrset))
        }
        var confirmed = wanted
        if let prefix = update.prefix {
            for old in prefixTargets {
                let moved = RRset(owner: old.owner, type: .aaaa, ttl: old.ttl,
                                  rdatas: old.rdatas.compactMap { rdata -> RData? in
                                      guard case .aaaa(let address) = rdata else { return nil }
                                      return .aaaa(prefix.applied(to: address))
                                  })
                if !sameData(moved, old) { edits.append(.replace(moved)) }
                confirmed.append(moved)
            }
        }
        let answer = HostAnswer(host: host.name, code: edits.isEmpty ? .nochg : .good, domain: domain,
                                confirmed: confirmed, shown: shownValues(host.name, confirmed, update.prefix))
        return (answer, edits)
    }

    /// Same TTL and the same set of RDATAs (RFC 2181 §5: order does not matter).
    static func sameData(_ new: RRset, _ old: RRset?) -> Bool {
        guard let old else { return false }
        return old.ttl == new.ttl && Set(old.rdatas) == Set(new.rdatas)
    }

    /// The addresses now at the host (A first, then AAAA), or the prefix when only other names
    /// of the domain were touched.
    static func shownValues(_ host: DNSName, _ confirmed: [RRset], _ prefix: IPv6Prefix?) -> String {
        let atHost = confirmed.filter { $0.owner == host }.sorted { $0.type < $1.type }
        let texts = atHost.flatMap { $0.rdatas.map(RData.addressText) }
        if texts.isEmpty, let prefix { return prefix.description }
        return texts.joined(separator: ",")
    }
}

extension RData {
    /// The address of an A or AAAA RDATA as text.
    static func addressText(_ rdata: RData) -> String {
        switch rdata {
        case .a(let address): address.description
        case .aaaa(let address): address.description
        default: ""
        }
    }
}
