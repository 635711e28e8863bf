import DNSWire
import DNSZone
import Foundation
import HTTPWire
import HarnessTesting
import Scenario
import Testing
@testable import LiveHost

/// `ddnslab serve` in this process on loopback (ports moved up by 21000, so no root and no clash
/// with `make interop`): answers through the balancer over UDP and TCP, an update through the web
/// server seen at the balancer, metrics, a clean stop, and a restart that serves what was stored.
@Suite(.serialized) struct LiveServeTests {
    static let offset: UInt16 = 21_000
    /// How long a request may take. The HTTP side runs on Swift's cooperative threads, which the
    /// rest of the test run keeps busy (2 cores, suites in parallel): seconds, not milliseconds.
    static let patience = 30_000
    let lb1 = IPv4Address(127, 0, 0, 100)
    let web = IPv4Address(127, 0, 0, 200)

    static func options(folder: String) throws -> LiveOptions {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("scenarios/live/serve.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let scenario = try ScenarioLoader.load(yaml: text, file: path).get()
        let zoneText = try String(contentsOfFile: root.appendingPathComponent("fixtures/zones/dyn.example.zone").path, encoding: .utf8)
        let zone = try ZoneFileParser.load(zoneText, fileName: "dyn.example.zone", origin: try #require(DNSName("dyn.example"))).zone
        var options = LiveOptions(scenario: scenario, zones: try ZoneSet([zone]), dataFolder: folder)
        options.portOffset = offset
        return options
    }

    /// Runs serve until `body` returns, then cancels it; the log lines.
    static func serving(_ options: LiveOptions, _ body: () async throws -> Void) async throws -> [String] {
        let lines = LogLines()
        let stop = LiveStop()
        let task = Task { try await LiveServe.run(options, stop: stop) { lines.append($0) } }
        for _ in 0..<1200 where !lines.contains("ready") { try await Task.sleep(for: .milliseconds(50)) }
        #expect(lines.contains("ready"))
        var failure: (any Error)?
        do { try await body() } catch { failure = error }
        stop.trigger()
        try await task.value
        if let failure { throw failure }
        return lines.all
    }

    /// Runs a blocking socket exchange on a Dispatch thread: a cooperative thread blocked on a
    /// socket could be the one the server's HTTP handler waits for.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: body()) }
        }
    }

    func query(_ name: String, _ type: RRType, tcp: Bool = false) async throws -> Message? {
        let query = try Message.query(id: 7, name: try #require(DNSName(name)), type: type).wire()
        let lb1 = lb1
        let answer = await Self.blocking {
            tcp ? DNSExchange.tcp(query, v4: lb1, port: 53 + Self.offset, timeoutMs: Self.patience)
                : DNSExchange.udp(query, v4: lb1, port: 53 + Self.offset, timeoutMs: Self.patience)
        }
        return try answer.map { try Message(wire: $0) }
    }

    func get(_ target: String, authorization: String? = nil) async -> HTTPWire.HTTPResponse? {
        var text = "GET \(target) HTTP/1.1\r\nHost: dyn.example.net\r\nConnection: close\r\n"
        if let authorization { text += "Authorization: \(authorization)\r\n" }
        text += "\r\n"
        let web = web
        let request = Array(text.utf8)
        guard let bytes = await Self.blocking({ DNSExchange.http(request, v4: web, port: 80 + Self.offset, timeoutMs: Self.patience) })
        else { return nil }
        var parser = HTTPResponseParser()
        parser.append(bytes)
        return try? parser.nextResponse()
    }

    @Test func servesUpdatesStopsAndRestartsFromItsDatabases() async throws {
        let folder = try TemporaryFolder()
        let options = try Self.options(folder: folder.path)
        var token = ""
        let first = try await Self.serving(options) {
            let udp = try #require(try await query("alice.dyn.example", .a))
            #expect(udp.rcode == .noError)
            #expect(udp.answers.map { "\($0.rdata)" } == ["192.0.2.101"])
            let tcp = try #require(try await query("dyn.example", .mx, tcp: true))
            #expect(tcp.rcode == .noError && !tcp.answers.isEmpty)
            #expect(try await query("example.org", .a)?.rcode == .refused)

            let customers = try JSON.parse(try String(contentsOfFile: folder.path + "/customers.json", encoding: .utf8))
            token = try #require(customers[0]?["token"]?.stringValue)
            #expect(customers[0]?["domain"]?.stringValue == "c000.dyn.example")
            let update = try #require(await get("/update?key=\(token)&domain=c000.dyn.example&ip=203.0.113.77"))
            #expect(update.status == 200)
            #expect(String(decoding: update.body, as: UTF8.self).hasPrefix("good"))
            // The web server purges the balancers' caches and pushes to the primary: seen at once.
            var seen: [String] = []
            for _ in 0..<100 {
                seen = try await query("c000.dyn.example", .a)?.answers.map { "\($0.rdata)" } ?? []
                if seen == ["203.0.113.77"] { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(seen == ["203.0.113.77"])
            let refused = try #require(await get("/update?key=wrong&domain=c000.dyn.example&ip=203.0.113.78"))
            #expect(refused.status >= 400 || String(decoding: refused.body, as: UTF8.self).contains("badauth"))

            let metrics = String(decoding: try #require(await get("/metrics")).body, as: UTF8.self)
            #expect(metrics.contains("# TYPE ddnslab_balancer_queries_total counter"))
            #expect(metrics.contains("ddnslab_live_datagrams_send_failures_total 0"))
            #expect(metrics.contains("ddnslab_web_requests_total{web=\"www\"} 2"))
        }
        #expect(first.contains("databases closed"))
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(files.contains("ns1.sqlite3") && !files.contains("ns1.sqlite3-wal"))
        #expect(files.contains("serve.json") && files.contains("tls"))

        // A second start serves what the first one stored, and the tokens still work.
        let second = try await Self.serving(options) {
            #expect(try await query("c000.dyn.example", .a)?.answers.map { "\($0.rdata)" } == ["203.0.113.77"])
            let update = try #require(await get("/update?key=\(token)&domain=c000.dyn.example&ip=203.0.113.77"))
            #expect(String(decoding: update.body, as: UTF8.self).hasPrefix("nochg"))
        }
        #expect(!second.contains { $0.hasPrefix("made a self-signed certificate") })
    }
}

/// Log lines collected from serve's callback (any thread).
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) { lock.withLock { lines.append(line) } }
    func contains(_ line: String) -> Bool { lock.withLock { lines.contains(line) } }
    var all: [String] { lock.withLock { lines } }
}
