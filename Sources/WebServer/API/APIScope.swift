import DNSWire

/// What a token may do through the REST API and see on the dashboard (docs/openapi.yaml, "Scope
/// of a token"):
///
/// | kind      | reads                                      | writes                                  |
/// |-----------|--------------------------------------------|-----------------------------------------|
/// | `api`     | everything of its account                  | domains, RRsets, tokens                 |
/// | `account` | everything of its account except tokens    | RRsets of every domain of the account   |
/// | `domain`  | its domain, its RRsets, its log rows       | RRsets of its domain                    |
/// | `record`  | its domain, its record's RRset, its rows   | its record's RRset (owner and type)     |
///
/// A domain of another account is "not found" (404), as if it did not exist; anything of the own
/// account outside the scope is "forbidden" (403).
extension TokenScope {
    /// API keys and account tokens act on the whole account.
    var isAccountWide: Bool { kind == .api || kind == .account }

    /// Only API keys create and delete domains and manage tokens.
    var managesAccount: Bool { kind == .api }

    /// Whether `domain` is part of the token's view (its account, and its own domain when scoped).
    func sees(_ domain: CustomerDomain) -> Bool {
        guard domain.accountID == account.id else { return false }
        return isAccountWide || self.domain?.id == domain.id
    }

    /// Whether the token may read the `type` RRset at `owner` of `domain` (one it `sees`).
    func mayRead(owner: DNSName, type: RRType, in domain: CustomerDomain) -> Bool {
        guard sees(domain), owner.isSubdomain(of: domain.name) else { return false }
        guard kind == .record else { return true }
        return recordName == owner && recordType == type
    }

    /// Whether the token may change the `type` RRset at `owner` of `domain`: the same as reading
    /// (every kind that may read an RRset through the API may write it).
    func mayWrite(owner: DNSName, type: RRType, in domain: CustomerDomain) -> Bool {
        mayRead(owner: owner, type: type, in: domain)
    }

    /// The stored host name (lowercase, no trailing dot) a record token's log rows carry.
    var recordHostname: String? {
        recordName.map(APINames.text)
    }
}
