import Determinism
import DNSWire
import HTTPWire
import Storage
import Testing
@testable import WebServer

/// Bad input of every kind — host name and address syntax, the address policy, SQL injection,
/// percent-encoding, UTF-8, conflicting duplicates, sizes, methods, HTTP syntax — each answered
/// with an HTTP 4xx and a reason, writing nothing.
///
/// Mapping: bad syntax is 400 in both dialects (body `notfqdn` for a host name, `badip` for an
/// address or prefix, `badrequest` for conflicting duplicates and undecodable parameters); HTTP
/// framing errors get the parser's status (400, 413, 414, 431, 501, 505); wrong methods 405;
/// credentials that match no token 401 in the IPv64 dialect. (Well-formed names that are simply
/// not ours are protocol answers, dyndns2 `nohost`/`notfqdn` with HTTP 200: not in this table.)
@Suite struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var bytes: [UInt8]
        var testDescription: String { label }
    }

    /// c0's domain token: `Harness` provisions with seed 42.
    static let token = TokenSecret.derive(seed: 42, label: "web/provision/dyn.example/c0/domain")

    static func dyndns2(_ query: String, method: String = "GET", extraHeaders: String = "") -> [UInt8] {
        let auth = HTTPCredentials.basic(user: "c0", password: token).authorizationValue
        return Array(("\(method) /nic/update?\(query) HTTP/1.1\r\nHost: dyn.example\r\nAuthorization: \(auth)\r\n"
            + "User-Agent: test/1.0\r\n\(extraHeaders)\r\n").utf8)
    }

    static func ipv64(_ query: String) -> [UInt8] {
        Array("GET /update?key=\(token)&\(query) HTTP/1.1\r\nHost: dyn.example\r\n\r\n".utf8)
    }

    static func raw(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func post(body: [UInt8], contentType: String = "application/x-www-form-urlencoded") -> [UInt8] {
        let auth = HTTPCredentials.basic(user: "c0", password: token).authorizationValue
        return Array("POST /nic/update HTTP/1.1\r\nHost: x\r\nAuthorization: \(auth)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
    }

    static let host = "c0.dyn.example"
    static let long63 = String(repeating: "a", count: 63)
    static let sqlHost = "c0.dyn.example%27%3B%20DROP%20TABLE%20records%3B--"

    static let hostCases: [(String, String)] = [
        ("empty label", "hostname=c0..dyn.example"), ("leading dot", "hostname=.c0.dyn.example"),
        ("two trailing dots", "hostname=c0.dyn.example.."), ("leading hyphen", "hostname=-c0.dyn.example"),
        ("trailing hyphen", "hostname=c0-.dyn.example"),
        ("label of 64", "hostname=\(long63)a.c0.dyn.example"),
        ("name over 253", "hostname=" + Array(repeating: long63, count: 4).joined(separator: ".") + ".c0.dyn.example"),
        ("UTF-8 name", "hostname=b%C3%BCcher.c0.dyn.example"), ("bare xn--", "hostname=xn--.c0.dyn.example"),
        ("reserved hyphens", "hostname=ab--cd.c0.dyn.example"), ("wildcard", "hostname=*.c0.dyn.example"),
        ("underscore", "hostname=_acme.c0.dyn.example"), ("space", "hostname=c0%20.dyn.example"),
        ("slash", "hostname=c0%2Fx.dyn.example"), ("at sign", "hostname=user%40c0.dyn.example"),
        ("port", "hostname=c0.dyn.example:80"), ("empty list element", "hostname=c0.dyn.example,,www.c0.dyn.example"),
        ("trailing comma", "hostname=c0.dyn.example,"), ("SQL in hostname", "hostname=\(sqlHost)"),
        ("NUL in hostname", "hostname=c0%00.dyn.example"), ("newline in hostname", "hostname=c0.dyn.example%0A"),
        ("SQL in praefix", "hostname=\(host)&praefix=%27%20OR%201%3D1--"), ("praefix empty label", "hostname=\(host)&praefix=a..b"),
        ("praefix hyphen", "hostname=\(host)&praefix=-x"), ("praefix trailing dot", "hostname=\(host)&praefix=x."),
    ]

    static let addressCases: [(String, String)] = [
        ("octet over 255", "myip=999.1.1.1"), ("three octets", "myip=1.2.3"), ("leading zero", "myip=01.2.3.4"),
        ("v4 with prefix", "myip=192.0.2.1%2F24"), ("zone index", "myip=fe80::1%25eth0"), ("bad hex", "myip=2001:db8::g"),
        ("triple colon", "myip=:::1"), ("RFC 1918 10/8", "myip=10.0.0.1"), ("loopback", "myip=127.0.0.1"),
        ("RFC 1918 192.168", "myip=192.168.1.1"), ("RFC 1918 172.16", "myip=172.16.0.1"),
        ("link-local v4", "myip=169.254.1.1"), ("CGN", "myip=100.64.0.1"), ("multicast v4", "myip=224.0.0.1"),
        ("unspecified v4", "myip=0.0.0.0"), ("broadcast", "myip=255.255.255.255"), ("loopback v6", "myipv6=::1"),
        ("link-local v6", "myipv6=fe80::1"), ("ULA", "myipv6=fd00::1"), ("multicast v6", "myipv6=ff02::1"),
        ("unspecified v6", "myipv6=::"), ("v4-mapped", "myipv6=::ffff:192.0.2.1"), ("v4 in myipv6", "myipv6=192.0.2.1"),
        ("SQL in myip", "myip=1.2.3.4%27%20OR%20%271%27%3D%271"), ("two v4 in myip", "myip=192.0.2.1,192.0.2.2"),
        ("SQL in myipv6", "myipv6=%3B%20DELETE%20FROM%20records"),
    ].map { ($0.0, "hostname=\(host)&" + $0.1) }

    static let ipv64Cases: [(String, String)] = [
        ("v6 in ipv4", "ipv4=2001:db8::1"), ("conflicting aliases", "ip=192.0.2.1&myip=192.0.2.2"),
        ("prefix /129", "ipv6prefix=2001:db8::%2F129"), ("prefix /0", "ipv6prefix=2001:db8::%2F0"),
        ("prefix garbage", "ipv6prefix=garbage"), ("prefix link-local", "ipv6prefix=fe80::%2F64"),
        ("SQL in ip6lanprefix", "ip6lanprefix=%27%3B--"), ("conflicting output", "output=min&output=full"),
        ("SQL in domain", "domain=c0.dyn.example%27%20OR%20%271%27%3D%271"),
        ("conflicting domains", "domain=c0.dyn.example&host=www.c0.dyn.example"),
    ]

    static var cases: [Case] {
        var all: [Case] = []
        all += hostCases.map { Case(label: "dyndns2 " + $0.0, bytes: dyndns2($0.1 + "&myip=192.0.2.1")) }
        all += hostCases.prefix(8).map { Case(label: "ipv64 " + $0.0, bytes: ipv64($0.1)) }
        all += addressCases.map { Case(label: "dyndns2 " + $0.0, bytes: dyndns2($0.1)) }
        all += ipv64Cases.map { Case(label: "ipv64 " + $0.0, bytes: ipv64($0.1)) }
        all += [
            Case(label: "duplicate hostname", bytes: dyndns2("hostname=\(host)&hostname=www.\(host)")),
            Case(label: "bad percent", bytes: dyndns2("hostname=%zz")),
            Case(label: "truncated percent", bytes: dyndns2("hostname=c0%")),
            Case(label: "invalid UTF-8", bytes: dyndns2("hostname=%C3%28")),
            Case(label: "overlong UTF-8", bytes: dyndns2("hostname=\(host)&myip=%E0%80%80")),
            Case(label: "raw UTF-8 in target", bytes: dyndns2("hostname=bücher.dyn.example")),
            Case(label: "SQL in key", bytes: raw("GET /update?key=%27%20OR%20%271%27%3D%271&domain=\(host) HTTP/1.1\r\nHost: x\r\n\r\n")),
            Case(label: "SQL in Bearer", bytes: raw("GET /update?domain=\(host) HTTP/1.1\r\nAuthorization: Bearer ' OR 1=1--\r\n\r\n")),
            Case(label: "bad base64 Basic", bytes: raw("GET /update?domain=\(host) HTTP/1.1\r\nAuthorization: Basic !!!\r\n\r\n")),
            Case(label: "body over 64 KiB", bytes: post(body: Array(repeating: UInt8(ascii: "a"), count: 70_000))),
            Case(label: "header over 16 KiB", bytes: dyndns2("hostname=\(host)", extraHeaders: "X-Pad: " + String(repeating: "p", count: 17_000) + "\r\n")),
            Case(label: "101 headers", bytes: dyndns2("hostname=\(host)", extraHeaders: (0...100).map { "X-\($0): v\r\n" }.joined())),
            Case(label: "request line over 8 KiB", bytes: dyndns2("hostname=\(host)&pad=" + String(repeating: "x", count: 9_000))),
            Case(label: "bad percent in body", bytes: post(body: Array("hostname=%zz".utf8))),
            Case(label: "invalid UTF-8 in body", bytes: post(body: [0x68, 0x6F, 0x73, 0x74, 0x6E, 0x61, 0x6D, 0x65, 0x3D, 0xFF])),
            Case(label: "SQL in body", bytes: post(body: Array("hostname=c0.dyn.example';DROP TABLE lab_tokens;--".utf8))),
            Case(label: "DELETE", bytes: dyndns2("hostname=\(host)", method: "DELETE")),
            Case(label: "PUT", bytes: dyndns2("hostname=\(host)", method: "PUT")),
            Case(label: "garbage request line", bytes: raw("HELLO\r\n\r\n")),
            Case(label: "header without colon", bytes: raw("GET /nic/update HTTP/1.1\r\nHost x\r\n\r\n")),
            Case(label: "two Content-Lengths", bytes: raw("POST /nic/update HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab")),
        ]
        return all
    }

    @Test func tableHasAtLeastFiftyCases() {
        #expect(Self.cases.count >= 50)
    }

    @Test(arguments: cases)
    func refusedWithA4xxAndNothingWritten(_ badCase: Case) throws {
        var h = try Harness()
        let before = try databaseDump(h.store)
        let serial = try h.serial()
        let outcome = h.server.handle(requestBytes: badCase.bytes, peer: Harness.peer, now: .zero)
        let status = outcome.response.status
        #expect((400..<500).contains(status), "\(badCase.label): \(status) \(outcome.response.bodyText)")
        #expect(!outcome.response.bodyText.isEmpty && !outcome.rejections.isEmpty, "\(badCase.label)")
        #expect(!containsSuccessWord(outcome.response.bodyText), "\(badCase.label): \(outcome.response.bodyText)")
        #expect(outcome.committed.isEmpty && outcome.acknowledged.isEmpty && outcome.purgeNames.isEmpty)
        #expect(try databaseDump(h.store) == before, "\(badCase.label) wrote something")
        #expect(try h.serial() == serial)
    }

    /// What the server cannot speak is a 5xx from the parser (501, 505), also writing nothing.
    @Test func unsupportedProtocolFeatures() throws {
        var h = try Harness()
        let before = try databaseDump(h.store)
        let version = h.send("GET /nic/update?hostname=\(Self.host) HTTP/2.0\r\nHost: x\r\n\r\n")
        #expect(version.response.status == 505 && version.rejections == ["badhttp"])
        let coding = h.send("POST /nic/update HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n")
        #expect(coding.response.status == 501 && !containsSuccessWord(coding.response.bodyText))
        #expect(try databaseDump(h.store) == before)
    }

    /// Parameters whose values are free text or ignored (User-Agent, wildcard, mx, output) may carry
    /// any string: stored verbatim (bound parameters) or ignored, the schema intact.
    @Test func injectionInFreeTextIsStoredVerbatim() throws {
        var h = try Harness()
        let agent = "x'); DROP TABLE records; --"
        let request = try HTTPRequest.get(
            "/nic/update?hostname=c0.dyn.example&myip=192.0.2.3&wildcard=%27%3B--&mx=%27%20OR%201%3D1&backmx=NO",
            headers: [basic("c0", Self.token), HTTPHeader("User-Agent", agent)])
        let outcome = h.server.handle(request, peer: Harness.peer, now: .zero)
        #expect(outcome.response.bodyText == "good 192.0.2.3\n")
        let stored = try h.store.database.read { db in
            try String.fetchOne(db, sql: "SELECT user_agent FROM lab_update_log ORDER BY id DESC LIMIT 1")
        }
        #expect(stored == agent)
        #expect(try h.addresses("ns1.dyn.example") == ["A 192.0.2.53 3600"])
    }
}
