import DNSWire
import GRDB
import HTTPWire
import Storage

/// `/domains` and `/domains/{domain}`.
extension RESTAPI {
    /// GET /domains: the domains the token sees, canonical order.
    func listDomains(_ context: APIContext) throws(APIError) -> APIReply {
        let scope = context.scope
        let documents = try Self.read(context.store) { db in
            try WebStore.domainSummaries(ofAccount: scope.account.id, in: db)
                .filter { scope.sees($0.domain) }
                .map { summary in try Self.domainDocument(summary, in: db) }
        }
        return APIReply(response: .json(status: 200, .array(documents)))
    }

    /// GET /domains/{domain}.
    func getDomain(_ text: String, _ context: APIContext) throws(APIError) -> APIReply {
        let document = try Self.read(context.store) { db in
            let domain = try Self.resolve(domain: text, scope: context.scope, in: db)
            guard let summary = try WebStore.domainSummaries(ofAccount: domain.accountID, in: db)
                .first(where: { $0.domain.id == domain.id })
            else { throw APIError.notFound("no domain \(APIError.quote(text)) in this account") }
            return try Self.domainDocument(summary, in: db)
        }
        return APIReply(response: .json(status: 200, document))
    }

    /// POST /domains: a new domain one label below a provider zone (API keys only).
    func createDomain(_ context: APIContext) throws(APIError) -> APIReply {
        guard context.scope.managesAccount else {
            throw APIError.forbidden("only an API key may create domains")
        }
        let body = try APIRequestBody(context.request, known: ["name"])
        let name = try APINames.domain(try body.string("name"), field: "name")
        guard let zone = context.server.providerZones.first(where: { name.isSubdomain(of: $0) && name != $0 }),
              name.labelCount == zone.labelCount + 1
        else {
            let zones = context.server.providerZones.map(APINames.text).joined(separator: ", ")
            throw APIError.unprocessable("a domain is one label below one of the provider's zones: \(zones)")
        }
        let account = context.scope.account
        let limit = config.domainLimit(ofClass: account.accountClass)
        let (document, result) = try Self.write(context.store) { db in
            let owned = try WebStore.domains(ofAccount: account.id, in: db).count
            guard owned < limit else {
                throw APIError(status: 403, code: .limitReached,
                               "the account owns \(owned) domains; its class allows \(limit)")
            }
            let zoneID = try WebStore.zoneID(of: zone, in: db)
            guard try !WebStore.isNameTaken(name, zoneID: zoneID, in: db) else {
                throw APIError.conflict("the name \(APIError.quote(APINames.text(name))) is taken")
            }
            let id = try WebStore.createDomain(name, accountID: account.id, zone: zone,
                                               unixSeconds: context.unixSeconds, in: db)
            let domain = CustomerDomain(id: id, accountID: account.id, name: name, zoneID: zoneID, zone: zone)
            let result = try context.store.zones.apply(ZoneChange([]), to: zone, now: context.now,
                                                       epoch: context.server.epochSeconds, in: db)
            try Self.log(context, domain: domain, hostname: name, content: "domain created", result: result, in: db)
            let summary = DomainSummary(domain: domain, created: context.unixSeconds)
            return (try Self.domainDocument(summary, in: db), result)
        }
        assert(!result.changed, "creating a domain writes no records")
        return APIReply(response: .json(status: 201, document))
    }

    /// DELETE /domains/{domain}: every RRset at or below it, its tokens and its row (API keys only).
    func deleteDomain(_ text: String, _ context: APIContext) throws(APIError) -> APIReply {
        let scope = context.scope
        let (result, owners) = try Self.write(context.store) { db in
            let domain = try Self.resolve(domain: text, scope: scope, in: db)
            guard scope.managesAccount else { throw APIError.forbidden("only an API key may delete domains") }
            let rrsets = try WebStore.rrsets(in: domain, in: db)
            let edits = rrsets.map { ZoneChange.Edit.delete(owner: $0.owner, type: $0.type) }
            let result = try context.store.zones.apply(ZoneChange(edits), to: domain.zone, now: context.now,
                                                       epoch: context.server.epochSeconds, in: db)
            try Self.log(context, domain: domain, hostname: domain.name, content: "domain deleted", result: result,
                         in: db)
            try WebStore.deleteDomainRow(id: domain.id, in: db)
            return (result, Self.uniqueOwners(rrsets.map(\.owner)))
        }
        return APIReply(response: HTTPResponse(status: 204, reason: "No Content"),
                        committed: result.changed ? [result] : [], purgeNames: result.changed ? owners : [])
    }

    // MARK: Shared

    /// The domain named `text` in the token's view: 400 for a bad name, 404 when no domain of the
    /// account has it, 403 when the token is scoped to another domain of the account.
    static func resolve(domain text: String, scope: TokenScope, in db: Database) throws -> CustomerDomain {
        let name = try APINames.domain(text)
        guard let domain = try WebStore.domain(named: name, in: db), domain.accountID == scope.account.id else {
            throw APIError.notFound("no domain \(APIError.quote(text)) in this account")
        }
        guard scope.sees(domain) else {
            throw APIError.forbidden("this key is limited to another domain of the account")
        }
        return domain
    }

    static func domainDocument(_ summary: DomainSummary, in db: Database) throws -> JSON {
        let addresses = try WebStore.addresses(at: summary.domain.name, zoneID: summary.domain.zoneID, in: db)
        let last = try WebStore.lastUpdate(ofDomain: summary.domain.id, in: db)
        return APIJSON.domain(summary, addresses: addresses, lastUpdate: last)
    }

    /// Appends the update-log row of an API write (dialect `api`; `good` when the zone changed,
    /// else `nochg`) and marks the token used, inside the write transaction.
    static func log(_ context: APIContext, domain: CustomerDomain, hostname: DNSName, content: String,
                    result: ChangeResult, in db: Database) throws {
        let agent = context.request.header("User-Agent").map { String($0.prefix(255)) }
        let entry = UpdateLogEntry(
            accountID: domain.accountID, domainID: domain.id, unixSeconds: context.unixSeconds,
            virtualNanoseconds: context.now.nanoseconds, peer: context.peer.description, dialect: "api",
            userAgent: agent, hostname: APINames.text(hostname), result: result.changed ? "good" : "nochg",
            content: String(content.prefix(255)), serial: result.newSerial)
        try WebStore.insertLog(entry, in: db)
        try WebStore.touchToken(id: context.scope.tokenID, unixSeconds: context.unixSeconds, in: db)
    }

    /// `names` without repeats, first occurrence kept.
    static func uniqueOwners(_ names: [DNSName]) -> [DNSName] {
        var seen: Set<DNSName> = []  // membership only
        return names.filter { seen.insert($0).inserted }
    }
}

extension WebStore {
    /// `domains.id` of a provider zone (`StorageError.zoneNotFound` when missing).
    static func zoneID(of zone: DNSName, in db: Database) throws -> Int64 {
        let statement = try db.cachedStatement(sql: "SELECT id FROM domains WHERE name = ?")
        guard let id = try Int64.fetchOne(statement, arguments: [PowerDNSFormat.storedName(zone)]) else {
            throw StorageError.zoneNotFound(zone)
        }
        return id
    }
}
