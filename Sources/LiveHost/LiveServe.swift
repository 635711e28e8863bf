import DNSWire
import DNSZone
import Foundation
import HTTPWire
import Hummingbird
import HummingbirdHTTP2
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import Scenario
import ServiceLifecycle
import SimNet
import Simulation
import WebServer

/// What `ddnslab serve` runs: a scenario's cluster part on this machine's loopback addresses.
public struct LiveOptions: Sendable {
    public var scenario: Scenario
    public var zones: ZoneSet
    public var dataFolder: String
    public var portOffset: UInt16 = 0
    /// Outside addresses every primary also NOTIFYs (a real PowerDNS secondary).
    public var notify: [(address: IPAddress, port: UInt16)] = []
    /// Secondaries (by name) that take their zones from an outside primary.
    public var follow: [(secondary: String, address: IPAddress, port: UInt16)] = []
    /// A TLS certificate and key (PEM) for DoT and DoH; nil: the data folder's, made on first run.
    public var certificate: String?
    public var key: String?

    public init(scenario: Scenario, zones: ZoneSet, dataFolder: String) {
        self.scenario = scenario
        self.zones = zones
        self.dataFolder = dataFolder
    }
}

/// Runs the cluster on real sockets until SIGINT or SIGTERM, then stops cleanly: listeners close
/// first, requests in flight are answered, the databases are closed (WAL checkpointed).
public enum LiveServe {
    /// `stop`: a way to stop without a signal (tests, embedding); signals work either way.
    public static func run(_ options: LiveOptions, stop: LiveStop? = nil, log: @escaping @Sendable (String) -> Void)
        async throws
    {
        let folder = options.dataFolder
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let reuse = options.scenario.nameservers.contains { spec in
            FileManager.default.fileExists(atPath: folder + "/" + spec.name + ".sqlite3")
        }
        let epochSeconds = Int64(Date().timeIntervalSince1970)
        var peers: [IPAddress] = []
        func peerIndex(_ address: IPAddress) -> Int {
            if let index = peers.firstIndex(of: address) { return index }
            peers.append(address)
            return peers.count - 1
        }
        let notify = options.notify.map { (peer: peerIndex($0.address), port: $0.port) }
        var follow: [String: (peer: Int, port: UInt16)] = [:]
        for target in options.follow { follow[target.secondary] = (peerIndex(target.address), target.port) }
        let cluster = try LiveCluster.build(
            scenario: options.scenario, zones: options.zones, dataFolder: folder, reuse: reuse, epochSeconds: epochSeconds,
            peers: peers, notify: notify, follow: follow)
        let layout = LiveLayout(cluster: cluster, portOffset: options.portOffset)
        let balancers = layout.addresses.filter { $0.role == .balancer }
        let certificate: LiveCertificate? = balancers.isEmpty ? nil : try LiveCertificate.resolve(
            certificate: options.certificate, key: options.key, dataFolder: folder,
            subjectAddresses: [[127, 0, 0, 1]] + balancers.map(\.ip.octets))
        if let certificate, certificate.made { log("made a self-signed certificate: \(certificate.certificatePath)") }
        let dot = try certificate.map { try NIOSSLContext(configuration: $0.serverConfiguration(alpn: ["dot"])) }

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let network = LiveNetwork(loop: loop, cluster: cluster, layout: layout, dotContext: dot)
        try await loop.flatSubmit { network.start() }.get()
        if let backups = try LiveBackups.open(scenario: options.scenario, cluster: cluster, folder: folder + "/backups",
                                              epochSeconds: epochSeconds) {
            try await loop.submit { network.schedule(backups, log: log) }.get()
        }
        if !cluster.customers.isEmpty { try writeCustomers(cluster.customers, to: folder + "/customers.json") }
        try Self.describe(layout, certificate: certificate, folder: folder)

        var logger = Logger(label: "ddnslab.serve")
        logger.logLevel = .warning
        var services: [any Service] = [ClusterService(network: network, log: log)]
        let expected = balancers.count + (layout.addresses.contains { $0.role == .web } ? 1 : 0)
        let running = NIOLockedValueBox(0)
        let announce: @Sendable (any Channel) async -> Void = { _ in
            let count = running.withLockedValue { value -> Int in
                value += 1
                return value
            }
            if count == expected { log("ready") }
        }
        if let web = layout.addresses.first(where: { $0.role == .web }) {
            let app = Application(
                responder: WebResponder(network: network, node: web.node), server: .http1(),
                configuration: ApplicationConfiguration(address: .hostname(web.ip.description, port: Int(layout.realPort(80))),
                                                        serverName: "ddnslab"),
                onServerRunning: announce, eventLoopGroupProvider: .shared(group), logger: logger)
            services.append(app)
        }
        for balancer in balancers {
            guard let certificate else { break }
            let tls = try certificate.serverConfiguration(alpn: ["h2", "http/1.1"])
            let app = Application(
                responder: DoHResponder(network: network, node: balancer.node), server: try .http2Upgrade(tlsConfiguration: tls),
                configuration: ApplicationConfiguration(address: .hostname(balancer.ip.description, port: Int(layout.realPort(443))),
                                                        serverName: "ddnslab"),
                onServerRunning: announce, eventLoopGroupProvider: .shared(group), logger: logger)
            services.append(app)
        }
        if expected == 0 { log("ready") }
        let serviceGroup = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        stop?.attach(serviceGroup)
        try await serviceGroup.run()
        try await group.shutdownGracefully()
        log("stopped")
    }

