import DNSWire
import Determinism
import Testing

@testable import Traffic

/// Each client model's timing and error paths against canned answers (research/dyndns.md §4).
@Suite struct UpdaterClientTests {
    /// 23:00 wall time: 2,800 s after the fixtures' epoch (22:13:20).
    static let changeAt: Int64 = 2_800

    /// One customer whose IPv4 address changes once (at `changeAt`, and daily after).
    static func harness(_ model: UpdaterModel, v6: Bool = false, hours: Int64 = 2) -> FleetHarness {
        let change = IPChangeProcess(schedule: .daily(atSecondOfDay: 23 * 3_600, spread: .zero),
                                     scope: v6 ? .v4AndV6Prefix : .v4, customers: [0])
        return FleetHarness(FleetFixtures.config(customers: [FleetFixtures.customer(0, v6: v6)], models: [model],
                                                 changes: [change], hours: hours))
    }

    static func gaps(_ requests: [FleetRequest]) -> [Int64] {
        zip(requests.dropFirst(), requests).map { ($0.sentAt - $1.sentAt).nanoseconds / 1_000_000_000 }
    }

    // MARK: ddclient

    @Test func ddclientSendsOnlyWhenTheAddressChanged() throws {
        var harness = Self.harness(.ddclient())
        harness.run(until: FleetFixtures.seconds(7_200))
        let fleet = harness.fleet
        try #require(fleet.ipChanges.count == 1)
        #expect(fleet.ipChanges[0].at == FleetFixtures.seconds(Self.changeAt))
        try #require(fleet.requests.count == 1)
        let request = fleet.requests[0]
        #expect(request.sentAt >= FleetFixtures.seconds(Self.changeAt))
        #expect(request.sentAt < FleetFixtures.seconds(Self.changeAt + 360))
        #expect(request.v4 == fleet.ipChanges[0].newV4)
        #expect(request.code == "good")
        #expect(harness.seen[0].client == fleet.addressIndex(customer: 0))
        #expect(fleet.counters[0].succeeded == 1)
    }

    @Test func ddclientTreatsNochgAsGood() {
        var harness = Self.harness(.ddclient())
        harness.reply = { _ in .respond(200, "nochg 10.0.0.9") }
        harness.run(until: FleetFixtures.seconds(7_200))
        #expect(harness.fleet.requests.count == 1)
        #expect(harness.fleet.counters[0].nochg == 1)
        #expect(harness.fleet.counters[0].succeeded == 1)
    }

    @Test(arguments: [
        FleetHarness.Reply.respond(200, "badauth"), .respond(200, "911"), .respond(200, "whatever"),
        .respond(401, "badauth"), .respond(500, "oops"), .close, .silent,
    ])
    func ddclientRetriesAfterMinErrorIntervalForEver(reply: FleetHarness.Reply) throws {
        var harness = Self.harness(.ddclient())
        harness.reply = { _ in reply }
        harness.run(until: FleetFixtures.seconds(7_200))
        let requests = harness.fleet.requests
        // First try after the change, then one per check at least 5 minutes after the attempt: with
        // 300 s checks and up to 60 s jitter, every 300 to 360 s until the end.
        try #require(requests.count >= 12)
        #expect(Self.gaps(requests).allSatisfy { (300..<360).contains($0) })
        #expect(requests.dropFirst().allSatisfy { $0.isRetry })
        #expect(harness.fleet.counters[0].failed == requests.filter { $0.answeredAt != nil }.count)
        #expect(!harness.fleet.hasExited(customer: 0))
    }

    @Test func ddclientStopsRetryingOnceAnUpdateSucceeds() {
        var harness = Self.harness(.ddclient())
        var answers = 0
        harness.reply = { _ in
            answers += 1
            return answers < 3 ? .respond(200, "dnserr") : .respond(200, "good 10.0.0.2")
        }
        harness.run(until: FleetFixtures.seconds(7_200))
        #expect(harness.fleet.requests.map(\.code) == ["dnserr", "dnserr", "good"])
    }

    @Test func ddclientForcesAnUpdateAfterMaxInterval() {
        var settings = DDClientSettings()
        settings.maxInterval = .seconds(3_600)
        var harness = FleetHarness(FleetFixtures.config(customers: [FleetFixtures.customer(0)],
                                                        models: [.ddclient(settings)], hours: 5))
        harness.run(until: FleetFixtures.seconds(5 * 3_600))
        // No change at all: the first forced update within the first hour (the last success lies
        // up to an hour before the start), then one every hour at the first check past it.
        #expect((4...6).contains(harness.fleet.requests.count))
        #expect(harness.fleet.requests[0].sentAt < FleetFixtures.seconds(3_600 + 360))
        #expect(Self.gaps(harness.fleet.requests).allSatisfy { (3_600..<3_960).contains($0) })
    }

    @Test func forcedUpdatesOfARunningFleetTrickleIn() {
        var settings = DDClientSettings()
        settings.maxInterval = .seconds(86_400)
        let customers = (0..<200).map { FleetFixtures.customer($0) }
        var harness = FleetHarness(FleetFixtures.config(customers: customers, models: [.ddclient(settings)], hours: 12))
        harness.recording = false
        harness.run(until: FleetFixtures.seconds(12 * 3_600))
        let requests = harness.fleet.requests
        // Last successes spread over the day before the start: about half are due within 12 hours,
        // evenly, not all at once.
        #expect((70...130).contains(requests.count))
        #expect(requests.filter { $0.sentAt < FleetFixtures.seconds(3_600) }.count < 20)
        #expect(Set(requests.map(\.customer)).count == requests.count)
    }

    // MARK: inadyn

