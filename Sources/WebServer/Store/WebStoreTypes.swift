import DNSWire
import DNSZone

/// What an update token may touch (IPv64's token model, dyndns.md §2.1).
public enum TokenKind: String, Sendable, Hashable, CaseIterable {
    /// Account update token: every domain of the account, with multi-domain requests.
    case account
    /// Domain update token: one domain and the names below it (its `praefix` labels).
    case domain
    /// Record update token: exactly one record (owner name and type).
    case record
    /// REST API key: not valid on the updater endpoints.
    case api
}

/// A customer's domain (`lab_domains`), inside a provider zone (`domains`).
public struct CustomerDomain: Sendable, Hashable {
    /// `lab_domains.id`.
    public var id: Int64
    /// The owning account, `lab_accounts.id`.
    public var accountID: Int64
    /// The domain, e.g. `c0001.dyn.example` (stored lowercase).
    public var name: DNSName
    /// `domains.id` of the provider zone that holds its records.
    public var zoneID: Int64
    /// The provider zone's origin.
    public var zone: DNSName

    /// A domain with every field given.
    public init(id: Int64, accountID: Int64, name: DNSName, zoneID: Int64, zone: DNSName) {
        self.id = id
        self.accountID = accountID
        self.name = name
        self.zoneID = zoneID
        self.zone = zone
    }
}

/// A customer account (`lab_accounts`).
public struct CustomerAccount: Sendable, Hashable {
    /// `lab_accounts.id`.
    public var id: Int64
    /// Unique account name.
    public var name: String
    /// Contact address, if any.
    public var email: String?
    /// The account class (`AccountClass.name`), which sets the daily update limit.
    public var accountClass: String
    /// Unix seconds of creation.
    public var created: Int64

    /// An account with every field given.
    public init(id: Int64, name: String, email: String?, accountClass: String, created: Int64) {
        self.id = id
        self.name = name
        self.email = email
        self.accountClass = accountClass
        self.created = created
    }
}

/// An authenticated token: who it belongs to and what it may touch.
public struct TokenScope: Sendable, Hashable {
    /// `lab_tokens.id`.
    public var tokenID: Int64
    /// The token's kind.
    public var kind: TokenKind
    /// The owning account.
    public var account: CustomerAccount
    /// The domain of a domain or record token.
    public var domain: CustomerDomain?
    /// The record of a record token: owner name (lowercase) and type.
    public var recordName: DNSName?
    /// The record type of a record token.
    public var recordType: RRType?

    /// A scope with every field given.
    public init(tokenID: Int64, kind: TokenKind, account: CustomerAccount, domain: CustomerDomain?,
                recordName: DNSName?, recordType: RRType?) {
        self.tokenID = tokenID
        self.kind = kind
        self.account = account
        self.domain = domain
        self.recordName = recordName
        self.recordType = recordType
    }

    /// Whether this token may change the `type` RRset at `owner`, which lies in `domain`.
    /// API keys may change nothing through the updater.
    public func permits(owner: DNSName, type: RRType, in domain: CustomerDomain) -> Bool {
        guard domain.accountID == account.id, owner.isSubdomain(of: domain.name) else { return false }
        switch kind {
        case .account: return true
        case .domain: return self.domain?.id == domain.id
        case .record: return self.domain?.id == domain.id && recordName == owner && recordType == type
        case .api: return false
        }
    }
}

/// One row of `lab_update_log`: an accepted update of one host.
public struct UpdateLogEntry: Sendable, Hashable {
    /// `lab_update_log.id` (0 before insertion).
    public var id: Int64
    /// The account.
    public var accountID: Int64
    /// The domain of the host.
    public var domainID: Int64?
    /// Unix seconds (scenario time).
    public var unixSeconds: Int64
    /// Virtual nanoseconds since the run's start.
    public var virtualNanoseconds: UInt64
    /// The connection's peer address.
    public var peer: String
    /// `dyndns2` or `ipv64`.
    public var dialect: String
    /// The request's User-Agent.
    public var userAgent: String?
    /// The host updated.
    public var hostname: String
    /// `good` or `nochg`.
    public var result: String
    /// The values now stored at the host, comma-separated (A first, then AAAA).
    public var content: String
    /// The zone's SOA serial after the transaction.
    public var serial: UInt32

    /// An entry with every field given.
    public init(id: Int64 = 0, accountID: Int64, domainID: Int64?, unixSeconds: Int64, virtualNanoseconds: UInt64,
                peer: String, dialect: String, userAgent: String?, hostname: String, result: String,
                content: String, serial: UInt32) {
        self.id = id
        self.accountID = accountID
        self.domainID = domainID
        self.unixSeconds = unixSeconds
        self.virtualNanoseconds = virtualNanoseconds
        self.peer = peer
        self.dialect = dialect
        self.userAgent = userAgent
        self.hostname = hostname
        self.result = result
        self.content = content
        self.serial = serial
    }
}

/// The address RRsets at one owner, as stored.
public struct HostRecords: Sendable, Hashable {
    /// The A RRset, if any.
    public var a: RRset?
    /// The AAAA RRset, if any.
    public var aaaa: RRset?
    /// Whether the owner holds a CNAME (then no address may be added there).
    public var hasCNAME: Bool

    /// Records with every field given.
    public init(a: RRset? = nil, aaaa: RRset? = nil, hasCNAME: Bool = false) {
        self.a = a
        self.aaaa = aaaa
        self.hasCNAME = hasCNAME
    }
}
