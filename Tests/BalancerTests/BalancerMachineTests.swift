import DNSWire
import Determinism
import Testing

@testable import Balancer

/// The whole query and response path of `BalancerMachine`, driven with wire bytes and instants.
@Suite struct BalancerMachineTests {
    typealias Action = BalancerMachine.Action
    static let client = ClientHandle(high: 1, low: 2)
    static let address = IPAddress("198.18.0.7")!
    static let name = DNSName("host.dyn.example.")!

    static func query(id: UInt16 = 0x4242, name: DNSName = name, type: RRType = .a) -> [UInt8] {
        var writer = WireWriter(capacity: 512)
        try! Message.query(id: id, name: name, type: type, recursionDesired: false).encode(into: &writer)
        return writer.bytes
    }

    /// The backend's answer to `forwarded` (its ID), with one A record or the given rcode.
    static func answer(to forwarded: [UInt8], rcode: RCode = .noError, ttl: UInt32 = 60) -> [UInt8] {
        let message = try! Message(wire: forwarded)
        var response = message.makeResponse(rcode: rcode)
        response.flags.insert(.aa)
        if rcode == .noError {
            response.answers = [ResourceRecord(name: message.questions[0].name, ttl: ttl, rdata: .a(IPv4Address(192, 0, 2, 9)))]
        }
        var writer = WireWriter(capacity: 512)
        try! response.encode(into: &writer)
        return writer.bytes
    }

    static func config(cache: Bool = true, rules: [QueryRuleConfig] = [], servfail: Bool = false,
                       dynamic: [DynBlockGroupConfig] = [], mode: HealthCheckMode = .up) -> BalancerConfig {
        BalancerConfig(
            backends: [BackendConfig(name: "ns1", address: "ns1", pools: ["auth"], healthChecks: HealthCheckConfig(mode: mode)),
                       BackendConfig(name: "ns2", address: "ns2", pools: ["auth"], healthChecks: HealthCheckConfig(mode: mode))],
            pools: [PoolConfig(name: "auth", packetCache: cache ? "pc" : nil)],
            loadBalancing: LoadBalancingConfig(servfailOnNoServer: servfail),
            packetCaches: [PacketCacheConfig(name: "pc", size: 100)],
            queryRules: rules + [QueryRuleConfig(selector: .all, action: .pool("auth"))], dynamicRules: dynamic)
    }

    static func forwards(_ actions: [Action]) -> [(Int, [UInt8])] {
        actions.compactMap { if case .forward(let backend, let bytes, _) = $0 { (backend, bytes) } else { nil } }
    }

    static func responses(_ actions: [Action]) -> [[UInt8]] {
        actions.compactMap { if case .respond(_, let bytes, _) = $0 { bytes } else { nil } }
    }

    @Test func forwardsUnderItsOwnIDAndRestoresTheClientsID() throws {
        var machine = try BalancerMachine(config: Self.config(), seed: 1)
        var actions: [Action] = []
        let now = Instant.zero + .seconds(1)
        machine.query(Self.query(), from: Self.client, address: Self.address, port: 5000, transport: .do53UDP, now: now,
                      actions: &actions)
        let (backend, forwarded) = try #require(Self.forwards(actions).first)
        #expect(forwarded.messageID != 0x4242 || backend >= 0)
        actions.removeAll()
        machine.backendResponse(Self.answer(to: forwarded), backend: backend, now: now + .milliseconds(2), actions: &actions)
        let answer = try #require(Self.responses(actions).first)
        #expect(answer.messageID == 0x4242)
        #expect(machine.stats.forwarded == 1 && machine.stats.responses == 1)
        // dnsdist's latency average: 1/128 of the first 2 ms sample.
        #expect(abs(machine.backends.backends[backend].latencyMicros - 2000.0 / 128) < 0.01)
    }

