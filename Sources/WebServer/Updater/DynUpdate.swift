import DNSWire
import HTTPWire

/// Which protocol an updater request speaks: decides the status codes of the answer.
public enum UpdateDialect: String, Sendable, Hashable {
    /// Classic dyndns2 (`/nic/update` with Basic auth and `hostname`): protocol answers with HTTP 200.
    case dyndns2
    /// IPv64's updater: 401 for a bad token, 400 for bad input, 429 for limits.
    case ipv64
}

/// How the answer body is written.
enum UpdateFormat: Hashable {
    /// dyndns2 lines, one per host.
    case text
    /// `{"info": …, "status": …}` (IPv64 `update.php`).
    case json
    /// `output=min`: `ok` or the failure's code word.
    case minimal
}

/// A parsed updater request (a dyndns2 `DynUpdate`): what it asks for, before the database is read.
struct DynUpdate: Hashable {
    var dialect: UpdateDialect
    var format: UpdateFormat
    /// Candidate secrets, in order of preference (Bearer, `key`, Basic password, Basic user,
    /// `token`, `pass`/`password`, `user`/`username`); the first that matches a token wins.
    var secrets: [String]
    /// Host names in request order (may be empty: derived from a domain or record token).
    var hostnames: [DNSName]
    /// A `token=` value that is a host name below a provider zone (inadyn sends `token=<HOSTNAME>`
    /// with the real token in Basic auth): used as the host when no host is named otherwise.
    var hostFromToken: DNSName?
    /// Labels put before each host (`praefix`/`prefix`).
    var praefix: [[UInt8]]?
    var ipv4: IPv4Address?
    var ipv6: IPv6Address?
    /// `ipv6prefix`/`ip6lanprefix`.
    var prefix: IPv6Prefix?
    /// `onlyprefix`: change only the prefix of existing AAAA records, not the addresses.
    var onlyPrefix: Bool
    /// True when the address came from the connection's peer (no address given).
    var addressFromPeer: Bool
    var userAgent: String?

    /// At most this many candidate secrets are looked up per request.
    static let maxSecrets = 6
}

/// Parameter names, lowercased; aliases of one parameter share a group.
enum UpdateParameter {
    static let hostnames = ["hostname", "domain", "host", "domains"]
    static let anyAddress = ["myip", "ip"]
    static let ipv4Only = ["ipv4", "ip4", "myipv4"]
    static let ipv6Only = ["myipv6", "ip6", "ipv6", "myip6"]
    static let praefix = ["praefix", "prefix"]
    static let prefix6 = ["ipv6prefix", "ip6lanprefix"]
    /// Parameters only IPv64 clients send: their presence makes `/nic/update` IPv64-style.
    static let ipv64Only: Set<String> = [
        "key", "token", "domain", "host", "domains", "ip", "ipv4", "ip4", "ip6", "ipv6", "myip6", "praefix",
        "prefix", "ipv6prefix", "ip6lanprefix", "onlyprefix", "output",
    ]
}

extension DynUpdate {
    /// Parses a request to an updater path. `forcedDialect` is set for `/update` and `/update.php`;
    /// on `/nic/update` a Bearer credential or an IPv64-only parameter makes the request IPv64-style.
    /// Throws a refusal for bad input; nothing here reads the database.
    static func parse(_ request: HTTPRequest, peer: IPAddress, forcedDialect: UpdateDialect?, json: Bool,
                      config: WebServerConfig) throws(UpdateRefusal) -> DynUpdate {
        let items: [FormItem]
        do {
            items = request.query + (request.method == "POST" ? try request.bodyFormItems() : [])
        } catch {
            throw UpdateRefusal(.badrequest, error.reason)
        }
        let params = ParameterSet(items)
        let credentials = request.credentials
        let dialect = forcedDialect ?? Self.dialect(credentials: credentials, parameterNames: params.names)
        let minimal = try params.single(["output"])?.lowercased() == "min"
        var update = DynUpdate(
            dialect: dialect, format: minimal ? .minimal : (json ? .json : .text),
            secrets: secrets(credentials, params), hostnames: [], hostFromToken: nil, praefix: nil, ipv4: nil,
            ipv6: nil, prefix: nil, onlyPrefix: false, addressFromPeer: false,
            userAgent: request.header("User-Agent"))
        try update.readHosts(params, config: config)
        try update.readAddresses(params, peer: peer, config: config)
        return update
    }

    /// IPv64-style when a Bearer credential or an IPv64-only parameter is present, else dyndns2.
    static func dialect(credentials: [HTTPCredentials], parameterNames: [String]) -> UpdateDialect {
        let hasBearer = credentials.contains { if case .bearer = $0 { true } else { false } }
        return hasBearer || parameterNames.contains { UpdateParameter.ipv64Only.contains($0) } ? .ipv64 : .dyndns2
    }

    /// The dialect of a request whose parameters may not parse (for the status of its refusal).
    static func dialect(of request: HTTPRequest, forcedDialect: UpdateDialect?) -> UpdateDialect {
        if let forcedDialect { return forcedDialect }
        let body = (try? request.bodyFormItems()) ?? []
        return dialect(credentials: request.credentials, parameterNames: ParameterSet(request.query + body).names)
    }

