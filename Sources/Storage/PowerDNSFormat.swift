import DNSWire

/// One row of PowerDNS's `records` table (the `id` and `domain_id` columns aside).
///
/// A row with a nil `type` is an empty non-terminal, as `pdnsutil rectify-zone` writes them
/// (generic-sql.rst): it owns no data but tells PowerDNS that names exist below it.
public struct PowerDNSRecord: Hashable, Sendable {
    /// The owner, lowercase, without the trailing dot ("." for the root).
    public var name: String
    /// The type mnemonic (`TYPEnnn` for types without one); nil for an empty non-terminal.
    public var type: String?
    /// RDATA in PowerDNS's presentation, priority removed for MX and SRV; nil for an empty non-terminal.
    public var content: String?
    /// The record's TTL; nil for an empty non-terminal.
    public var ttl: UInt32?
    /// MX preference or SRV priority; 0 for other types, as `GSQLBackend::feedRecord` writes it.
    public var prio: Int64?
    /// Hidden from DNS (but kept for the API); a disabled SOA disables the whole zone.
    public var disabled: Bool
    /// DNSSEC order name; always nil here (we do not sign, and PowerDNS ignores it unsigned).
    public var ordername: String?
    /// False for delegation NS records, glue and anything else below a zone cut.
    public var auth: Bool

    /// A row with every column given; `disabled` and `ordername` default as PowerDNS writes them.
    public init(
        name: String, type: String?, content: String?, ttl: UInt32?, prio: Int64?, disabled: Bool = false,
        ordername: String? = nil, auth: Bool
    ) {
        self.name = name
        self.type = type
        self.content = content
        self.ttl = ttl
        self.prio = prio
        self.disabled = disabled
        self.ordername = ordername
        self.auth = auth
    }

    /// True for an empty non-terminal row.
    public var isEmptyNonTerminal: Bool { type == nil }
}

/// How PowerDNS writes DNS data into SQL, and back.
///
/// - Names: `DNSName::makeLowerCase().toStringRootDot()` (pdns/ssql.hh): lowercase, no trailing
///   dot, the root as ".".
/// - Content: the RDATA's presentation with every embedded name (NS, CNAME, PTR, SOA MNAME and
///   RNAME, MX exchange, SRV and SVCB targets, NSEC next name, RRSIG signer) without its trailing
///   dot, as `getZoneRepresentation(noDot: true)` prints it; the case of those names is kept. The
///   rest is our RDATA presentation (`RData+Text.swift`), which PowerDNS parses, except SvcParams
///   whose values PowerDNS wants unquoted (`svcParamText`).
/// - MX and SRV: the leading priority goes to `prio`, the rest to `content`
///   (`GSQLBackend::feedRecord`); every other type gets prio 0.
public enum PowerDNSFormat {
    /// The form of `name` in `domains.name` and `records.name`.
    public static func storedName(_ name: DNSName) -> String {
        undotted(name.lowercased)
    }

    /// A name as PowerDNS prints names inside content: no trailing dot, the root as ".".
    public static func undotted(_ name: DNSName) -> String {
        name.isRoot ? "." : String(name.description.dropLast())
    }

    /// Reads a stored name; names are always absolute (a trailing dot is accepted too).
    public static func name(fromStored text: String) -> DNSName? {
        if let name = plainName(text.utf8) { return name }
        return try? DNSName(parsing: text, origin: .root)
    }

    /// The fast path of loading (a million owners per zone load): a name without escapes goes
    /// straight to wire form. Nil sends the text to the full parser (escapes, the root, errors).
    static func plainName(_ text: String.UTF8View) -> DNSName? {
        var wire: [UInt8] = [0]
        wire.reserveCapacity(text.count + 2)
        var labelStart = 0
        for byte in text {
            switch byte {
            case UInt8(ascii: "\\"): return nil
            case UInt8(ascii: "."):
                let length = wire.count - labelStart - 1
                guard length > 0, length <= DNSName.maxLabelLength else { return nil }
                wire[labelStart] = UInt8(length)
                labelStart = wire.count
                wire.append(0)
            default:
                wire.append(byte)
            }
        }
        let last = wire.count - labelStart - 1
        // "", a trailing dot or an overlong label: the full parser decides.
        guard last > 0, last <= DNSName.maxLabelLength else { return nil }
        wire[labelStart] = UInt8(last)
        wire.append(0)
        return try? DNSName(wire: wire)
    }

