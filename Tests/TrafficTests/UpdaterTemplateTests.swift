import DNSWire
import Determinism
import Testing

@testable import Traffic

/// The request bytes of each model, byte for byte (research/dyndns.md §2.1, §4).
@Suite struct UpdaterTemplateTests {
    /// One customer with IPv6 whose client sends at once (caches not synced, or the box's start).
    private func firstRequests(_ model: UpdaterModel, count: Int = 1) -> [String] {
        var harness = FleetHarness(FleetFixtures.config(customers: [FleetFixtures.customer(0, v6: true)],
                                                        models: [model], synced: false))
        harness.run(until: FleetFixtures.seconds(600))
        return Array(harness.seen.prefix(count).map(\.text))
    }

    @Test func ddclientSendsDyndns2WithBothAddressesInMyip() {
        let texts = firstRequests(.ddclient())
        #expect(texts == [
            "GET /nic/update?hostname=host0.home64.de&myip=10.0.0.1,2001:db8:1::1 HTTP/1.1\r\n"
                + "Host: ipv64.net\r\nAuthorization: Basic dXNlcjA6dG9rMA==\r\nUser-Agent: ddclient/4.0.1\r\n"
                + "Accept: */*\r\nConnection: close\r\n\r\n",
        ])
    }

    @Test func inadynSendsTheIPv64PluginFormOnePerFamily() {
        let texts = firstRequests(.inadyn(), count: 2)
        let auth = "Authorization: Basic dG9rMDpOT19QQVNTV09SRF9ORUVERUQ=\r\n"
        let agent = "User-Agent: inadyn/2.13.0 https://github.com/troglobit/inadyn/issues\r\n\r\n"
        #expect(texts == [
            "GET /nic/update?token=host0.home64.de&ip=10.0.0.1 HTTP/1.0\r\nHost: ipv4.ipv64.net\r\n" + auth + agent,
            "GET /nic/update?token=host0.home64.de&ip6=2001:db8:1::1 HTTP/1.0\r\nHost: ipv6.ipv64.net\r\n" + auth + agent,
        ])
    }

    @Test func fritzBoxSendsTwoURLsWithoutEscaping() {
        var settings = FritzBoxSettings()
        settings.updateAtStart = true
        let texts = firstRequests(.fritzbox(settings), count: 2)
        let tail = "Host: ipv64.net\r\nUser-Agent: Fritz!Box DDNS/1.0.1\r\nConnection: close\r\n\r\n"
        #expect(texts == [
            "GET /update.php?key=tok0&domain=host0.home64.de&ip=10.0.0.1 HTTP/1.1\r\n" + tail,
            "GET /update.php?key=tok0&domain=host0.home64.de&ip6=2001:db8:1::1&ipv6prefix=2001:db8:1::/64 HTTP/1.1\r\n"
                + tail,
        ])
    }

    @Test func fritzBoxCanSendBasicCredentialsToo() {
        var settings = FritzBoxSettings()
        settings.updateAtStart = true
        settings.basicAuth = true
        let texts = firstRequests(.fritzbox(settings))
        #expect(texts.first?.contains("\r\nHost: ipv64.net\r\nAuthorization: Basic dXNlcjA6dG9rMA==\r\nUser-Agent: ") == true)
    }

    @Test func cronSendsTheNaiveUpdatePHPCall() {
        let texts = firstRequests(.cron())
        #expect(texts == [
            "GET /update.php?key=tok0&domain=host0.home64.de&ip=10.0.0.1 HTTP/1.1\r\n"
                + "Host: ipv64.net\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        ])
    }

    @Test func responseParserReadsStatusAndCutsTheBody() throws {
        let bytes = Array("HTTP/1.1 401 Unauthorized\r\nContent-Length: 7\r\n\r\nbadauth\r\nextra".utf8)
        let response = try #require(FleetHTTP.parseResponse(bytes))
        #expect(response.status == 401)
        #expect(response.reason == "Unauthorized")
        #expect(String(decoding: response.body, as: UTF8.self) == "badauth")
        #expect(FleetHTTP.parseResponse(Array("garbage\r\n\r\n".utf8)) == nil)
        #expect(UpdaterFleet.firstWord(Array("  good 10.0.0.1\nnochg".utf8)) == "good")
    }
}
