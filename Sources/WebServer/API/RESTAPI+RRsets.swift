import DNSWire
import DNSZone
import GRDB
import HTTPWire
import Storage

/// `/domains/{domain}/rrsets` and `/domains/{domain}/rrsets/{subname}/{type}` (deSEC's RRset API,
/// dyndns.md §3.3).
extension RESTAPI {
    /// GET …/rrsets[?subname=&type=]: the managed RRsets the token may read, canonical order.
    func listRRsets(_ text: String, _ context: APIContext) throws(APIError) -> APIReply {
        let scope = context.scope
        let filter = try Self.listFilter(context.request)
        let documents = try Self.read(context.store) { db in
            let domain = try Self.resolve(domain: text, scope: scope, in: db)
            let owner = try filter.subname.map { (subname) throws(APIError) in
                try APINames.owner(subname: subname, in: domain.name)
            }
            return try WebStore.rrsets(in: domain, in: db).filter { rrset in
                APINames.managedTypes.contains(rrset.type)
                    && scope.mayRead(owner: rrset.owner, type: rrset.type, in: domain)
                    && (owner.map { $0 == rrset.owner } ?? true) && (filter.type.map { $0 == rrset.type } ?? true)
            }.map { APIJSON.rrset($0, in: domain.name) }
        }
        return APIReply(response: .json(status: 200, .array(documents)))
    }

    /// GET …/rrsets/{subname}/{type}.
    func getRRset(_ text: String, _ subname: String, _ typeText: String, _ context: APIContext) throws(APIError)
        -> APIReply
    {
        let type = try APINames.type(typeText)
        let document = try Self.read(context.store) { db in
            let target = try Self.target(text, subname, type, context.scope, in: db)
            guard let rrset = try Self.existing(target, in: db) else { throw Self.noRRset(subname, type) }
            return APIJSON.rrset(rrset, in: target.domain.name)
        }
        return APIReply(response: .json(status: 200, document))
    }

    /// POST …/rrsets: a new RRset; 409 when one exists at that subname and type.
    func createRRset(_ text: String, _ context: APIContext) throws(APIError) -> APIReply {
        try Self.write(context.store) { db in
            let domain = try Self.resolve(domain: text, scope: context.scope, in: db)
            let body = try APIRequestBody(context.request, known: ["subname", "type", "ttl", "records"])
            let subname = try body.string("subname")
            let type = try APINames.type(try body.string("type"))
            let owner = try APINames.owner(subname: subname, in: domain.name)
            guard context.scope.mayWrite(owner: owner, type: type, in: domain) else { throw Self.outOfScope }
            let target = RRsetTarget(domain: domain, owner: owner, type: type)
            let ttl = try body.integer("ttl", in: config.ttlRange)
            let rdatas = try records(body, type: type)
            guard !rdatas.isEmpty else { throw APIError.invalidField("records", "a new RRset needs a record") }
            guard try Self.existing(target, in: db) == nil else {
                throw APIError.conflict("an RRset \(APIError.quote(subname)) \(type) exists; change it with PUT or PATCH")
            }
            let rrset = RRset(owner: owner, type: type, ttl: UInt32(ttl), rdatas: rdatas)
            return try Self.commit(target, rrset, status: 201, context, in: db)
        }
    }

    /// PUT, PATCH or DELETE …/rrsets/{subname}/{type}.
    func changeRRset(_ text: String, _ subname: String, _ typeText: String, _ context: APIContext) throws(APIError)
        -> APIReply
    {
        let type = try APINames.type(typeText)
        let method = context.request.method
        return try Self.write(context.store) { db in
            let target = try Self.target(text, subname, type, context.scope, in: db)
            let existing = try Self.existing(target, in: db)
            var ttl = existing.map { Int64($0.ttl) }
            var rdatas = existing.map { Array($0.rdatas) } ?? []
            switch method {
            case "PUT":
                let body = try APIRequestBody(context.request, known: ["ttl", "records"])
                ttl = try body.integer("ttl", in: config.ttlRange)
                rdatas = try records(body, type: type)
            case "PATCH":
                let body = try APIRequestBody(context.request, known: ["ttl", "records"])
                guard body.has("ttl") || body.has("records") else {
                    throw APIError.badRequest("a PATCH changes ttl, records or both; the body names neither")
                }
                guard existing != nil else { throw Self.noRRset(subname, type) }
                if body.has("ttl") { ttl = try body.integer("ttl", in: config.ttlRange) }
                if body.has("records") { rdatas = try records(body, type: type) }
            default:
                guard existing != nil else { throw Self.noRRset(subname, type) }
                rdatas = []
            }
            let rrset = rdatas.isEmpty ? nil : RRset(owner: target.owner, type: type, ttl: UInt32(ttl ?? 0), rdatas: rdatas)
            return try Self.commit(target, rrset, status: 200, context, in: db)
        }
    }

    // MARK: Helpers