    static func secrets(_ credentials: [HTTPCredentials], _ params: ParameterSet) -> [String] {
        var found: [String] = []
        func add(_ value: String) {
            let trimmed = value.trimmingSpaces
            if !trimmed.isEmpty && !found.contains(trimmed) && found.count < maxSecrets { found.append(trimmed) }
        }
        for case .bearer(let token) in credentials { add(token) }
        params.values(["key"]).forEach(add)
        for case .basic(let user, let password) in credentials {
            add(password)
            add(user)
        }
        params.values(["token"]).forEach(add)
        params.values(["pass", "password", "apikey"]).forEach(add)
        params.values(["user", "username"]).forEach(add)
        return found
    }

    mutating func readHosts(_ params: ParameterSet, config: WebServerConfig) throws(UpdateRefusal) {
        if let list = try params.single(UpdateParameter.hostnames) {
            for piece in list.split(separator: ",", omittingEmptySubsequences: false) {
                let text = piece.trimmingSpaces
                guard let name = HostnameSyntax.parse(text[...]) else {
                    throw UpdateRefusal(.notfqdn, "host name is not valid")
                }
                hostnames.append(name)
            }
        }
        if let text = try params.single(UpdateParameter.praefix) {
            guard let labels = HostnameSyntax.parsePrefix(text[...]) else {
                throw UpdateRefusal(.notfqdn, "praefix is not a valid label")
            }
            praefix = labels
        }
        for value in params.values(["token"]) {
            if let name = HostnameSyntax.parse(value[...]),
               config.providerZones.contains(where: { name.isSubdomain(of: $0) }) {
                hostFromToken = name
            }
        }
        let count = max(hostnames.count, 1)
        guard count <= config.maxHostsPerRequest else {
            throw UpdateRefusal(.numhost, "at most \(config.maxHostsPerRequest) hosts per request")
        }
        if let flag = params.values(["onlyprefix"]).first?.lowercased() {
            onlyPrefix = !["0", "false", "no", "off"].contains(flag)
        }
    }

    mutating func readAddresses(_ params: ParameterSet, peer: IPAddress, config: WebServerConfig)
        throws(UpdateRefusal)
    {
        var v4: [IPv4Address] = []
        var v6: [IPv6Address] = []
        func take(_ names: [String], allowV4: Bool, allowV6: Bool) throws(UpdateRefusal) {
            for value in params.values(names) {
                for piece in value.split(separator: ",", omittingEmptySubsequences: true) {
                    let text = piece.trimmingSpaces
                    if text.isEmpty { continue }
                    guard let address = IPAddress(text) else { throw UpdateRefusal(.badip, "not an address") }
                    switch address {
                    case .v4(let a) where allowV4: if !v4.contains(a) { v4.append(a) }
                    case .v6(let a) where allowV6: if !v6.contains(a) { v6.append(a) }
                    default: throw UpdateRefusal(.badip, "address of the wrong family")
                    }
                    try Self.check(address, config: config)
                }
            }
        }
        try take(UpdateParameter.anyAddress, allowV4: true, allowV6: true)
        try take(UpdateParameter.ipv4Only, allowV4: true, allowV6: false)
        try take(UpdateParameter.ipv6Only, allowV4: false, allowV6: true)
        guard v4.count <= 1, v6.count <= 1 else {
            throw UpdateRefusal(.badrequest, "conflicting addresses of one family")
        }
        (ipv4, ipv6) = (v4.first, v6.first)
        if let text = try params.single(UpdateParameter.prefix6) {
            if text.lowercased() == "auto" {
                if case .v6(let address) = peer { prefix = IPv6Prefix(address: address, length: 64) }
            } else {
                guard let parsed = IPv6Prefix(text[...]) else { throw UpdateRefusal(.badip, "not an IPv6 prefix") }
                try Self.check(.v6(parsed.address), config: config)
                prefix = parsed
            }
        }
        if ipv4 == nil && ipv6 == nil && prefix == nil {
            try Self.check(peer, config: config)
            switch peer {
            case .v4(let address): ipv4 = address
            case .v6(let address): ipv6 = address
            }
            addressFromPeer = true
        }
    }

    static func check(_ address: IPAddress, config: WebServerConfig) throws(UpdateRefusal) {
        guard AddressPolicy.permits(address, allowPrivate: config.allowPrivateAddresses) else {
            throw UpdateRefusal(.badip, "address \(address) is not public")
        }
    }
}

/// The request's parameters by lowercased name, empty values dropped (a FRITZ!Box sends
/// `ip6=` when it has no IPv6 address).
struct ParameterSet {
    private var items: [FormItem]

    init(_ items: [FormItem]) {
        self.items = items.compactMap { item in
            let value = item.value.trimmingSpaces
            return value.isEmpty ? nil : FormItem(item.name.lowercased(), value)
        }
    }

    /// Names present, in order.
    var names: [String] { items.map(\.name) }

    /// Every value of the parameters `names`, in request order.
    func values(_ names: [String]) -> [String] {
        items.filter { names.contains($0.name) }.map(\.value)
    }

    /// The one value of a parameter and its aliases; the same value repeated is fine, different
    /// values are refused (which one the client meant is unknowable).
    func single(_ names: [String]) throws(UpdateRefusal) -> String? {
        let found = values(names)
        guard let first = found.first else { return nil }
        guard found.allSatisfy({ $0 == first }) else {
            throw UpdateRefusal(.badrequest, "conflicting values for \(names[0])")
        }
        return first
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
