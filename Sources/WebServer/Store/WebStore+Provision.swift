import Determinism
import DNSWire
import DNSZone
import GRDB
import Storage

/// A customer created by `WebServer.provision`, with its secrets in clear (only the caller — the
/// simulated clients — knows them; the database holds their hashes).
public struct ProvisionedCustomer: Sendable, Hashable {
    /// The account name, `c<index>` zero-padded.
    public var account: String
    /// The customer's domain, `c<index>.<zone>`.
    public var domain: DNSName
    /// The account update token: every domain of the account.
    public var accountToken: String
    /// The domain update token: the domain and names below it.
    public var domainToken: String
    /// The record update token of the domain's A record.
    public var recordTokenV4: String
    /// The address provisioned in the A record.
    public var ipv4: IPv4Address
    /// The address provisioned in the AAAA record, if any.
    public var ipv6: IPv6Address?

    /// A customer with every field given.
    public init(account: String, domain: DNSName, accountToken: String, domainToken: String, recordTokenV4: String,
                ipv4: IPv4Address, ipv6: IPv6Address?) {
        self.account = account
        self.domain = domain
        self.accountToken = accountToken
        self.domainToken = domainToken
        self.recordTokenV4 = recordTokenV4
        self.ipv4 = ipv4
        self.ipv6 = ipv6
    }
}

extension WebServer {
    /// Creates `addresses.count` customers under `zone`, which must be a MASTER zone of the store:
    /// account `c<i>` (class `standard`), domain `c<i>.<zone>` with an A record (and an AAAA when
    /// given) of `ttl`, an account token, a domain token and a record token for the A record.
    ///
    /// The index is zero-padded to the width of the largest index (`c0000`…`c9999`), so names sort
    /// like indexes. Indexes continue after the `c<digits>` accounts already in the store, so
    /// several calls (several provider zones) give distinct accounts: `customers[i]` of this call
    /// is account `c<existing + i>`. Secrets are `TokenSecret.derive(seed:label:)` of `seed` and a label naming the
    /// zone, the account and the kind: the same seed gives the same secrets in every process.
    /// Everything — one `ZoneStore` change for all records (one serial bump) and the `lab_` rows —
    /// is written in ONE transaction: all customers exist afterwards, or none (an account or domain
    /// that exists already fails the whole call with a constraint error).
    public static func provision(store: ZoneStore, zone: DNSName, addresses: [(IPv4Address, IPv6Address?)],
                                 ttl: UInt32, seed: UInt64, now: Instant, epochSeconds: Int64)
        throws(StorageError) -> [ProvisionedCustomer]
    {
        guard let info = try store.zone(zone) else { throw StorageError.zoneNotFound(zone) }
        guard info.kind == .master else {
            throw StorageError.invalidChange(zone: zone, problems: ["customers are provisioned in MASTER zones only"])
        }
        let existing = try store.readTransaction { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM lab_accounts WHERE name GLOB 'c[0-9]*'") ?? 0
        }
        let customers = try makeCustomers(zone: info.origin, addresses: addresses, firstIndex: existing, seed: seed)
        var edits: [ZoneChange.Edit] = []
        edits.reserveCapacity(customers.count * 2)
        for customer in customers {
            edits.append(.replace(RRset(owner: customer.domain, type: .a, ttl: ttl, rdatas: [.a(customer.ipv4)])))
            if let v6 = customer.ipv6 {
                edits.append(.replace(RRset(owner: customer.domain, type: .aaaa, ttl: ttl, rdatas: [.aaaa(v6)])))
            }
        }
        let unixSeconds = epochSeconds + Int64(now.seconds)
        try store.writeTransaction { db in
            if !edits.isEmpty {
                _ = try store.apply(ZoneChange(edits), to: info.origin, now: now, epoch: epochSeconds, in: db)
            }
            for customer in customers {
                try insertRows(customer, zone: info.origin, unixSeconds: unixSeconds, in: db)
            }
        }
        return customers
    }

    static func makeCustomers(zone: DNSName, addresses: [(IPv4Address, IPv6Address?)], firstIndex: Int,
                              seed: UInt64) throws(StorageError) -> [ProvisionedCustomer]
    {
        let width = String(max(firstIndex + addresses.count - 1, 0)).count
        var customers: [ProvisionedCustomer] = []
        customers.reserveCapacity(addresses.count)
        for (offset, (v4, v6)) in addresses.enumerated() {
            let digits = String(firstIndex + offset)
            let account = "c" + String(repeating: "0", count: width - digits.count) + digits
            let domain: DNSName
            do {
                domain = try zone.prepending(Array(account.utf8))
            } catch {
                throw StorageError.invalidChange(zone: zone, problems: ["\(account).\(zone) is too long"])
            }
            let label = "web/provision/\(PowerDNSFormat.storedName(zone))/\(account)/"
            customers.append(ProvisionedCustomer(
                account: account, domain: domain,
                accountToken: TokenSecret.derive(seed: seed, label: label + "account"),
                domainToken: TokenSecret.derive(seed: seed, label: label + "domain"),
                recordTokenV4: TokenSecret.derive(seed: seed, label: label + "record-a"), ipv4: v4, ipv6: v6))
        }
        return customers
    }

    static func insertRows(_ customer: ProvisionedCustomer, zone: DNSName, unixSeconds: Int64, in db: Database) throws {
        let accountID = try WebStore.createAccount(name: customer.account, email: nil,
                                                   accountClass: AccountClass.standard.name,
                                                   unixSeconds: unixSeconds, in: db)
        let domainID = try WebStore.createDomain(customer.domain, accountID: accountID, zone: zone,
                                                 unixSeconds: unixSeconds, in: db)
        _ = try WebStore.createToken(hash: TokenSecret.hash(customer.accountToken), kind: .account,
                                     accountID: accountID, domainID: nil, record: nil, unixSeconds: unixSeconds, in: db)
        _ = try WebStore.createToken(hash: TokenSecret.hash(customer.domainToken), kind: .domain,
                                     accountID: accountID, domainID: domainID, record: nil, unixSeconds: unixSeconds,
                                     in: db)
        _ = try WebStore.createToken(hash: TokenSecret.hash(customer.recordTokenV4), kind: .record,
                                     accountID: accountID, domainID: domainID, record: (customer.domain, .a),
                                     unixSeconds: unixSeconds, in: db)
    }
}
