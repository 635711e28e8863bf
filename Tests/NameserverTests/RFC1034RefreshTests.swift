import DNSWire
import DNSZone
import Determinism
import Nameserver
import Testing

/// The secondary's SOA timers (RFC 1034 §4.3.5) driven event by event.
@Suite struct RFC1034_4_3_5_RefreshTests {
    static func secondary(copy: Zone? = exampleZone(serial: 1), refresh: RefreshPolicy = .soaTimers) -> Secondary {
        let config = SecondaryConfig(primary: TestAddress.primary, zones: [origin], refresh: refresh)
        return Secondary(config: config, storedCopies: copy.map { [$0] } ?? [], random: SeededRandom(seed: 9))
    }

    static func soaAnswer(to query: Message, serial: UInt32?, rcode: RCode = .noError) -> [UInt8] {
        var answer = query.makeResponse(rcode: rcode)
        answer.flags.insert(.aa)
        if let serial { answer.answers = [soaRecord(serial: serial)] }
        guard let bytes = try? answer.wire() else { fatalError("answer encodes") }
        return bytes
    }

    /// A current serial re-arms REFRESH and EXPIRE from the SOA, counted from the answer.
    @Test func successfulCheckArmsRefreshAndExpire() throws {
        var secondary = Self.secondary()
        let start = secondary.handle(.started, now: .zero)
        let query = try #require(udpSent(start, to: .primary).first)
        #expect(secondary.nextDeadline == .s(2), "SOA query timeout")
        let actions = secondary.handle(.datagramReceived(Self.soaAnswer(to: query, serial: 1), from: .primary), now: .s(1))
        #expect(traces(actions) == [.soaChecked(zone: origin, primarySerial: 1, ourSerial: 1)])
        #expect(secondary.nextDeadline == .s(61), "REFRESH 60 s after the answer")
        let refresh = secondary.handle(.timerFired, now: .s(61))
        #expect(udpSent(refresh, to: .primary).count == 1)
    }

    /// An older primary serial is not taken (PowerDNS `axfr-lower-serial` off).
    @Test func olderPrimarySerialKeepsTheCopy() throws {
        var secondary = Self.secondary(copy: exampleZone(serial: 5))
        let query = try #require(udpSent(secondary.handle(.started, now: .zero), to: .primary).first)
        let actions = secondary.handle(.datagramReceived(Self.soaAnswer(to: query, serial: 4), from: .primary), now: .s(1))
        #expect(!actions.contains { if case .connectTCP = $0 { return true }; return false })
        #expect(serial(secondary.copy(of: origin)) == 5)
    }

    /// A newer serial starts IXFR with our SOA over TCP.
    @Test func newerSerialStartsIXFR() throws {
        var secondary = Self.secondary()
        let query = try #require(udpSent(secondary.handle(.started, now: .zero), to: .primary).first)
        let actions = secondary.handle(.datagramReceived(Self.soaAnswer(to: query, serial: 2), from: .primary), now: .s(1))
        #expect(actions.contains(.connectTCP(to: .primary, tag: 1)))
        let connected = secondary.handle(.tcpConnected(tag: 1), now: .s(1))
        guard case .sendTCP(let bytes, .opened(1))? = connected.first else {
            Issue.record("expected the IXFR query")
            return
        }
        let ixfr = decode(bytes)
        #expect(ixfr.questions == [Question(name: origin, type: .ixfr)] && ixfr.authority == [soaRecord(serial: 1)])
    }

    /// Unanswered SOA queries are resent, then the check fails and RETRY applies.
    @Test func unansweredQueriesFallBackToRetry() throws {
        var secondary = Self.secondary()
        var queries = udpSent(secondary.handle(.started, now: .zero), to: .primary)
        queries += udpSent(secondary.handle(.timerFired, now: .s(2)), to: .primary)
        queries += udpSent(secondary.handle(.timerFired, now: .s(4)), to: .primary)
        #expect(queries.count == 3 && Set(queries.map(\.id)).count == 3)
        let failed = secondary.handle(.timerFired, now: .s(6))
        #expect(traces(failed) == [.refreshFailed(zone: origin, reason: .soaTimeout)])
        #expect(secondary.nextDeadline == .s(16), "RETRY 10 s")
        // A late answer to an abandoned query is ignored.
        let late = secondary.handle(.datagramReceived(Self.soaAnswer(to: queries[0], serial: 9), from: .primary), now: .s(7))
        #expect(late.isEmpty)
        #expect(udpSent(secondary.handle(.timerFired, now: .s(16)), to: .primary).count == 1)
    }

    /// An error RCODE or a missing SOA is a failed check.
    @Test func errorAnswerIsAFailedCheck() throws {
        var secondary = Self.secondary()
        let query = try #require(udpSent(secondary.handle(.started, now: .zero), to: .primary).first)
        let actions = secondary.handle(.datagramReceived(Self.soaAnswer(to: query, serial: nil, rcode: .servFail), from: .primary),
                                       now: .s(1))
        #expect(traces(actions) == [.refreshFailed(zone: origin, reason: .soaAnswer(.servFail))])
    }

