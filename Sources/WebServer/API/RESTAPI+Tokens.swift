import DNSWire
import GRDB
import HTTPWire
import Storage

/// `/tokens` and `/tokens/{id}`: API keys manage the account's tokens. A new token's secret is
/// drawn from `RESTAPIConfig.secretSeed` and a label naming the account, the instant and a
/// sequence number (deterministic per run, STYLE.md §4.2); it appears once, in the 201 response,
/// and only its SHA-256 is stored (`TokenSecret`).
extension RESTAPI {
    /// GET /tokens: the account's tokens, oldest first, without secrets.
    func listTokens(_ context: APIContext) throws(APIError) -> APIReply {
        try Self.requireManager(context.scope)
        let account = context.scope.account.id
        let rows = try Self.read(context.store) { db in try WebStore.tokens(ofAccount: account, in: db) }
        return APIReply(response: .json(status: 200, .array(rows.map { APIJSON.token($0) })))
    }

    /// POST /tokens: a `domain`, `record` or `api` token.
    mutating func createToken(_ context: APIContext) throws(APIError) -> APIReply {
        try Self.requireManager(context.scope)
        let body = try APIRequestBody(context.request, known: ["kind", "domain", "subname", "type"])
        let kindText = try body.string("kind")
        guard let kind = TokenKind(rawValue: kindText), kind != .account else {
            throw APIError.invalidField("kind", "\(APIError.quote(kindText)) is not one of domain, record, api")
        }
        let needsDomain = kind != .api
        let isRecord = kind == .record
        for (field, allowed) in [("domain", needsDomain), ("subname", isRecord), ("type", isRecord)] {
            if body.has(field) != allowed {
                throw APIError.invalidField(field, allowed ? "is required for a \(kind.rawValue) key"
                                                           : "is not allowed for a \(kind.rawValue) key")
            }
        }
        secretSequence += 1
        let account = context.scope.account
        let secret = TokenSecret.derive(
            seed: config.secretSeed, label: "rest-api/token/\(account.id)/\(context.now.nanoseconds)/\(secretSequence)")
        let row = try Self.write(context.store) { db in
            var domain: CustomerDomain?
            var record: (name: DNSName, type: RRType)?
            if needsDomain {
                let resolved = try Self.resolve(domain: try body.string("domain"), scope: context.scope, in: db)
                domain = resolved
                if isRecord {
                    let owner = try APINames.owner(subname: try body.string("subname"), in: resolved.name)
                    record = (owner.lowercased, try APINames.type(try body.string("type")))
                }
            }
            let id = try WebStore.createToken(
                hash: TokenSecret.hash(secret), kind: kind, accountID: account.id, domainID: domain?.id,
                record: record, unixSeconds: context.unixSeconds, in: db)
            try WebStore.touchToken(id: context.scope.tokenID, unixSeconds: context.unixSeconds, in: db)
            return TokenRow(id: id, kind: kind, domainName: domain?.name, recordName: record?.name,
                            recordType: record?.type.description, created: context.unixSeconds, lastUsed: nil)
        }
        return APIReply(response: .json(status: 201, APIJSON.token(row, secret: secret)))
    }

    /// DELETE /tokens/{id}: a token of the account (an API key may delete itself).
    func deleteToken(_ text: String, _ context: APIContext) throws(APIError) -> APIReply {
        try Self.requireManager(context.scope)
        guard let id = Int64(text), id >= 1, String(id) == text else {
            throw APIError.badRequest("a key id is a positive integer, not \(APIError.quote(text))")
        }
        let scope = context.scope
        try Self.write(context.store) { db in
            guard try WebStore.deleteToken(id: id, accountID: scope.account.id, in: db) else {
                throw APIError.notFound("no key \(id) in this account")
            }
            if id != scope.tokenID {
                try WebStore.touchToken(id: scope.tokenID, unixSeconds: context.unixSeconds, in: db)
            }
        }
        return APIReply(response: HTTPResponse(status: 204, reason: "No Content"))
    }

    static func requireManager(_ scope: TokenScope) throws(APIError) {
        guard scope.managesAccount else { throw APIError.forbidden("only an API key may manage keys") }
    }
}
