import DNSWire
import HTTPTypes
import HTTPWire
import NIOCore
import NIOSSL
import Testing
@testable import LiveHost
@testable import Simulation
import SimNet

/// The adapters' translations, without sockets: DoH's base64url and freshness, the web request as
/// HTTP/1.1 bytes and the answer back, the self-signed certificate, Prometheus text.
@Suite struct LiveAdapterTests {
    @Test func dohGetParameterIsBase64URLWithoutPadding() {
        // RFC 8484 §4.1.1's example: www.example.com A, ID 0.
        let text = "AAABAAABAAAAAAAAA3d3dwdleGFtcGxlA2NvbQAAAQAB"
        let bytes = DoHResponder.base64URLDecode(text)
        #expect(bytes?.count == 33)
        #expect(bytes.flatMap { try? Message(wire: $0) }?.questions.first?.name.description == "www.example.com.")
        #expect(DoHResponder.base64URLDecode("-_8") == [0xFB, 0xFF])
        #expect(DoHResponder.base64URLDecode("not base64!") == nil)
    }

    @Test func dohFreshnessIsTheSmallestTTL() throws {
        var message = Message(id: 1)
        let name = try #require(DNSName("a.example"))
        message.answers = [
            ResourceRecord(name: name, ttl: 300, rdata: .a(IPv4Address(192, 0, 2, 1))),
            ResourceRecord(name: name, ttl: 60, rdata: .a(IPv4Address(192, 0, 2, 2))),
        ]
        #expect(DoHResponder.freshness(try message.wire()) == 60)
        #expect(DoHResponder.freshness([1, 2, 3]) == 0)
    }

    @Test func webRequestsReachTheWebServerAsHTTP11() throws {
        var head = HTTPRequest(method: .get, scheme: "http", authority: "dyn.example.net", path: "/nic/update?hostname=a&myip=1.2.3.4")
        head.headerFields[.authorization] = "Basic YTpi"
        head.headerFields[.userAgent] = "ddclient/3.10.0"
        let bytes = WebResponder.serialize(head, body: ByteBuffer())
        var parser = HTTPRequestParser()
        parser.append(bytes)
        let request = try #require(try parser.nextRequest())
        #expect(request.method == "GET")
        #expect(request.target == "/nic/update?hostname=a&myip=1.2.3.4")
        #expect(request.headers.first { $0.name.lowercased() == "host" }?.value == "dyn.example.net")
        #expect(request.headers.first { $0.name.lowercased() == "authorization" }?.value == "Basic YTpi")

        var post = HTTPRequest(method: .post, scheme: "http", authority: "h", path: "/api/v1/x")
        post.headerFields[.transferEncoding] = "chunked"
        let posted = WebResponder.serialize(post, body: ByteBuffer(string: "{\"a\":1}"))
        parser.append(posted)
        let second = try #require(try parser.nextRequest())
        #expect(second.body == Array("{\"a\":1}".utf8))
        #expect(!second.headers.contains { $0.name.lowercased() == "transfer-encoding" })
    }

    @Test func webAnswersKeepStatusHeadersAndBody() {
        let answer = HTTPWire.HTTPResponse(status: 401, reason: "Unauthorized",
                                           headers: [HTTPHeader("Content-Type", "text/plain"), HTTPHeader("Content-Length", "7"),
                                                     HTTPHeader("WWW-Authenticate", "Basic realm=\"x\"")],
                                           body: Array("badauth".utf8))
        let response = WebResponder.response(answer)
        #expect(response.status.code == 401)
        #expect(response.headers[.contentType] == "text/plain")
        #expect(response.headers[.wwwAuthenticate] == "Basic realm=\"x\"")
        // Framing is Hummingbird's: one Content-Length, from the body.
        #expect(response.headers[values: .contentLength] == ["7"])
    }

    @Test func selfSignedCertificateLoadsIntoTLS() throws {
        let (certificate, key) = try LiveCertificate.makeSelfSigned(addresses: [[127, 0, 0, 100]])
        #expect(certificate.hasPrefix("-----BEGIN CERTIFICATE-----"))
        let parsed = try NIOSSLCertificate.fromPEMBytes(Array(certificate.utf8))
        #expect(parsed.count == 1)
        _ = try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem)
    }

    @Test func portsMoveByTheOffsetOnlyWhenPrivileged() throws {
        let layout = LiveLayout(portOffset: 10_000, roles: [("ns1", .primary), ("ns2", .secondary), ("lb1", .balancer), ("www", .web)])
        #expect(layout.realPort(53) == 10_053)
        #expect(layout.realPort(853) == 10_853)
        #expect(layout.realPort(5199) == 5199)
        #expect(layout.simulatorPort(10_443) == 443)
        #expect(layout.addresses.map(\.ip.description) == ["127.0.0.10", "127.0.0.11", "127.0.0.100", "127.0.0.200"])
        #expect(layout.node(at: IPv4Address(127, 0, 0, 100)) == NodeID(2))
        #expect(layout.node(at: IPv4Address(127, 0, 0, 1)) == nil)
    }
}