    /// `content` and `prio` of a record's RDATA.
    public static func content(of rdata: RData) -> (content: String, prio: Int64) {
        switch rdata {
        case .ns(let name), .cname(let name), .ptr(let name): return (undotted(name), 0)
        case .soa(let soa):
            return ("\(undotted(soa.mname)) \(undotted(soa.rname)) \(soa.serial) \(soa.refresh) \(soa.retry) "
                + "\(soa.expire) \(soa.minimum)", 0)
        case .mx(let preference, let exchange): return (undotted(exchange), Int64(preference))
        case .srv(let srv): return ("\(srv.weight) \(srv.port) \(undotted(srv.target))", Int64(srv.priority))
        case .svcb(let svcb), .https(let svcb):
            let params = svcb.params.sorted { $0.key < $1.key }.map(svcParamText)
            return (([String(svcb.priority), undotted(svcb.target)] + params).joined(separator: " "), 0)
        case .nsec(let nsec):
            return (([undotted(nsec.next)] + nsec.types.map(\.description)).joined(separator: " "), 0)
        case .rrsig(let sig):
            let text = "\(sig.typeCovered) \(sig.algorithm) \(sig.labels) \(sig.originalTTL) "
                + "\(TextEncoding.signatureTime(sig.expiration)) \(TextEncoding.signatureTime(sig.inception)) "
                + "\(sig.keyTag) \(undotted(sig.signer)) \(TextEncoding.base64(sig.signature))"
            return (text, 0)
        default:
            return (rdata.description, 0)
        }
    }

    /// A SvcParam as PowerDNS 4.7 parses it: mandatory, port, ipv4hint, ech and ipv6hint unquoted
    /// (its parser wants digits right after `port=`), alpn quoted as RFC 9460 Appendix A shows it.
    /// Keys PowerDNS 4.7 does not know (dohpath and later) keep our presentation.
    static func svcParamText(_ param: SVCParam) -> String {
        let text = param.description
        guard [0, 3, 4, 5, 6].contains(param.key), let equals = text.firstIndex(of: "=") else { return text }
        let value = text[text.index(after: equals)...]
        guard value.count >= 2, value.first == "\"", value.last == "\"" else { return text }
        let bare = value.dropFirst().dropLast()
        guard !bare.contains(where: { $0 == " " || $0 == "\"" || $0 == "\\" }) else { return text }
        return String(text[..<equals]) + "=" + bare
    }

    /// The RDATA of a row: the inverse of `content(of:)`. Names without a trailing dot are absolute.
    public static func rdata(type: RRType, content: String, prio: Int64) throws(RDataParseError) -> RData {
        switch type {
        case .a:
            // The common case of a DynDNS zone, without the tokenizer.
            if let address = IPv4Address(content) { return .a(address) }
        case .aaaa:
            if let address = IPv6Address(content) { return .aaaa(address) }
        case .mx, .srv:
            return try RData(type: type, text: "\(prio) \(content)", origin: .root)
        default:
            break
        }
        return try RData(type: type, text: content, origin: .root)
    }

    /// The row of one record of a zone.
    public static func row(for record: ResourceRecord, auth: Bool, disabled: Bool = false) -> PowerDNSRecord {
        let (content, prio) = content(of: record.rdata)
        return PowerDNSRecord(name: storedName(record.name), type: record.type.description, content: content,
                              ttl: record.ttl, prio: prio, disabled: disabled, auth: auth)
    }

    /// The row of an empty non-terminal (what `pdnsutil rectify-zone` inserts).
    public static func emptyNonTerminalRow(_ name: DNSName, auth: Bool) -> PowerDNSRecord {
        PowerDNSRecord(name: storedName(name), type: nil, content: nil, ttl: nil, prio: nil, auth: auth)
    }

    /// The owner name of a `records` row.
    static func owner(_ text: String, rowID: Int64) throws(StorageError) -> DNSName {
        guard let owner = name(fromStored: text) else {
            throw .invalidRow(RowProblem(table: "records", rowID: rowID, reason: "name '\(text)' is not a domain name"))
        }
        return owner
    }

    /// The record of a row; nil for an empty non-terminal. `rowID` only names the row in errors.
    public static func record(from row: PowerDNSRecord, rowID: Int64 = 0) throws(StorageError) -> ResourceRecord? {
        try record(from: row, owner: owner(row.name, rowID: rowID), rowID: rowID)
    }

    /// The record of a row whose owner name is already parsed.
    static func record(from row: PowerDNSRecord, owner: DNSName, rowID: Int64) throws(StorageError) -> ResourceRecord? {
        guard let typeText = row.type else { return nil }
        guard let type = RRType(mnemonic: typeText) else {
            throw .invalidRow(RowProblem(table: "records", rowID: rowID, reason: "unknown type '\(typeText)'"))
        }
        return try record(owner: owner, type: type, content: row.content, ttl: row.ttl, prio: row.prio, rowID: rowID)
    }

    /// The record of a row's columns, owner and type already parsed.
    static func record(
        owner: DNSName, type: RRType, content: String?, ttl: UInt32?, prio: Int64?, rowID: Int64
    ) throws(StorageError) -> ResourceRecord {
        func problem(_ reason: String) -> StorageError {
            .invalidRow(RowProblem(table: "records", rowID: rowID, reason: reason))
        }
        guard let content else { throw problem("\(type) without content") }
        guard let ttl else { throw problem("\(type) without ttl") }
        do {
            let rdata = try rdata(type: type, content: content, prio: prio ?? 0)
            return ResourceRecord(name: owner, ttl: ttl, rdata: rdata)
        } catch {
            throw problem("\(type) content '\(content)': \(error)")
        }
    }
}
