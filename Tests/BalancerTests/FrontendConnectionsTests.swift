import DNSWire
import Determinism
import Testing

@testable import Balancer

/// Incoming-connection limits and timeouts (dnsdist's `tuning.tcp` and the binds' limits), driven
/// with handles and instants.
@Suite struct FrontendConnectionsTests {
    static let alice = IPAddress("198.18.0.7")!
    static let bob = IPAddress("198.18.0.8")!

    static func handle(_ n: UInt64) -> ClientHandle { ClientHandle(high: 1 << 63, low: n) }
    static func at(_ milliseconds: Int64) -> Instant { Instant.zero + .milliseconds(milliseconds) }

    static func machine(_ configure: (inout FrontendConnectionsConfig) -> Void = { _ in }) -> FrontendConnections {
        var config = FrontendConnectionsConfig()
        configure(&config)
        return FrontendConnections(config: config)
    }

    @Test func defaultsAreDnsdists() {
        let config = FrontendConnectionsConfig()
        #expect(config.tcp.receiveTimeout == .seconds(2))
        #expect(config.tcp.maxConnectionsPerClient == 0)
        #expect(config.tcp.maxQueriesPerConnection == 0)
        #expect(config.tcp.maxConnectionDuration == .zero)
        #expect(config.tcp.connectionsOverloadThreshold == 90)
        #expect(config.tcp.connectionRateIntervalMinutes == 5)
        #expect(config.tcp.banDurationForExceedingRate == .seconds(10))
        #expect(config.doh.idleTimeout == .seconds(30))
        #expect(config.dot.maxConcurrentConnections == 0)
    }