    @Test func secondQueryIsACacheHitWithItsOwnID() throws {
        var machine = try BalancerMachine(config: Self.config(), seed: 1)
        var actions: [Action] = []
        let now = Instant.zero + .seconds(1)
        machine.query(Self.query(id: 1), from: Self.client, address: Self.address, port: 5000, transport: .do53UDP, now: now,
                      actions: &actions)
        let (backend, forwarded) = try #require(Self.forwards(actions).first)
        machine.backendResponse(Self.answer(to: forwarded), backend: backend, now: now, actions: &actions)
        actions.removeAll()
        machine.query(Self.query(id: 2), from: Self.client, address: Self.address, port: 5001, transport: .do53UDP,
                      now: now + .seconds(1), actions: &actions)
        #expect(Self.forwards(actions).isEmpty)
        let hit = try #require(Self.responses(actions).first)
        #expect(hit.messageID == 2)
        #expect(machine.stats.cacheHits == 1 && machine.stats.cacheMisses == 1)
    }

    @Test func answerForAnotherQuestionIsDropped() throws {
        var machine = try BalancerMachine(config: Self.config(cache: false), seed: 1)
        var actions: [Action] = []
        machine.query(Self.query(), from: Self.client, address: Self.address, port: 5000, transport: .do53UDP, now: .zero,
                      actions: &actions)
        let (backend, forwarded) = try #require(Self.forwards(actions).first)
        var other = Self.query(id: forwarded.messageID, name: DNSName("other.dyn.example.")!)
        other = Self.answer(to: other)
        actions.removeAll()
        machine.backendResponse(other, backend: backend, now: .zero, actions: &actions)
        #expect(actions.isEmpty)
        #expect(machine.stats.unmatchedResponses == 1)
    }

    @Test func udpTimeoutIsCountedAndNotRetried() throws {
        var machine = try BalancerMachine(config: Self.config(cache: false), seed: 1)
        var actions: [Action] = []
        machine.query(Self.query(), from: Self.client, address: Self.address, port: 5000, transport: .do53UDP, now: .zero,
                      actions: &actions)
        let (backend, forwarded) = try #require(Self.forwards(actions).first)
        #expect(machine.backends.backends[backend].outstanding == 1)
        actions.removeAll()
        machine.wake(now: Instant.zero + .seconds(2), actions: &actions)
        #expect(Self.forwards(actions).isEmpty)
        #expect(machine.stats.downstreamTimeouts == 1)
        #expect(machine.backends.backends[backend].outstanding == 0)
        // A late answer matches nothing.
        machine.backendResponse(Self.answer(to: forwarded), backend: backend, now: Instant.zero + .seconds(3), actions: &actions)
        #expect(Self.responses(actions).isEmpty)
    }

