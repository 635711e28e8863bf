import ArgumentParser
import DNSWire
import Foundation
import LiveHost

/// `ddnslab serve CONFIG`: the cluster part of a scenario on real sockets (docs/live.md).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a scenario's cluster on loopback: balancers (Do53, DoT, DoH), nameservers, web server, backups.",
        discussion: """
            Nameserver i listens on 127.0.0.(10+i), balancer i on 127.0.0.(100+i) (Do53 UDP/TCP 53, DoT 853, \
            DoH 443 at /dns-query), the web server on 127.0.0.200:80 (updater endpoints, REST API, dashboard, \
            /metrics). --port-offset moves 53, 80, 443 and 853 up (no root needed). The data folder keeps the \
            SQLite databases, the TLS pair, backups, customers.json (first start) and serve.json (the endpoints); \
            a later start serves what it holds. Ctrl-C (SIGINT) or SIGTERM stops cleanly. Traffic, faults and \
            changes in the file are ignored.
            Exit status: 0 stopped cleanly, 2 invalid input, 3 could not start (an address in use, a database).
            """)

    @Argument(help: "A scenario file; its sites, nameservers, balancers, web, customers, zones and backups are used.")
    var config: String

    @Option(name: .long, help: "Data folder (default data/<scenario name>).")
    var data: String?

    @Option(name: .long, help: "Added to the privileged ports 53, 80, 443 and 853.")
    var portOffset: UInt16 = 0

    @Option(name: .long, help: "Also NOTIFY this address (IP:PORT) after each change, e.g. a PowerDNS secondary. Repeatable.")
    var notify: [String] = []

    @Option(name: .long, help: "NAME=IP:PORT: secondary NAME takes its zones from that primary instead. Repeatable.")
    var follow: [String] = []

    @Option(name: .long, help: "TLS certificate (PEM) for DoT and DoH; default: a self-signed one in the data folder.")
    var tlsCert: String?

    @Option(name: .long, help: "TLS private key (PEM) for --tls-cert.")
    var tlsKey: String?

    func run() async throws {
        let (scenario, zones) = try Run.loadScenario(config)
        var options = LiveOptions(scenario: scenario, zones: zones, dataFolder: data ?? "data/" + scenario.name)
        options.portOffset = portOffset
        options.certificate = tlsCert
        options.key = tlsKey
        if (tlsCert == nil) != (tlsKey == nil) { Run.fail("error: --tls-cert and --tls-key go together") }
        for text in notify {
            guard let (address, port) = Self.hostPort(text) else { Run.fail("error: --notify \(text): expected IP:PORT") }
            options.notify.append((address, port))
        }
        for text in follow {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let (address, port) = Self.hostPort(parts[1]) else {
                Run.fail("error: --follow \(text): expected NAME=IP:PORT")
            }
            guard scenario.nameservers.contains(where: { $0.name == parts[0] }) else {
                Run.fail("error: --follow \(text): no nameserver named \(parts[0])")
            }
            options.follow.append((parts[0], address, port))
        }
        do {
            try await LiveServe.run(options) { line in
                FileHandle.standardOutput.write(Data("ddnslab serve: \(line)\n".utf8))
            }
        } catch {
            FileHandle.standardError.write(Data("ddnslab serve: error: \(error)\n".utf8))
            throw ExitCode(Exit.internalError)
        }
    }

    /// "IP:PORT" or "[IPv6]:PORT".
    static func hostPort(_ text: String) -> (IPAddress, UInt16)? {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if let v4 = IPv4Address(host) { return (.v4(v4), port) }
        if let v6 = IPv6Address(host) { return (.v6(v6), port) }
        return nil
    }
}
