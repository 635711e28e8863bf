import Determinism
import DNSWire
import DNSZone
import GRDB
import HTTPWire
import Storage

/// The updater's request path: parse, read, decide, commit, answer (see `WebServer`).
extension WebServer {
    mutating func handleUpdate(_ request: HTTPRequest, peer: IPAddress, now: Instant, forcedDialect: UpdateDialect?,
                               json: Bool) -> WebOutcome {
        let fallbackDialect = DynUpdate.dialect(of: request, forcedDialect: forcedDialect)
        let endpoint: (UpdateDialect) -> WebEndpoint = { $0 == .dyndns2 ? .dyndns2 : .ipv64 }
        guard request.method == "GET" || request.method == "POST" else {
            return refuse(UpdateRefusal(.badmethod, "use GET or POST"), status: 405, format: .text,
                          endpoint: endpoint(fallbackDialect))
        }
        let update: DynUpdate
        do {
            update = try DynUpdate.parse(request, peer: peer, forcedDialect: forcedDialect, json: json, config: config)
        } catch {
            let status = error.code == .numhost ? UpdateResponse.status(.numhost, dialect: fallbackDialect) : 400
            return refuse(error, status: status, format: json ? .json : .text, endpoint: endpoint(fallbackDialect))
        }
        let config = config  // not self: a copy of self would make the limiters' tables copy on write
        let answer = { (refusal: UpdateRefusal) -> WebOutcome in
            Self.refuse(refusal, status: UpdateResponse.status(refusal.code, dialect: update.dialect),
                        format: update.format, endpoint: endpoint(update.dialect), config: config)
        }
        if let agent = update.userAgent, isBlocked(agent) { return answer(UpdateRefusal(.badagent)) }
        let snapshot: UpdateSnapshot?
        do {
            snapshot = try read(update, now: now)
        } catch {
            return answer(UpdateRefusal(.emergency, "storage unavailable, try again later"))
        }
        guard let snapshot else { return answer(UpdateRefusal(.badauth)) }
        guard rateLimiter.admit(token: snapshot.scope.tokenID, now: now) else {
            return answer(UpdateRefusal(.ratelimit))
        }
        let limit = config.dailyLimit(ofClass: snapshot.scope.account.accountClass)
        guard snapshot.requestsToday < limit else {
            return answer(UpdateRefusal(.budget, "the daily limit of \(limit) updater requests is reached"))
        }
        guard !snapshot.hosts.isEmpty else { return answer(UpdateRefusal(.notfqdn)) }
        let plan = UpdateDecision.decide(update, snapshot: snapshot, abuse: abuse, config: config, now: now)
        return commit(plan, update: update, scope: snapshot.scope, peer: peer, now: now)
    }

    /// Whether a User-Agent is refused: present but blank, or starting with a blocked prefix.
    func isBlocked(_ agent: String) -> Bool {
        let text = agent.trimmingSpaces.lowercased()
        return text.isEmpty || blockedUserAgents.contains { !$0.isEmpty && text.hasPrefix($0.lowercased()) }
    }

    /// The read phase: the first candidate secret that names an updater token, the day's count and
    /// the targeted hosts' records, in one read transaction. Nil when no credential matches.
    func read(_ update: DynUpdate, now: Instant) throws(StorageError) -> UpdateSnapshot? {
        let hashes = update.secrets.map(TokenSecret.hash)
        let day = config.day(at: now)
        let zones = config.providerZones
        return try store.zones.readTransaction { db -> UpdateSnapshot? in
            var scope: TokenScope?
            for hash in hashes {
                if let found = try WebStore.token(hash: hash, in: db), found.kind != .api {
                    scope = found
                    break
                }
            }
            guard let scope else { return nil }
            var hosts: [HostSnapshot] = []
            var domainAAAA: [Int64: [RRset]] = [:]  // looked up only
            for name in UpdateDecision.targets(update, scope: scope) {
                let domain = try WebStore.domain(covering: name, zones: zones, in: db)
                var host = HostSnapshot(name: name, domain: domain, records: HostRecords(), domainAAAA: [])
                if let domain {
                    host.records = try WebStore.addresses(at: name, zoneID: domain.zoneID, in: db)
                    if update.prefix != nil {
                        let rrsets = try domainAAAA[domain.id] ?? WebStore.aaaaRRsets(in: domain, in: db)
                        domainAAAA[domain.id] = rrsets
                        host.domainAAAA = rrsets
                    }
                }
                hosts.append(host)
            }
            let today = try WebStore.requests(ofAccount: scope.account.id, day: day, in: db)
            return UpdateSnapshot(scope: scope, requestsToday: today, hosts: hosts)
        }
    }

    func refuse(_ refusal: UpdateRefusal, status: Int, format: UpdateFormat, endpoint: WebEndpoint) -> WebOutcome {
        Self.refuse(refusal, status: status, format: format, endpoint: endpoint, config: config)
    }

    static func refuse(_ refusal: UpdateRefusal, status: Int, format: UpdateFormat, endpoint: WebEndpoint,
                       config: WebServerConfig) -> WebOutcome {
        WebOutcome(response: UpdateResponse.refusal(refusal, status: status, format: format, config: config),
                   endpoint: endpoint, rejections: [refusal.code.rawValue])
    }
}