    @Test(arguments: [
        (FleetHarness.Reply.respond(200, "911"), Int64(600)), (.respond(200, "dnserr"), 600),
        (.respond(200, "abuse"), 600), (.respond(500, "Internal error"), 600), (.respond(503, ""), 600),
        (.close, 600), (.silent, 620),
    ])
    func inadynWaitsTheErrorPeriodAfterTemporaryErrors(reply: FleetHarness.Reply, gap: Int64) throws {
        var harness = Self.harness(.inadyn())
        harness.reply = { _ in reply }
        harness.run(until: FleetFixtures.seconds(7_200))
        let requests = harness.fleet.requests
        try #require(requests.count >= 5)
        #expect(requests[0].sentAt >= FleetFixtures.seconds(Self.changeAt))
        #expect(requests[0].sentAt < FleetFixtures.seconds(Self.changeAt + 120))
        // The 600 s wait starts when the answer (or the 20 s timeout) ends the round.
        #expect(Self.gaps(requests).allSatisfy { $0 == gap })
        #expect(!harness.fleet.hasExited(customer: 0))
    }

    @Test(arguments: [
        FleetHarness.Reply.respond(200, "badauth"), .respond(200, "!donator"), .respond(200, "nohost"),
        .respond(200, "notfqdn"), .respond(200, "unexpected"), .respond(401, "Unauthorized"),
        .respond(403, "Forbidden"), .respond(429, "Updateintervall"),
    ])
    func inadynExitsAfterFatalAnswers(reply: FleetHarness.Reply) {
        var harness = Self.harness(.inadyn(), hours: 24)
        harness.reply = { _ in reply }
        harness.run(until: FleetFixtures.seconds(24 * 3_600))
        #expect(harness.fleet.requests.count == 1)
        #expect(harness.fleet.counters[0].exited == 1)
        #expect(harness.fleet.hasExited(customer: 0))
        #expect(harness.fleet.ipChanges.count == 1)
    }

    @Test func inadynSendsOneRequestPerFamilyAndThenWaits() {
        var harness = Self.harness(.inadyn(), v6: true)
        harness.run(until: FleetFixtures.seconds(7_200))
        let requests = harness.fleet.requests
        #expect(requests.map(\.families) == [.v4, .v6])
        #expect(requests.map(\.sentAt) == [requests[0].sentAt, requests[0].sentAt])
        #expect(requests[1].v6 == harness.fleet.ipChanges[0].newV6)
    }

    @Test func inadynStatusOnlyCheckAcceptsAny200() {
        var settings = InadynSettings()
        settings.responseCheck = .statusOnly
        var harness = Self.harness(.inadyn(settings))
        harness.reply = { _ in .respond(200, "badauth") }
        harness.run(until: FleetFixtures.seconds(7_200))
        #expect(harness.fleet.requests.count == 1)
        #expect(!harness.fleet.hasExited(customer: 0))
    }

    // MARK: FRITZ!Box

    @Test func fritzBoxSendsBothFamiliesRightAfterEachReconnect() throws {
        var harness = Self.harness(.fritzbox(), v6: true, hours: 26)
        harness.run(until: FleetFixtures.seconds(26 * 3_600))
        let fleet = harness.fleet
        try #require(fleet.ipChanges.count == 2)
        try #require(fleet.requests.count == 4)
        for (round, change) in fleet.ipChanges.enumerated() {
            let pair = Array(fleet.requests[(2 * round)..<(2 * round + 2)])
            #expect(pair.map(\.sentAt) == [change.at, change.at])
            #expect(pair.map(\.families) == [.v4, .v6])
            #expect(pair[0].v4 == change.newV4)
            #expect(pair[1].v6 == change.newV6)
        }
        #expect(harness.seen[1].text.contains("&ipv6prefix=2001:db8:ff00::/64 "))
    }

    @Test func fritzBoxRetriesAFailedRoundThreeTimesAMinuteApart() {
        var harness = Self.harness(.fritzbox(), v6: true)
        harness.reply = { _ in .respond(500, "") }
        harness.run(until: FleetFixtures.seconds(7_200))
        let requests = harness.fleet.requests
        let change = Self.changeAt
        #expect(requests.map { Int64($0.sentAt.seconds) } == [0, 0, 60, 60, 120, 120, 180, 180].map { change + $0 })
        #expect(requests.filter(\.isRetry).count == 6)
        #expect(harness.fleet.counters[0].retries == 6)
    }

    @Test func fritzBoxRetriesOnlyTheFamilyThatFailed() {
        var harness = Self.harness(.fritzbox(), v6: true)
        harness.reply = { text in text.contains("ip6=") ? .respond(200, "badauth") : .respond(200, "good 10.0.0.2") }
        harness.run(until: FleetFixtures.seconds(7_200))
        #expect(harness.fleet.requests.map(\.families) == [.v4, .v6, .v6, .v6, .v6])
    }

    // MARK: cron

    @Test func cronSendsEveryFiveMinutesOnTheClockWhateverHappens() throws {
        var harness = Self.harness(.cron())
        harness.reply = { _ in .respond(401, "badauth") }
        harness.run(until: FleetFixtures.seconds(7_200))
        let requests = harness.fleet.requests
        try #require(requests.count == 24)
        for request in requests {
            let wall = FleetFixtures.epoch * 1_000_000_000 + request.sentAt.nanoseconds
            #expect(wall % 300_000_000_000 < 2_000_000_000)
        }
        #expect(Self.gaps(requests).allSatisfy { $0 == 300 })
        #expect(harness.fleet.counters[0].failed == 0)
        #expect(harness.fleet.counters[0].retries == 0)
        // After the change the script sends the new address.
        let change = harness.fleet.ipChanges[0]
        #expect(requests.filter { $0.sentAt > change.at }.allSatisfy { $0.v4 == change.newV4 })
    }
}
