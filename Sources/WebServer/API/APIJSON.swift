import DNSWire
import DNSZone
import HTTPWire

/// The JSON documents of the REST API (docs/openapi.yaml `components/schemas`), members in the
/// documented order.
enum APIJSON {
    /// `Domain`: name, zone, current addresses at the domain itself, last update, creation.
    static func domain(_ summary: DomainSummary, addresses: HostRecords, lastUpdate: Int64?) -> JSON {
        let ipv4 = addresses.a.map { $0.rdatas.map { JSON.string($0.description) } } ?? []
        let ipv6 = addresses.aaaa.map { $0.rdatas.map { JSON.string($0.description) } } ?? []
        return .object(JSONObject(pairs: [
            ("name", .string(APINames.text(summary.domain.name))),
            ("zone", .string(APINames.text(summary.domain.zone))),
            ("ipv4", .array(ipv4)),
            ("ipv6", .array(ipv6)),
            ("last_update", time(lastUpdate)),
            ("created", time(summary.created)),
        ]))
    }

    /// `RRset`: subname, full name, type, TTL and the records in presentation form.
    static func rrset(_ rrset: RRset, in domain: DNSName) -> JSON {
        .object(JSONObject(pairs: [
            ("subname", .string(APINames.subname(of: rrset.owner, in: domain))),
            ("name", .string(rrset.owner.lowercased.description)),
            ("type", .string(rrset.type.description)),
            ("ttl", .integer(Int64(rrset.ttl))),
            ("records", .array(rrset.rdatas.map { .string($0.description) })),
        ]))
    }

    /// `Token` (and `TokenCreated` with `secret`).
    static func token(_ row: TokenRow, secret: String? = nil) -> JSON {
        var subname: JSON = .null
        if let record = row.recordName, let domain = row.domainName, record.isSubdomain(of: domain) {
            subname = .string(APINames.subname(of: record, in: domain))
        }
        var pairs: [(String, JSON)] = [
            ("id", .integer(row.id)),
            ("kind", .string(row.kind.rawValue)),
            ("domain", row.domainName.map { .string(APINames.text($0)) } ?? .null),
            ("subname", subname),
            ("type", row.recordType.map(JSON.string) ?? .null),
            ("created", time(row.created)),
            ("last_used", time(row.lastUsed)),
        ]
        if let secret { pairs.append(("secret", .string(secret))) }
        return .object(JSONObject(pairs: pairs))
    }

    /// `LogEntry`.
    static func log(_ entry: UpdateLogEntry, domain: String?) -> JSON {
        .object(JSONObject(pairs: [
            ("id", .integer(entry.id)),
            ("time", time(entry.unixSeconds)),
            ("domain", domain.map(JSON.string) ?? .null),
            ("hostname", .string(entry.hostname)),
            ("dialect", .string(entry.dialect)),
            ("result", .string(entry.result)),
            ("content", .string(entry.content)),
            ("client", .string(entry.peer)),
            ("serial", .integer(Int64(entry.serial))),
        ]))
    }

    /// An RFC 3339 time, or null.
    static func time(_ unixSeconds: Int64?) -> JSON {
        unixSeconds.map { .string(APITime.timestamp(unixSeconds: $0)) } ?? .null
    }
}