    /// Past EXPIRE without a successful check the zone is SERVFAIL; the next success restores it.
    @Test func expiredZoneAnswersServFailUntilRefreshed() throws {
        var secondary = Self.secondary()
        var now = Instant.zero
        var actions = secondary.handle(.started, now: now)
        var expiredAt: Instant?
        while expiredAt == nil, let next = secondary.nextDeadline, next <= .s(400) {
            now = next
            actions = secondary.handle(.timerFired, now: now)
            if traces(actions).contains(.zoneExpired(zone: origin)) { expiredAt = now }
        }
        #expect(expiredAt == .s(300), "EXPIRE 300 s after the start")
        let failed = secondary.handle(.datagramReceived(queryBytes("www.example.org.", .a), from: .client(1)), now: now)
        let answer = try #require(udpSent(failed, to: .client(1)).first)
        #expect(answer.rcode == .servFail && answer.answers.isEmpty)
        #expect(secondary.isUnservable(origin))
        // Names outside our zones are still REFUSED, not SERVFAIL.
        let other = secondary.handle(.datagramReceived(queryBytes("www.example.net.", .a), from: .client(1)), now: now)
        #expect(udpSent(other, to: .client(1)).map(\.rcode) == [.refused])
        // The next check succeeds: served again.
        var query: Message?
        while query == nil, let next = secondary.nextDeadline {
            now = next
            query = udpSent(secondary.handle(.timerFired, now: now), to: .primary).first
        }
        let restored = secondary.handle(.datagramReceived(Self.soaAnswer(to: try #require(query), serial: 1), from: .primary), now: now)
        #expect(traces(restored).contains(.zoneRestored(zone: origin, serial: 1)))
        let ok = secondary.handle(.datagramReceived(queryBytes("www.example.org.", .a), from: .client(1)), now: now)
        #expect(udpSent(ok, to: .client(1)).first?.answers.map(\.description) == ["www.example.org. 300 IN A 192.0.2.10"])
    }

    /// No copy: SERVFAIL, and an AXFR at once without an SOA query.
    @Test func secondaryWithoutACopyTransfersAtOnce() throws {
        var secondary = Self.secondary(copy: nil)
        let answer = secondary.handle(.datagramReceived(queryBytes("www.example.org.", .a), from: .client(1)), now: .zero)
        #expect(udpSent(answer, to: .client(1)).map(\.rcode) == [.servFail])
        let start = secondary.handle(.started, now: .zero)
        #expect(start.first == .connectTCP(to: .primary, tag: 1))
        #expect(udpSent(start, to: .primary).isEmpty)
        let connected = secondary.handle(.tcpConnected(tag: 1), now: .ms(2))
        guard case .sendTCP(let bytes, .opened(1))? = connected.first else {
            Issue.record("expected the AXFR query")
            return
        }
        #expect(decode(bytes).questions == [Question(name: origin, type: .axfr)])
        // The connection is refused: retry after the bootstrap interval (no SOA RETRY known).
        let closed = secondary.handle(.tcpClosed(.opened(1)), now: .ms(3))
        #expect(traces(closed) == [.refreshFailed(zone: origin, reason: .connectionClosed)])
        #expect(secondary.nextDeadline == .ms(3) + .seconds(10))
    }

    /// The transfer is given up after the idle timeout (PowerDNS `axfr-fetch-timeout`).
    @Test func stalledTransferTimesOut() throws {
        var secondary = Self.secondary(copy: nil)
        _ = secondary.handle(.started, now: .zero)
        _ = secondary.handle(.tcpConnected(tag: 1), now: .ms(2))
        let timedOut = secondary.handle(.timerFired, now: .ms(2) + .seconds(10))
        #expect(timedOut.contains(.closeTCP(.opened(1))))
        #expect(traces(timedOut) == [.refreshFailed(zone: origin, reason: .transferTimeout)])
    }

    /// Poll mode: the check interval is fixed, whatever the SOA's REFRESH says.
    @Test func fixedIntervalOverridesRefresh() throws {
        var secondary = Self.secondary(refresh: .fixed(interval: .seconds(5)))
        let query = try #require(udpSent(secondary.handle(.started, now: .zero), to: .primary).first)
        _ = secondary.handle(.datagramReceived(Self.soaAnswer(to: query, serial: 1), from: .primary), now: .ms(2))
        #expect(secondary.nextDeadline == .ms(2) + .seconds(5))
    }

    /// An IXFR refused by the primary is retried as AXFR on the same connection.
    @Test func refusedIXFRFallsBackToAXFR() throws {
        var secondary = Self.secondary()
        let query = try #require(udpSent(secondary.handle(.started, now: .zero), to: .primary).first)
        _ = secondary.handle(.datagramReceived(Self.soaAnswer(to: query, serial: 2), from: .primary), now: .ms(1))
        guard case .sendTCP(let ixfrBytes, _)? = secondary.handle(.tcpConnected(tag: 1), now: .ms(2)).first else {
            Issue.record("expected the IXFR query")
            return
        }
        let refused = try decode(ixfrBytes).makeResponse(rcode: .refused).wire()
        let fallback = secondary.handle(.tcpReceived(refused, on: .opened(1)), now: .ms(3))
        guard case .sendTCP(let axfrBytes, .opened(1))? = fallback.first(where: { if case .sendTCP = $0 { return true }; return false })
        else {
            Issue.record("expected the AXFR query")
            return
        }
        let axfr = decode(axfrBytes)
        #expect(axfr.questions == [Question(name: origin, type: .axfr)])
        let newZone = exampleZone(serial: 2, extra: ["new A 192.0.2.33"])
        let answer = ZoneTransferResponder.answer(TransferRequest(query: axfr, zone: origin, type: .axfr), zone: newZone,
                                                  journal: nil, policy: TransferPolicy())
        var done: [SecondaryAction<TestAddress>] = []
        for message in answer.messages { done += secondary.handle(.tcpReceived(try message.wire(), on: .opened(1)), now: .ms(4)) }
        #expect(done.contains(.persist(newZone, diffs: [])))
        #expect(done.contains(.closeTCP(.opened(1))))
        #expect(traces(done).contains(.transferCompleted(zone: origin, serial: 2, style: .axfr, records: newZone.recordCount + 1)))
        #expect(secondary.copy(of: origin) == newZone)
    }
}