    /// `customers.json`: who can update what (first start only; tokens are stored hashed).
    static func writeCustomers(_ customers: [ProvisionedCustomer], to path: String) throws {
        let items: [JSON] = customers.map { customer in
            var members: [(String, JSON)] = [
                ("account", .string(customer.account)), ("domain", .string(String(customer.domain.description.dropLast(customer.domain.description.hasSuffix(".") ? 1 : 0)))),
                ("token", .string(customer.domainToken)), ("account_token", .string(customer.accountToken)),
                ("record_token_v4", .string(customer.recordTokenV4)), ("ipv4", .string(customer.ipv4.description)),
            ]
            if let v6 = customer.ipv6 { members.append(("ipv6", .string(v6.description))) }
            return .object(JSONObject(pairs: members))
        }
        try write(JSON.array(items).serialized + [0x0A], to: path, mode: 0o600)
    }

    /// `serve.json`: every endpoint, for scripts and people.
    static func describe(_ layout: LiveLayout, certificate: LiveCertificate?, folder: String) throws {
        var nameservers: [JSON] = []
        var balancers: [JSON] = []
        var web: JSON = .null
        for address in layout.addresses {
            let ip = JSON.string(address.ip.description)
            switch address.role {
            case .nameserver, .primary, .secondary:
                nameservers.append(.object(JSONObject(pairs: [
                    ("name", .string(address.name)), ("role", .string("\(address.role)")), ("address", ip),
                    ("port", .integer(Int64(layout.realPort(53)))),
                ])))
            case .balancer:
                balancers.append(.object(JSONObject(pairs: [
                    ("name", .string(address.name)), ("address", ip), ("do53", .integer(Int64(layout.realPort(53)))),
                    ("dot", .integer(Int64(layout.realPort(853)))), ("doh", .integer(Int64(layout.realPort(443)))),
                    ("doh_path", .string(DoHResponder.path)),
                ])))
            case .web:
                web = .object(JSONObject(pairs: [
                    ("name", .string(address.name)), ("address", ip), ("port", .integer(Int64(layout.realPort(80)))),
                ]))
            }
        }
        var members: [(String, JSON)] = [
            ("nameservers", .array(nameservers)), ("balancers", .array(balancers)), ("web", web), ("data", .string(folder)),
        ]
        if let certificate {
            members.append(("tls", .object(JSONObject(pairs: [
                ("certificate", .string(certificate.certificatePath)), ("key", .string(certificate.keyPath)),
            ]))))
        }
        try write(JSON.object(JSONObject(pairs: members)).serialized + [0x0A], to: folder + "/serve.json", mode: 0o644)
    }

