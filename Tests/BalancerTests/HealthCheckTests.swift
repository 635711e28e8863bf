import DNSWire
import Determinism
import Testing

@testable import Balancer

@Suite struct HealthCheckTests {
    private func checked(
        mode: HealthCheckMode = .auto, maxFailures: Int = 1, rise: Int = 1, mustResolve: Bool = false,
        interval: SimDuration = .seconds(1), timeout: SimDuration = .milliseconds(1000),
        lazy: LazyHealthCheckConfig = LazyHealthCheckConfig()
    ) throws -> BackendTable {
        let checks = HealthCheckConfig(mode: mode, interval: interval, timeout: timeout, maxFailures: maxFailures,
                                       rise: rise, mustResolve: mustResolve, lazy: lazy)
        return try BackendTable(backends: [BackendConfig(name: "ns1", address: "192.0.2.53:53", healthChecks: checks)])
    }

    /// The backend's answer to a probe, with `rcode`.
    private func answer(_ probe: HealthProbe, rcode: RCode = .noError) throws -> [UInt8] {
        let query = try Message(wire: probe.query)
        return try query.makeResponse(rcode: rcode).wire()
    }

    /// Sends the probe due at `now` and answers it with `rcode` (nil: let it time out).
    @discardableResult
    private func round(_ table: inout BackendTable, at now: Instant, rcode: RCode?) throws -> HealthProbe {
        let probes = table.healthTick(now: now)
        try #require(probes.count == 1)
        let probe = probes[0]
        if let rcode {
            table.probeAnswered(backend: 0, probeID: probe.probeID, response: try answer(probe, rcode: rcode),
                                now: now + .milliseconds(20))
        } else {
            #expect(table.healthTick(now: probe.deadline).isEmpty)
        }
        return probe
    }

    @Test func probeCarriesTheConfiguredQuestion() throws {
        var table = try checked()
        #expect(table.nextHealthDeadline == .zero)
        let probes = table.healthTick(now: .zero)
        #expect(probes.count == 1)
        let probe = probes[0]
        let message = try Message(wire: probe.query)
        #expect(message.question == Question(name: Fixture.name("a.root-servers.net."), type: .a))
        #expect(message.flags.contains(.rd))
        #expect(message.id == UInt16(truncatingIfNeeded: probe.probeID))
        #expect(probe.deadline == Fixture.at(1) && !probe.useTCP)
        #expect(table.nextHealthDeadline == Fixture.at(1))
    }

    @Test func initialCheckDecidesAtOnce() throws {
        // dnsdist applies the first (startup) check directly, whatever maxFailures says.
        var table = try checked(maxFailures: 3)
        let probe = table.healthTick(now: .zero)[0]
        #expect(table[0].isUp)
        #expect(table.healthTick(now: probe.deadline).isEmpty == false)  // timed out, and the next probe is due
        #expect(!table[0].isUp)
        #expect(table.stateChanges == [BackendStateChange(backend: 0, up: false, at: Fixture.at(1), reason: .initialCheck)])
    }