    @Test func noServerDropsOrAnswersServfail() throws {
        for servfail in [false, true] {
            var machine = try BalancerMachine(config: Self.config(servfail: servfail, mode: .down), seed: 1)
            var actions: [Action] = []
            machine.query(Self.query(), from: Self.client, address: Self.address, port: 5000, transport: .do53UDP,
                          now: .zero, actions: &actions)
            #expect(machine.stats.noPolicy == 1)
            let answers = Self.responses(actions)
            #expect(answers.count == (servfail ? 1 : 0))
            if servfail { #expect(answers[0].responseCode == .servFail) }
        }
    }

    @Test func ruleVerdictsAnswerOrDrop() throws {
        let rules = [
            QueryRuleConfig(selector: .qtype(.any), action: .tc),
            QueryRuleConfig(selector: .qtype(.mx), action: .drop),
            QueryRuleConfig(selector: .qtype(.txt), action: .rcode(.refused)),
        ]
        var machine = try BalancerMachine(config: Self.config(rules: rules), seed: 1)
        var actions: [Action] = []
        machine.query(Self.query(type: .any), from: Self.client, address: Self.address, port: 1, transport: .do53UDP,
                      now: .zero, actions: &actions)
        let truncated = try Message(wire: try #require(Self.responses(actions).first))
        #expect(truncated.flags.contains(.tc))
        actions.removeAll()
        machine.query(Self.query(type: .mx), from: Self.client, address: Self.address, port: 1, transport: .do53UDP,
                      now: .zero, actions: &actions)
        #expect(actions.isEmpty)
        machine.query(Self.query(type: .txt), from: Self.client, address: Self.address, port: 1, transport: .do53UDP,
                      now: .zero, actions: &actions)
        #expect(Self.responses(actions).first?.responseCode == .refused)
        #expect(machine.stats.ruleTruncated == 1 && machine.stats.ruleDrop == 1 && machine.stats.ruleRefused == 1)
    }

    @Test func garbageAndOutsidersAreCountedDrops() throws {
        var config = Self.config()
        config.acl = NetmaskGroup([Netmask("198.18.0.0/15")!])
        var machine = try BalancerMachine(config: config, seed: 1)
        var actions: [Action] = []
        machine.query([1, 2, 3], from: Self.client, address: Self.address, port: 1, transport: .do53UDP, now: .zero,
                      actions: &actions)
        var response = Self.query()
        response[2] |= 0x80
        machine.query(response, from: Self.client, address: Self.address, port: 1, transport: .do53UDP, now: .zero,
                      actions: &actions)
        machine.query(Self.query(), from: Self.client, address: IPAddress("203.0.113.1")!, port: 1, transport: .do53UDP,
                      now: .zero, actions: &actions)
        #expect(actions.isEmpty)
        #expect(machine.stats.nonCompliantQueries == 2 && machine.stats.aclDrops == 1)
    }

    @Test func dynamicBlockRefusesAfterMaintenance() throws {
        let group = DynBlockGroupConfig(name: "rate", rules: [
            DynBlockRuleConfig(kind: .queryRate, seconds: 1, actionDuration: 10, rate: 10, action: .refused)])
        var machine = try BalancerMachine(config: Self.config(dynamic: [group]), seed: 1)
        var actions: [Action] = []
        for step in 0..<50 {
            machine.query(Self.query(id: UInt16(step)), from: Self.client, address: Self.address, port: 1,
                          transport: .do53UDP, now: Instant.zero + .milliseconds(Int64(step) * 10), actions: &actions)
        }
        machine.wake(now: Instant.zero + .seconds(1), actions: &actions)
        let events = machine.takeEvents()
        #expect(events.contains { if case .dynamicBlock(let event, _) = $0 { event.kind == .inserted } else { false } })
        actions.removeAll()
        machine.query(Self.query(id: 999), from: Self.client, address: Self.address, port: 1, transport: .do53UDP,
                      now: Instant.zero + .seconds(1) + .milliseconds(1), actions: &actions)
        #expect(Self.responses(actions).first?.responseCode == .refused)
        #expect(machine.stats.dynBlocked == 1)
    }

    @Test func healthProbesMarkABackendDownAndUp() throws {
        var config = Self.config(mode: .auto)
        config.backends[0].healthChecks = HealthCheckConfig(mode: .auto, maxFailures: 2, rise: 1)
        var machine = try BalancerMachine(config: config, seed: 1)
        var actions: [Action] = []
        // Probes go unanswered: two failures take ns1 down.
        var now = Instant.zero
        for _ in 0..<4 {
            actions.removeAll()
            machine.wake(now: now, actions: &actions)
            now = now + .seconds(1)
        }
        #expect(!machine.backends.backends[0].isUp)
        // Answer the next probe: one success brings it back.
        actions.removeAll()
        machine.wake(now: now, actions: &actions)
        let probe = try #require(actions.compactMap { action -> [UInt8]? in
            if case .probe(0, let bytes, _) = action { bytes } else { nil }
        }.first)
        machine.probeResponse(Self.answer(to: probe), backend: 0, now: now + .milliseconds(1), actions: &actions)
        #expect(machine.backends.backends[0].isUp)
        let changes = machine.takeEvents().compactMap { event -> Bool? in
            if case .backend(let change) = event, change.backend == 0 { change.up } else { nil }
        }
        #expect(changes.suffix(2) == [false, true])
    }

    @Test func purgeRemovesAName() throws {
        var machine = try BalancerMachine(config: Self.config(), seed: 1)
        var actions: [Action] = []
        machine.query(Self.query(), from: Self.client, address: Self.address, port: 1, transport: .do53UDP, now: .zero,
                      actions: &actions)
        let (backend, forwarded) = try #require(Self.forwards(actions).first)
        machine.backendResponse(Self.answer(to: forwarded), backend: backend, now: .zero, actions: &actions)
        #expect(machine.purgeCache(name: Self.name) == 1)
        actions.removeAll()
        machine.query(Self.query(), from: Self.client, address: Self.address, port: 1, transport: .do53UDP, now: .zero,
                      actions: &actions)
        #expect(Self.forwards(actions).count == 1)
    }
}