    static func write(_ bytes: [UInt8], to path: String, mode: Int) throws {
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes), attributes: [.posixPermissions: mode])
        else { throw CocoaError(.fileWriteUnknown) }
        guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }
}

/// Stops a running `LiveServe.run` as SIGINT would.
public final class LiveStop: Sendable {
    private let group = NIOLockedValueBox<ServiceGroup?>(nil)
    private let requested = NIOLockedValueBox(false)

    public init() {}

    func attach(_ serviceGroup: ServiceGroup) {
        group.withLockedValue { $0 = serviceGroup }
        if requested.withLockedValue({ $0 }) { Task { await serviceGroup.triggerGracefulShutdown() } }
    }

    public func trigger() {
        requested.withLockedValue { $0 = true }
        if let serviceGroup = group.withLockedValue({ $0 }) { Task { await serviceGroup.triggerGracefulShutdown() } }
    }
}

/// The cluster as a service of the group: it runs until the group shuts down (after the HTTP
/// servers, which stop first and finish their requests), then closes sockets and databases.
struct ClusterService: Service {
    let network: LiveNetwork
    let log: @Sendable (String) -> Void

    func run() async throws {
        try? await gracefulShutdown()
        let network = network
        // A web request answered before the HTTP servers stopped was committed before its answer;
        // give pushes and purges already sent a moment to be acknowledged.
        try? await Task.sleep(for: .milliseconds(200))
        try await network.loop.flatSubmit { network.stop() }.get()
        try await network.loop.submit { try network.closeDatabases() }.get()
        log("databases closed")
    }
}

extension LiveNetwork {
    func metricsText() -> String {
        let adapters: [(String, String, UInt64)] = [
            ("datagrams_received", "UDP datagrams received by cluster nodes", counters.datagramsReceived),
            ("datagrams_sent", "UDP datagrams sent by cluster nodes", counters.datagramsSent),
            ("datagrams_send_failures", "datagrams the kernel did not take (a full buffer)", datagramSendFailures),
            ("connections_accepted", "TCP and DoT connections accepted", counters.connectionsAccepted),
            ("connections_opened", "TCP connections opened by cluster nodes", counters.connectionsOpened),
            ("http_requests", "requests handed to the web server", counters.httpRequests),
            ("doh_queries", "DoH queries handed to balancers", counters.dohQueries),
            ("exchange_failures", "HTTP exchanges without an answer", counters.exchangeFailures),
            ("unroutable", "datagrams to an address with no route", counters.unroutable),
        ]
        return cluster.prometheusText(extra: adapters.map { name, help, value in
            LiveCluster.MetricFamily(name: "ddnslab_live_\(name)_total", help: help, samples: [("", value)])
        })
    }

    /// The backup cycle on the wall clock: the first at `start` after now, then every `every`.
    func schedule(_ backups: LiveBackups, log: @escaping @Sendable (String) -> Void) {
        let every = TimeAmount.nanoseconds(backups.every.nanoseconds)
        let first = TimeAmount.nanoseconds(backups.start.nanoseconds)
        self.backups = backups
        loop.scheduleRepeatedTask(initialDelay: first, delay: every) { _ in
            guard var backups = self.backups else { return }
            self.backups = nil  // the only copy while the cycle mutates it
            log(backups.cycle(self.cluster, unixSeconds: Int64(Date().timeIntervalSince1970)))
            self.backups = backups
        }
    }

    func closeDatabases() throws {
        for store in cluster.stores { try store.database.close() }
    }
}