    @Test func receiveTimeoutClosesAnIdleConnectionAndRestartsOnActivity() {
        var frontends = Self.machine()
        do { let result = frontends.accept(Self.handle(1), address: Self.alice, port: 4000, frontend: .dot, now: Self.at(0)); #expect(result
== .accepted(restricted: false)) }
        do { let result = frontends.nextDeadline(); #expect(result == Self.at(2000)) }
        do { let result = frontends.queryRead(Self.handle(1), now: Self.at(1500)); #expect(result) }
        do { let result = frontends.responseWritten(Self.handle(1), now: Self.at(1600)); #expect(result == false) }
        do { let result = frontends.nextDeadline(); #expect(result == Self.at(3600)) }
        do { let result = frontends.expire(now: Self.at(3599)); #expect(result.isEmpty) }
        do { let result = frontends.expire(now: Self.at(3600)); #expect(result == [Self.handle(1)]) }
        #expect(frontends.stats.closedReceiveTimeout == 1)
        #expect(frontends.openConnections == 0)
        do { let result = frontends.nextDeadline(); #expect(result == nil) }
    }

    @Test func dohUsesItsIdleTimeoutInsteadOfTheReceiveTimeout() {
        var frontends = Self.machine { $0.doh.idleTimeout = .seconds(5) }
        _ = frontends.accept(Self.handle(1), address: Self.alice, port: 4000, frontend: .doh, now: Self.at(0))
        _ = frontends.accept(Self.handle(2), address: Self.alice, port: 4001, frontend: .do53TCP, now: Self.at(0))
        do { let result = frontends.expire(now: Self.at(2000)); #expect(result == [Self.handle(2)]) }
        do { let result = frontends.expire(now: Self.at(4999)); #expect(result.isEmpty) }
        do { let result = frontends.expire(now: Self.at(5000)); #expect(result == [Self.handle(1)]) }
    }

    @Test func perClientLimitRefusesTheNextConnectionUntilOneCloses() {
        var frontends = Self.machine {
            $0.tcp.maxConnectionsPerClient = 2
            $0.tcp.connectionsOverloadThreshold = 0
        }
        do { let result = frontends.accept(Self.handle(1), address: Self.alice, port: 1, frontend: .dot, now: Self.at(0)); #expect(result == .accepted(restricted: false)) }
        do { let result = frontends.accept(Self.handle(2), address: Self.alice, port: 2, frontend: .doh, now: Self.at(0)); #expect(result == .accepted(restricted: false)) }
        do { let result = frontends.accept(Self.handle(3), address: Self.alice, port: 3, frontend: .dot, now: Self.at(0)); #expect(result == .refusedClientLimit) }
        // Another client is not affected.
        do { let result = frontends.accept(Self.handle(4), address: Self.bob, port: 1, frontend: .dot, now: Self.at(0)); #expect(result == .accepted(restricted: false)) }
        frontends.closed(Self.handle(1))
        do { let result = frontends.accept(Self.handle(5), address: Self.alice, port: 5, frontend: .dot, now: Self.at(10)); #expect(result == .accepted(restricted: false)) }
        #expect(frontends.stats.refusedClientLimit == 1)
        #expect(frontends.stats.closedByClient == 1)
        #expect(frontends.stats.peak == 3)
    }

    @Test func frontendLimitCountsEachFrontendApart() {
        var frontends = Self.machine { $0.dot.maxConcurrentConnections = 1 }
        do { let result = frontends.accept(Self.handle(1), address: Self.alice, port: 1, frontend: .dot, now: Self.at(0)); #expect(result != .refusedFrontendLimit) }
        do { let result = frontends.accept(Self.handle(2), address: Self.bob, port: 1, frontend: .dot, now: Self.at(0)); #expect(result == .refusedFrontendLimit) }
        do { let result = frontends.accept(Self.handle(3), address: Self.bob, port: 2, frontend: .doh, now: Self.at(0)); #expect(result == .accepted(restricted: false)) }
        #expect(frontends.stats.refusedFrontendLimit == 1)
    }

    /// Past 90% of a limit, new connections get one query, a 500 ms receive timeout and 5 s at most.
    @Test func overloadThresholdRestrictsNewConnections() {
        var frontends = Self.machine { $0.tcp.maxConnectionsPerClient = 10 }
        for n in 0..<9 {
            do { let result = frontends.accept(Self.handle(UInt64(n)), address: Self.alice, port: UInt16(n), frontend: .dot, now: Self.at(0)); #expect(result
== .accepted(restricted: false)) }
        }
        let restricted = Self.handle(100)
        do { let result = frontends.accept(restricted, address: Self.alice, port: 100, frontend: .dot, now: Self.at(0)); #expect(result == .accepted(restricted: true)) }
        #expect(frontends.stats.restricted == 1)
        // One query, then the connection closes after its response.
        do { let result = frontends.queryRead(restricted, now: Self.at(100)); #expect(result) }
        do { let result = frontends.responseWritten(restricted, now: Self.at(200)); #expect(result) }
        #expect(frontends.stats.closedMaxQueries == 1)
        // A second restricted connection that stays idle goes after 500 ms.
        let idle = Self.handle(101)
        do { let result = frontends.accept(idle, address: Self.alice, port: 101, frontend: .dot, now: Self.at(1000)); #expect(result == .accepted(restricted: true)) }
        do { let result = frontends.expire(now: Self.at(1499)); #expect(result.isEmpty) }
        do { let result = frontends.expire(now: Self.at(1500)); #expect(result.contains(idle)) }
    }

    /// The frontend's own cap has the same threshold: at 50% of 2, the second connection is restricted.
    @Test func frontendOverloadRestrictsToo() {
        var frontends = Self.machine {
            $0.dot.maxConcurrentConnections = 2
            $0.tcp.connectionsOverloadThreshold = 50
        }
        do { let result = frontends.accept(Self.handle(1), address: Self.alice, port: 1, frontend: .dot, now: Self.at(0)); #expect(result == .accepted(restricted: false)) }
        do { let result = frontends.accept(Self.handle(2), address: Self.bob, port: 1, frontend: .dot, now: Self.at(0)); #expect(result == .accepted(restricted: true)) }
        do { let result = frontends.accept(Self.handle(3), address: Self.bob, port: 2, frontend: .doh, now: Self.at(0)); #expect(result == .accepted(restricted: false)) }
        // Pipelining a second query on the restricted connection closes it unanswered.
        do { let result = frontends.queryRead(Self.handle(2), now: Self.at(10)); #expect(result) }
        do { let result = frontends.queryRead(Self.handle(2), now: Self.at(20)); #expect(result == false) }
        #expect(frontends.stats.closedMaxQueries == 1)
    }

    @Test func maxQueriesPerConnectionAnswersTheLastThenCloses() {
        var frontends = Self.machine { $0.tcp.maxQueriesPerConnection = 2 }
        let h = Self.handle(1)
        _ = frontends.accept(h, address: Self.alice, port: 1, frontend: .do53TCP, now: Self.at(0))
        do { let result = frontends.queryRead(h, now: Self.at(1)); #expect(result) }
        do { let result = frontends.responseWritten(h, now: Self.at(2)); #expect(result == false) }
        do { let result = frontends.queryRead(h, now: Self.at(3)); #expect(result) }
        do { let result = frontends.responseWritten(h, now: Self.at(4)); #expect(result) }
        #expect(frontends.openConnections == 0)
        // Pipelined past the budget: refused without an answer.
        let p = Self.handle(2)
        _ = frontends.accept(p, address: Self.alice, port: 2, frontend: .do53TCP, now: Self.at(10))
        do { let result = frontends.queryRead(p, now: Self.at(11)); #expect(result) }
        do { let result = frontends.queryRead(p, now: Self.at(11)); #expect(result) }
        do { let result = frontends.queryRead(p, now: Self.at(11)); #expect(result == false) }
        #expect(frontends.stats.closedMaxQueries == 2)
    }

    @Test func maxConnectionDurationClosesABusyConnection() {
        var frontends = Self.machine { $0.tcp.maxConnectionDuration = .seconds(3) }
        let h = Self.handle(1)
        _ = frontends.accept(h, address: Self.alice, port: 1, frontend: .dot, now: Self.at(0))
        var closed: [ClientHandle] = []
        for step in 1...10 where closed.isEmpty {
            let now = Self.at(Int64(step) * 500)
            closed = frontends.expire(now: now)
            if closed.isEmpty {
                _ = frontends.queryRead(h, now: now)
                _ = frontends.responseWritten(h, now: now)
            }
        }
        #expect(closed == [h])
        #expect(frontends.stats.closedMaxDuration == 1)
        #expect(frontends.stats.closedReceiveTimeout == 0)
    }

    /// More new connections per second than allowed, averaged over the interval, bans the client
    /// (masked) for the ban duration.
    @Test func connectionRateBansTheMaskedClient() {
        var frontends = Self.machine {
            $0.tcp.maxConnectionRatePerClient = 1
            $0.tcp.connectionRateIntervalMinutes = 1
            $0.tcp.connectionsMaskV4 = 24
        }
        // 60 connections in the first minute are within 1/s averaged over 60 s.
        for n in 0..<60 {
            let verdict = frontends.accept(Self.handle(UInt64(n)), address: Self.alice, port: UInt16(n), frontend: .dot, now: Self.at(Int64(n) * 10))
            #expect(verdict == .accepted(restricted: false))
            frontends.closed(Self.handle(UInt64(n)))
        }
        // The 61st exceeds it; bob is in the same /24 and is banned with alice.
        do { let result = frontends.accept(Self.handle(60), address: Self.alice, port: 60, frontend: .dot, now: Self.at(700)); #expect(result == .refusedRateExceeded) }
        do { let result = frontends.accept(Self.handle(61), address: Self.bob, port: 61, frontend: .dot, now: Self.at(800)); #expect(result == .refusedBanned) }
        #expect(frontends.stats.rateBans == 1)
        // After the 10 s ban and a fresh minute, connections are accepted again.
        do { let result = frontends.accept(Self.handle(62), address: Self.bob, port: 62, frontend: .dot, now: Self.at(121_000)); #expect(result == .accepted(restricted: false)) }
    }

    @Test func expiryOrderIsDeadlineThenArrival() {
        var frontends = Self.machine()
        for n in [5, 3, 9, 1] as [UInt64] {
            _ = frontends.accept(Self.handle(n), address: Self.alice, port: UInt16(n), frontend: .dot, now: Self.at(0))
        }
        _ = frontends.queryRead(Self.handle(9), now: Self.at(100))
        do { let result = frontends.expire(now: Self.at(10_000)); #expect(result == [5, 3, 1, 9].map(Self.handle)) }
    }
}
