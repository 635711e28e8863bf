import DNSWire
import HTTPTypes
import HTTPWire
import Hummingbird
import NIOCore
import SimNet

/// A request context that keeps the client's address (the web server judges clients by address).
struct LiveRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress ?? source.channel.parent?.remoteAddress
    }
}

/// The web server's HTTP front: Hummingbird parses HTTP; each request goes to the `WebNode` as
/// HTTP/1.1 bytes on a connection of its own and its answer comes back the same way. `/metrics`
/// is answered here, from the nodes' counters.
struct WebResponder: HTTPResponder {
    typealias Context = LiveRequestContext
    let network: LiveNetwork
    let node: NodeID
    /// Largest request body handed to the web server (its own limit is below).
    static let bodyLimit = 1 << 20

    func respond(to request: Request, context: Context) async throws -> Response {
        let network = network
        if request.uri.path == "/metrics" && request.method == .get {
            let text = try await network.loop.submit { network.metricsText() }.get()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        var request = request
        let body = try await request.collectBody(upTo: Self.bodyLimit)
        let bytes = Self.serialize(request.head, body: body)
        let node = node
        let peer = context.remoteAddress
        do {
            let answer = try await network.loop.flatSubmit {
                network.counters.httpRequests += 1
                return network.exchange(node: node, peer: peer, localPort: 443, bytes: bytes, timeout: .seconds(10))
            }.get()
            var parser = HTTPResponseParser()
            parser.append(answer)
            guard let response = try parser.nextResponse() else { throw LiveError.closedUnanswered }
            return Self.response(response)
        } catch {
            _ = try? await network.loop.submit { network.counters.exchangeFailures += 1 }.get()
            return Response(status: .badGateway, headers: [.contentType: "text/plain"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: "no answer from the web server: \(error)\n")))
        }
    }

    /// The request as HTTP/1.1 bytes: request line, Host, the client's headers (without framing
    /// headers: the body is whole), Content-Length.
    static func serialize(_ head: HTTPRequest, body: ByteBuffer) -> [UInt8] {
        var text = "\(head.method.rawValue) \(head.path ?? "/") HTTP/1.1\r\n"
        if let authority = head.authority { text += "Host: \(authority)\r\n" }
        for field in head.headerFields {
            switch field.name.canonicalName {
            case "content-length", "transfer-encoding", "connection": continue
            default:
                if head.authority != nil && field.name.canonicalName == "host" { continue }
                text += "\(field.name.rawName): \(field.value)\r\n"
            }
        }
        if body.readableBytes > 0 || head.method == .post || head.method == .put || head.method == .patch {
            text += "Content-Length: \(body.readableBytes)\r\n"
        }
        text += "\r\n"
        return Array(text.utf8) + Array(body.readableBytesView)
    }

    /// The web server's answer as a Hummingbird response (framing headers are Hummingbird's).
    static func response(_ response: HTTPWire.HTTPResponse) -> Response {
        var fields = HTTPFields()
        for header in response.headers {
            guard let name = HTTPField.Name(header.name) else { continue }
            switch name.canonicalName {
            case "content-length", "transfer-encoding", "connection": continue
            default: fields.append(HTTPField(name: name, value: header.value))
            }
        }
        return Response(status: HTTPTypes.HTTPResponse.Status(code: response.status, reasonPhrase: response.reason),
                        headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: response.body)))
    }
}

/// A balancer's DoH frontend (RFC 8484) over HTTP/2 or HTTP/1.1: `/dns-query` by GET (`dns=`,
/// base64url) or POST (`application/dns-message`). The DNS message goes to the `BalancerNode` on
/// its port 443, as a connection of its own; its answer is the response body.
struct DoHResponder: HTTPResponder {
    typealias Context = LiveRequestContext
    let network: LiveNetwork
    let node: NodeID
    static let path = "/dns-query"
    static let mediaType = "application/dns-message"

    func respond(to request: Request, context: Context) async throws -> Response {
        guard request.uri.path == Self.path else { return Self.plain(.notFound, "use \(Self.path)\n") }
        let query: [UInt8]
        switch request.method {
        case .get:
            guard let value = request.uri.queryParameters.get("dns"), let bytes = Self.base64URLDecode(value) else {
                return Self.plain(.badRequest, "missing or invalid dns parameter\n")
            }
            query = bytes
        case .post:
            guard request.headers[.contentType]?.lowercased().hasPrefix(Self.mediaType) == true else {
                return Self.plain(.unsupportedMediaType, "content type must be \(Self.mediaType)\n")
            }
            var request = request
            query = Array(try await request.collectBody(upTo: 65_535).readableBytesView)
        default:
            return Response(status: .methodNotAllowed, headers: [.allow: "GET, POST"])
        }
        guard query.count >= 12 else { return Self.plain(.badRequest, "not a DNS message\n") }
        let network = network
        let node = node
        let peer = context.remoteAddress
        let answer: [UInt8]
        do {
            answer = try await network.loop.flatSubmit {
                network.counters.dohQueries += 1
                return network.exchange(node: node, peer: peer, localPort: 443, bytes: query, timeout: .seconds(5))
            }.get()
        } catch {
            _ = try? await network.loop.submit { network.counters.exchangeFailures += 1 }.get()
            return Self.plain(.badGateway, "no answer: \(error)\n")
        }
        var headers: HTTPFields = [.contentType: Self.mediaType]
        headers[.cacheControl] = "max-age=\(Self.freshness(answer))"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer)))
    }

    /// RFC 8484 §5.1: the smallest TTL of the answer's records (0 when it has none or does not decode).
    static func freshness(_ answer: [UInt8]) -> UInt32 {
        guard let message = try? Message(wire: answer) else { return 0 }
        let records = message.answers + message.authority
        return records.map { $0.ttl }.min() ?? 0
    }

    /// base64url without padding (RFC 4648 §5), as RFC 8484 §4.1 sends it.
    static func base64URLDecode(_ text: String) -> [UInt8]? {
        var standard = String(text.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        while standard.utf8.count % 4 != 0 { standard += "=" }
        return Base64.decode(standard)
    }

    static func plain(_ status: HTTPTypes.HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