    @Test func consecutiveFailuresMarkDownAndRiseMarksUp() throws {
        var table = try checked(maxFailures: 3, rise: 2)
        try round(&table, at: .zero, rcode: .noError)  // initial: up
        #expect(table.nextHealthDeadline == Fixture.at(1))
        // Two failures, then a success: the failures are not consecutive enough.
        try round(&table, at: Fixture.at(1), rcode: .servFail)
        try round(&table, at: Fixture.at(2), rcode: .servFail)
        #expect(table[0].isUp && table[0].consecutiveCheckFailures == 2)
        try round(&table, at: Fixture.at(3), rcode: .noError)
        #expect(table[0].consecutiveCheckFailures == 0)
        // Three in a row: down at the third.
        try round(&table, at: Fixture.at(4), rcode: .servFail)
        try round(&table, at: Fixture.at(5), rcode: .servFail)
        #expect(table[0].isUp)
        try round(&table, at: Fixture.at(6), rcode: .servFail)
        #expect(!table[0].isUp)
        // Still probed while down; rise 2 needs two successes.
        try round(&table, at: Fixture.at(7), rcode: .noError)
        #expect(!table[0].isUp)
        try round(&table, at: Fixture.at(8), rcode: .noError)
        #expect(table[0].isUp)
        #expect(table.drainStateChanges() == [
            BackendStateChange(backend: 0, up: false, at: Fixture.at(6, ms: 20), reason: .checksFailed(consecutive: 3)),
            BackendStateChange(backend: 0, up: true, at: Fixture.at(8, ms: 20), reason: .checksSucceeded(consecutive: 2)),
        ])
    }

    @Test func timeoutsAreFailuresAtTheirDeadline() throws {
        var table = try checked(maxFailures: 2)
        try round(&table, at: .zero, rcode: .noError)
        let first = table.healthTick(now: Fixture.at(1))[0]
        #expect(table.nextHealthDeadline == Fixture.at(2))
        // At the deadline: a timeout, and the next probe goes out at the same tick.
        let second = table.healthTick(now: Fixture.at(2))
        #expect(second.count == 1 && table[0].counters.probeTimeouts == 1 && table[0].isUp)
        // A late answer to the first probe is ignored.
        #expect(table.probeAnswered(backend: 0, probeID: first.probeID, response: try answer(first), now: Fixture.at(2))
            == .unknownProbe)
        // An answer after the deadline is a timeout.
        #expect(table.probeAnswered(backend: 0, probeID: second[0].probeID, response: try answer(second[0]),
                                    now: Fixture.at(3, ms: 1)) == .failure(.timeout))
        #expect(!table[0].isUp)
        #expect(table.stateChanges.last == BackendStateChange(backend: 0, up: false, at: Fixture.at(3, ms: 1),
                                                               reason: .checksFailed(consecutive: 2)))
    }

    @Test func aSlowTimeoutDelaysTheNextProbe() throws {
        var table = try checked(interval: .seconds(1), timeout: .seconds(3))
        let probe = table.healthTick(now: .zero)[0]
        #expect(table.healthTick(now: Fixture.at(1)).isEmpty)
        #expect(table.healthTick(now: Fixture.at(2)).isEmpty)
        #expect(table.nextHealthDeadline == probe.deadline)
        #expect(table.healthTick(now: probe.deadline).count == 1)
    }

    @Test func mustResolveRejectsNXDomainAndRefused() throws {
        for (mustResolve, rcode, healthy) in [
            (false, RCode.nxDomain, true), (false, .refused, true), (false, .servFail, false), (false, .notImp, true),
            (true, .nxDomain, false), (true, .refused, false), (true, .servFail, false), (true, .noError, true),
        ] {
            var table = try checked(mustResolve: mustResolve)
            let probe = table.healthTick(now: .zero)[0]
            let outcome = table.probeAnswered(backend: 0, probeID: probe.probeID,
                                              response: try answer(probe, rcode: rcode), now: Fixture.at(0, ms: 5))
            #expect(table[0].isUp == healthy, "mustResolve \(mustResolve) rcode \(rcode)")
            if mustResolve && (rcode == .nxDomain || rcode == .refused) {
                #expect(outcome == .failure(.mustResolve(rcode)))
            }
        }
    }

    @Test func malformedAndMismatchedAnswersFail() throws {
        var table = try checked(maxFailures: 10)
        try round(&table, at: .zero, rcode: .noError)
        var probe = table.healthTick(now: Fixture.at(1))[0]
        var bytes = try answer(probe)
        bytes[1] ^= 0xFF
        #expect(table.probeAnswered(backend: 0, probeID: probe.probeID, response: bytes, now: Fixture.at(1))
            == .failure(.idMismatch))
        probe = table.healthTick(now: Fixture.at(2))[0]
        var other = try Message(wire: probe.query).makeResponse()
        other.questions = [Question(name: Fixture.name("b.root-servers.net."), type: .a)]
        #expect(table.probeAnswered(backend: 0, probeID: probe.probeID, response: try other.wire(), now: Fixture.at(2))
            == .failure(.questionMismatch))
        probe = table.healthTick(now: Fixture.at(3))[0]
        #expect(table.probeAnswered(backend: 0, probeID: probe.probeID, response: probe.query, now: Fixture.at(3))
            == .failure(.notAResponse))
        probe = table.healthTick(now: Fixture.at(4))[0]
        #expect(table.probeAnswered(backend: 0, probeID: probe.probeID, response: [1, 2, 3], now: Fixture.at(4))
            == .failure(.malformed))
        // The question compares case-insensitively.
        probe = table.healthTick(now: Fixture.at(5))[0]
        var upper = try Message(wire: probe.query).makeResponse()
        upper.questions = [Question(name: Fixture.name("A.ROOT-SERVERS.NET."), type: .a)]
        #expect(table.probeAnswered(backend: 0, probeID: probe.probeID, response: try upper.wire(), now: Fixture.at(5))
            == .success)
        #expect(table[0].counters.probeFailures == 4)
    }

    @Test func forcedModesSendNoProbes() throws {
        for mode in [HealthCheckMode.up, .down] {
            var table = try checked(mode: mode)
            #expect(table.nextHealthDeadline == nil)
            #expect(table.healthTick(now: Fixture.at(100)).isEmpty)
            #expect(table[0].isUp == (mode == .up))
        }
    }

    @Test func lazyStateMachine() throws {
        let lazy = LazyHealthCheckConfig(sampleSize: 10, minSampleCount: 5, threshold: 50, interval: .seconds(30))
        var table = try checked(mode: .lazy, maxFailures: 2, rise: 2, interval: .seconds(1), lazy: lazy)
        // Healthy: up, no probes.
        #expect(table[0].isUp && table[0].lazyStatus == .healthy && table.nextHealthDeadline == nil)
        // Five successes, then four timeouts: 4 of 9 is below the threshold.
        for _ in 0..<5 {
            table.queryForwarded(backend: 0, now: .zero)
            table.responseReceived(backend: 0, sentAt: .zero, now: .zero, rcode: .noError, overTCP: false)
        }
        for second in 1...4 { table.queryTimedOut(backend: 0, now: Fixture.at(Int64(second))) }
        #expect(table[0].lazyStatus == .healthy && table[0].lazySample == (4, 9))
        // …a fifth failure makes 5/10 = 50 % ≥ threshold: PotentialFailure, probed now.
        table.queryForwarded(backend: 0, now: Fixture.at(5))
        table.responseReceived(backend: 0, sentAt: Fixture.at(5), now: Fixture.at(5), rcode: .servFail, overTCP: false)
        #expect(table[0].lazyStatus == .potentialFailure && table[0].isUp)
        #expect(table.nextHealthDeadline == Fixture.at(5))
        // First probe fails (1 of maxFailures 2): still up, next probe one interval later.
        try round(&table, at: Fixture.at(5), rcode: .servFail)
        #expect(table[0].lazyStatus == .potentialFailure && table[0].isUp)
        #expect(table.nextHealthDeadline == Fixture.at(6))
        // Second failure: Failed, down; probes every lazy interval.
        try round(&table, at: Fixture.at(6), rcode: .servFail)
        #expect(table[0].lazyStatus == .failed && !table[0].isUp)
        #expect(table.nextHealthDeadline == Fixture.at(36, ms: 20))
        try round(&table, at: Fixture.at(36, ms: 20), rcode: nil)  // timeout
        #expect(table.nextHealthDeadline == Fixture.at(66, ms: 20))
        // Rise 2: one success is not enough, the next probe comes a lazy interval later.
        try round(&table, at: Fixture.at(66, ms: 20), rcode: .noError)
        #expect(!table[0].isUp && table.nextHealthDeadline == Fixture.at(96, ms: 40))
        try round(&table, at: Fixture.at(96, ms: 40), rcode: .noError)
        #expect(table[0].isUp && table[0].lazyStatus == .healthy)
        // Healthy again: probing stops and the window starts empty.
        #expect(table.nextHealthDeadline == nil && table[0].lazySample == (0, 0))
        #expect(table.drainStateChanges().map(\.up) == [false, true])
    }

    @Test func lazyNeedsTheMinimumSampleCount() throws {
        var table = try checked(mode: .lazy, lazy: LazyHealthCheckConfig(minSampleCount: 5))
        for second in 0..<4 { table.queryTimedOut(backend: 0, now: Fixture.at(Int64(second))) }
        #expect(table[0].lazyStatus == .healthy && table.nextHealthDeadline == nil)
        table.queryTimedOut(backend: 0, now: Fixture.at(4))
        #expect(table[0].lazyStatus == .potentialFailure && table.nextHealthDeadline == Fixture.at(4))
    }

    @Test func lazyPotentialFailureRecoversOnOneSuccess() throws {
        var table = try checked(mode: .lazy, maxFailures: 3, rise: 3)
        table.queryTimedOut(backend: 0, now: Fixture.at(1))  // 1/1 = 100 % ≥ 20 %
        #expect(table[0].lazyStatus == .potentialFailure)
        try round(&table, at: Fixture.at(1), rcode: .noError)
        #expect(table[0].lazyStatus == .healthy && table[0].isUp && table.stateChanges.isEmpty)
    }

    @Test func lazyTimeoutOnlyIgnoresServFail() throws {
        var table = try checked(mode: .lazy, lazy: LazyHealthCheckConfig(mode: .timeoutOnly))
        for _ in 0..<20 {
            table.queryForwarded(backend: 0, now: .zero)
            table.responseReceived(backend: 0, sentAt: .zero, now: .zero, rcode: .servFail, overTCP: false)
        }
        #expect(table[0].lazyStatus == .healthy && table[0].lazySample == (0, 20))
        table.queryTimedOut(backend: 0, now: .zero)
        #expect(table[0].lazyStatus == .healthy)  // 1/21 < 20 %
    }

    @Test func lazyExponentialBackOffDoublesUpToTheCap() throws {
        let lazy = LazyHealthCheckConfig(interval: .seconds(10), useExponentialBackOff: true, maxBackOff: .seconds(50))
        var table = try checked(mode: .lazy, lazy: lazy)
        table.queryTimedOut(backend: 0, now: .zero)
        try round(&table, at: .zero, rcode: .servFail)  // → Failed (maxFailures 1)
        #expect(!table[0].isUp)
        var now = Fixture.at(0, ms: 20)
        var gaps: [Int64] = []
        for _ in 0..<5 {
            let next = try #require(table.nextHealthDeadline)
            gaps.append((next - now).nanoseconds / 1_000_000_000)
            try round(&table, at: next, rcode: .servFail)
            now = next
        }
        #expect(gaps == [10, 20, 40, 50, 50])
        // A success in the Failed state resets to the plain interval (rise 1: straight to Healthy).
        try round(&table, at: try #require(table.nextHealthDeadline), rcode: .noError)
        #expect(table[0].isUp && table.nextHealthDeadline == nil)
    }

    @Test func probesAreNotSentForBackendsOutsideAuto() throws {
        var table = try checked()
        table.setDown(backend: 0, now: .zero)
        #expect(table.healthTick(now: .zero).isEmpty)
        table.setAuto(backend: 0, now: Fixture.at(3))
        #expect(table.healthTick(now: Fixture.at(3)).count == 1)
    }
}