    /// An RRset's address in a domain the token sees.
    struct RRsetTarget {
        var domain: CustomerDomain
        var owner: DNSName
        var type: RRType
    }

    static let outOfScope = APIError.forbidden("this key may not touch that RRset")

    static func noRRset(_ subname: String, _ type: RRType) -> APIError {
        APIError.notFound("no RRset \(APIError.quote(subname)) \(type) in this domain")
    }

    static func target(_ text: String, _ subname: String, _ type: RRType, _ scope: TokenScope, in db: Database) throws
        -> RRsetTarget
    {
        let domain = try resolve(domain: text, scope: scope, in: db)
        let owner = try APINames.owner(subname: subname, in: domain.name)
        guard scope.mayRead(owner: owner, type: type, in: domain) else { throw outOfScope }
        return RRsetTarget(domain: domain, owner: owner, type: type)
    }

    static func existing(_ target: RRsetTarget, in db: Database) throws -> RRset? {
        try WebStore.rrsets(at: target.owner, zoneID: target.domain.zoneID, in: db).first { $0.type == target.type }
    }

    /// The `?subname=&type=` filter of a listing.
    static func listFilter(_ request: HTTPRequest) throws(APIError) -> (subname: String?, type: RRType?) {
        var filter: (subname: String?, type: RRType?) = (nil, nil)
        for item in request.query {
            switch item.name {
            case "subname": filter.subname = item.value
            case "type": filter.type = try APINames.type(item.value)
            default: throw APIError.badRequest("unknown query parameter \(APIError.quote(item.name)); known: subname, type")
            }
        }
        return filter
    }

    /// The `records` of a body, parsed as presentation RDATA of `type` (names absolute).
    func records(_ body: APIRequestBody, type: RRType) throws(APIError) -> [RData] {
        let texts = try body.strings("records", maxCount: config.maxRecordsPerRRset, maxLength: config.maxRecordLength)
        var rdatas: [RData] = []
        for (index, text) in texts.enumerated() {
            do {
                let rdata = try RData(type: type, text: text, origin: nil)
                if !rdatas.contains(rdata) { rdatas.append(rdata) }
            } catch {
                throw APIError.invalidField("records", "entry \(index + 1) \(APIError.quote(text)) is not \(type) "
                    + "data: " + Self.explain(error))
            }
        }
        if type == .cname, rdatas.count > 1 {
            throw APIError.invalidField("records", "a CNAME RRset holds one record (RFC 2181 §10.1)")
        }
        return rdatas
    }

    /// An RDATA parse error in words. Its own description counts "tokens", a word that must not
    /// appear in an error body (`APIError`); here the pieces are called words.
    static func explain(_ error: RDataParseError) -> String {
        let what = switch error.reason {
        case .missing: "is missing"
        case .invalid: "is not valid"
        case .outOfRange: "is out of range"
        case .unexpectedToken: "is followed by unexpected text"
        case .badEscape: "is a relative name or has a bad escape (names need a trailing dot)"
        case .duplicateKey: "repeats a key"
        case .lengthMismatch: "does not match its stated length"
        case .genericFormRequired: "needs the RFC 3597 \\# form"
        }
        return "\(error.field) \(what) at word \(error.tokenIndex + 1)"
    }

    /// Writes `rrset` (nil deletes) at `target`: CNAME exclusivity (409), the zone change, the log
    /// row; 204 when the RRset is gone, else `status` with the RRset as stored.
    static func commit(_ target: RRsetTarget, _ rrset: RRset?, status: Int, _ context: APIContext, in db: Database)
        throws -> APIReply
    {
        if let rrset {
            let others = try WebStore.rrsets(at: target.owner, zoneID: target.domain.zoneID, in: db)
                .filter { $0.type != target.type }
            if rrset.type == .cname, !others.isEmpty {
                throw APIError.conflict("a CNAME cannot sit beside other data (\(others.map { "\($0.type)" }.joined(separator: ", ")))")
            }
            if others.contains(where: { $0.type == .cname }) {
                throw APIError.conflict("the name holds a CNAME, which allows no other data beside it")
            }
        }
        let edit: ZoneChange.Edit = rrset.map { .replace($0) } ?? .delete(owner: target.owner, type: target.type)
        let result = try context.store.zones.apply(ZoneChange([edit]), to: target.domain.zone, now: context.now,
                                                   epoch: context.server.epochSeconds, in: db)
        let content = "\(target.type) " + (rrset.map { $0.rdatas.map(\.description).joined(separator: " ") } ?? "deleted")
        try log(context, domain: target.domain, hostname: target.owner, content: content, result: result, in: db)
        let stored = try existing(target, in: db)
        let response: HTTPResponse = stored.map { .json(status: status, APIJSON.rrset($0, in: target.domain.name)) }
            ?? HTTPResponse(status: 204, reason: "No Content")
        return APIReply(response: response, committed: result.changed ? [result] : [],
                        purgeNames: result.changed ? [target.owner] : [])
    }
}
