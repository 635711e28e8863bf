import DNSWire
import Determinism

/// The request each model sends, byte for byte (research/dyndns.md §2.1 and §4). Substituted
/// values are not URL-escaped: hostnames and addresses need none, and the FRITZ!Box and the naive
/// scripts do not escape (a token with `&` in it breaks their URLs as it would for real).
///
/// - ddclient (curl): `GET /nic/update?hostname=<h>&myip=<v4>[,<v6>] HTTP/1.1`, Host, Basic
///   `login:token`, `User-Agent: ddclient/4.0.1`, `Accept: */*`, `Connection: close`.
/// - inadyn (`plugins/ipv64.c`, hand-built HTTP/1.0): `GET /nic/update?token=<h>&ip=<v4>` or
///   `&ip6=<v6>`, Host `ipv4.`/`ipv6.` + host, Basic `token:NO_PASSWORD_NEEDED`, its UA.
/// - FRITZ!Box: `GET /update.php?key=<token>&domain=<h>&ip=<v4>` and
///   `…&ip6=<v6>&ipv6prefix=<prefix>/64`, Host, `User-Agent: Fritz!Box DDNS/1.0.1`,
///   `Connection: close` (Basic `login:token` too when configured).
/// - cron (curl): `GET /update.php?key=<token>&domain=<h>&ip=<v4>`, Host, curl's UA and Accept,
///   `Connection: close`.
///
/// `Connection: close` marks the one request per connection; curl itself would not send it.
extension UpdaterFleet {
    func requestBytes(customer: Int, families: FleetFamilies, v4: IPv4Address, v6: IPv6Address?) -> [UInt8] {
        let settings = config.customers[customer]
        let host = Self.hostText(settings.hostname)
        let basic = "Basic " + FleetHTTP.base64(Array("\(settings.login):\(settings.token)".utf8))
        switch model(of: customer).kind {
        case .ddclient(let model):
            var myip = v4.description
            if families.contains(.v6), let v6 { myip += ",\(v6)" }
            return FleetHTTP.request(
                target: "\(model.path)?hostname=\(host)&myip=\(myip)",
                headers: [("Host", config.hostHeader), ("Authorization", basic), ("User-Agent", model.userAgent),
                          ("Accept", "*/*"), ("Connection", "close")])
        case .inadyn(let model):
            let isV6 = families == .v6
            let parameter = isV6 ? "ip6=\(v6.map(String.init(describing:)) ?? "")" : "ip=\(v4)"
            let hostHeader = model.familyHosts ? (isV6 ? "ipv6." : "ipv4.") + config.hostHeader : config.hostHeader
            let credentials = "Basic " + FleetHTTP.base64(Array("\(settings.token):\(model.password)".utf8))
            return FleetHTTP.request(
                target: "\(model.path)?token=\(host)&\(parameter)", version: "HTTP/1.0",
                headers: [("Host", hostHeader), ("Authorization", credentials), ("User-Agent", model.userAgent)])
        case .fritzbox(let model):
            var target = "\(model.path)?key=\(settings.token)&domain=\(host)"
            if families == .v6, let v6 {
                let prefix = IPv6Address(high: v6.high, low: 0)
                target += "&ip6=\(v6)&ipv6prefix=\(prefix)/64"
            } else {
                target += "&ip=\(v4)"
            }
            var headers = [("Host", config.hostHeader)]
            if model.basicAuth { headers.append(("Authorization", basic)) }
            headers += [("User-Agent", model.userAgent), ("Connection", "close")]
            return FleetHTTP.request(target: target, headers: headers)
        case .cron(let model):
            return FleetHTTP.request(
                target: "\(model.path)?key=\(settings.token)&domain=\(host)&ip=\(v4)",
                headers: [("Host", config.hostHeader), ("User-Agent", model.userAgent), ("Accept", "*/*"),
                          ("Connection", "close")])
        }
    }

    /// A hostname as clients write it: presentation form without the trailing dot.
    static func hostText(_ name: DNSName) -> String {
        let text = name.description
        return text.hasSuffix(".") && text.count > 1 ? String(text.dropLast()) : text
    }
}
