import DNSWire
import Determinism
import Traffic

/// Drives an `UpdaterFleet` by hand: wakes it at its deadlines and plays the network and the web
/// server with zero latency — a connection opens (or is refused) at once, and each request is
/// answered by `reply` in the same instant.
struct FleetHarness {
    enum Reply {
        /// An HTTP response with this status and body.
        case respond(Int, String)
        /// The server closes the connection without answering.
        case close
        /// No answer at all (the client's timeout ends it).
        case silent
    }

    struct Seen {
        var at: Instant
        var text: String
        var client: UInt32
        var server: Int
    }

    var fleet: UpdaterFleet
    var reply: (String) -> Reply = { _ in .respond(200, "good 192.0.2.1") }
    /// Servers that refuse connections.
    var refusing: Set<Int> = []
    /// Every action in order, with the instant it was returned.
    var log: [(Instant, UpdaterFleet.Action)] = []
    /// Every request that reached a server.
    var seen: [Seen] = []
    /// False: keep no log and no request texts (for runs that only look at the fleet's records).
    var recording = true
    private var connections: [UInt64: (client: UInt32, server: Int)] = [:]

    init(_ config: UpdaterFleetConfig, seed: UInt64 = 1) {
        fleet = UpdaterFleet(config: config, seed: seed)
    }

    /// Runs every deadline up to and including `end`.
    mutating func run(until end: Instant) {
        while let next = fleet.nextDeadline, next <= end {
            var actions: [UpdaterFleet.Action] = []
            fleet.wake(now: next, actions: &actions)
            process(actions, now: next)
        }
    }

    private mutating func process(_ initial: [UpdaterFleet.Action], now: Instant) {
        var queue = initial
        var index = 0
        while index < queue.count {
            let action = queue[index]
            index += 1
            if recording { log.append((now, action)) }
            var output: [UpdaterFleet.Action] = []
            switch action {
            case .connectTCP(let client, let server, let tag):
                if refusing.contains(server) {
                    fleet.tcpClosed(tag: tag, now: now, actions: &output)
                } else {
                    connections[tag] = (client, server)
                    fleet.tcpConnected(tag: tag, now: now, actions: &output)
                }
            case .sendTCP(let tag, let bytes):
                let text = recording ? String(decoding: bytes, as: UTF8.self) : ""
                let connection = connections[tag]!
                if recording { seen.append(Seen(at: now, text: text, client: connection.client, server: connection.server)) }
                switch reply(text) {
                case .respond(let status, let body):
                    fleet.tcpReceived(Self.response(status, body), tag: tag, now: now, actions: &output)
                case .close:
                    fleet.tcpClosed(tag: tag, now: now, actions: &output)
                case .silent:
                    break
                }
            case .closeTCP(let tag):
                connections[tag] = nil
            }
            queue += output
        }
    }

    static func response(_ status: Int, _ body: String) -> [UInt8] {
        let reason = status == 200 ? "OK" : "Status"
        let text = "HTTP/1.1 \(status) \(reason)\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Connection: close\r\n\r\n\(body)"
        return Array(text.utf8)
    }
}

enum FleetFixtures {
    static let epoch: UInt64 = 1_700_000_000  // 2023-11-14 22:13:20 UTC: not a midnight
    static let hour: Int64 = 3_600

    static func pool(_ count: Int) -> [IPv4Address] {
        (0..<count).map { IPv4Address(UInt32(0x0A00_0001) + UInt32($0)) }  // 10.0.0.1 upwards
    }

    static func customer(_ index: Int, model: Int = 0, v6: Bool = false) -> UpdaterCustomer {
        UpdaterCustomer(
            hostname: DNSName("host\(index).home64.de.")!, token: "tok\(index)", login: "user\(index)", model: model,
            addressIndex: UInt32(index),
            v6Prefix: v6 ? IPv6Address(high: 0x2001_0db8_0001_0000 | UInt64(index), low: 0) : nil,
            v6InterfaceID: 0x1)
    }

    static func config(customers: [UpdaterCustomer], models: [UpdaterModel], changes: [IPChangeProcess] = [],
                       poolSize: Int? = nil, servers: Int = 1, hours: Int64 = 2, synced: Bool = true,
                       epoch: UInt64 = FleetFixtures.epoch) -> UpdaterFleetConfig {
        UpdaterFleetConfig(
            name: "test", customers: customers, models: models, ipChanges: changes,
            addressPool: pool(poolSize ?? customers.count * 4 + 16),
            v6PrefixPool: V6PrefixPool(base: IPv6Address("2001:db8:ff00::")!, prefixLength: 40), servers: servers,
            startAt: .zero, stopAt: Instant(nanoseconds: UInt64(hours * hour) * 1_000_000_000), hostHeader: "ipv64.net",
            epochSeconds: epoch, cachesStartSynced: synced)
    }

    static func seconds(_ value: Int64) -> Instant { Instant(nanoseconds: UInt64(value) * 1_000_000_000) }
}
