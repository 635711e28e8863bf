import Determinism
import DNSWire
import HTTPWire
import Storage
import Testing
@testable import WebServer

/// The limits: 3 requests per 10 s per token, the daily budget per account class reset at 00:00 of
/// scenario time, and abuse blocks after repeated `nochg`. Refusals write nothing.
@Suite struct LimitsTests {
    static func at(_ seconds: Int64) -> Instant { Instant(nanoseconds: UInt64(seconds) * 1_000_000_000) }

    @Test func threeRequestsPerTenSecondsPerToken() throws {
        var h = try Harness { $0.requestsPerWindow = 3 }
        let target = "/update?key=\(h.c1.domainToken)&ip=192.0.2.1"
        for second in [0, 1, 2] as [Int64] {
            #expect(try h.get(target, now: Self.at(second)).response.status == 200)
        }
        let before = try databaseDump(h.store)
        let limited = try h.get(target, now: Self.at(9))
        #expect(limited.response.status == 429 && limited.rejections == ["ratelimit"])
        #expect(limited.response.bodyText.contains("Too Many Requests"))
        #expect(try databaseDump(h.store) == before)
        // Another token of the same account has its own window; dyndns2 gets 429 too.
        let other = try h.get("/nic/update?hostname=c1.dyn.example&myip=192.0.2.1",
                              headers: [basic("c1", h.c1.accountToken)], now: Self.at(9))
        #expect(other.response.status == 200)
        // The first request leaves the window at 10 s.
        #expect(try h.get(target, now: Self.at(10)).response.status == 200)
        #expect(try h.get(target, now: Self.at(10)).response.status == 429)
        #expect(h.server.stats.refusals(.ratelimit) == 2)
    }

    @Test func dailyBudgetResetsAtMidnightOfScenarioTime() throws {
        var h = try Harness { $0.accountClasses = [AccountClass(name: "standard", dailyUpdateLimit: 4)] }
        // The epoch is 12:00 UTC: midnight comes 12 h into the run.
        for index in 0..<4 {
            let outcome = try h.get("/update?key=\(h.c1.domainToken)&ip=192.0.2.\(index + 1)", now: Self.at(Int64(index)))
            #expect(outcome.response.status == 200)
        }
        let before = try databaseDump(h.store)
        let spent = try h.get("/update?key=\(h.c1.domainToken)&ip=192.0.2.9", now: Self.at(43_199))
        #expect(spent.response.status == 429 && spent.response.bodyText.contains("Updateintervall"))
        #expect(spent.rejections == ["budget"])
        let dyndns2 = try h.get("/nic/update?hostname=c1.dyn.example&myip=192.0.2.9",
                                headers: [basic("c1", h.c1.domainToken)], now: Self.at(43_199))
        #expect(dyndns2.response.status == 429 && dyndns2.response.bodyText.contains("Updateintervall"))
        #expect(try databaseDump(h.store) == before)
        // Another account is not affected.
        #expect(try h.get("/update?key=\(h.c0.domainToken)&ip=192.0.2.9", now: Self.at(43_199)).response.status == 200)
        // 00:00 UTC: a new day.
        #expect(try h.get("/update?key=\(h.c1.domainToken)&ip=192.0.2.9", now: Self.at(43_200)).response.status == 200)
        let day = h.server.config.day(at: Self.at(43_200))
        let account = try #require(try h.server.store.account(named: h.c1.account))
        #expect(try h.server.store.requests(ofAccount: account.id, day: day) == 1)
        #expect(try h.server.store.requests(ofAccount: account.id, day: day - 1) == 4)
    }

    @Test func nochgAnswersCountAgainstTheBudget() throws {
        var h = try Harness { $0.accountClasses = [AccountClass(name: "standard", dailyUpdateLimit: 2)] }
        let target = "/update?key=\(h.c1.domainToken)&ip=192.0.2.11"  // the provisioned address
        #expect(try h.get(target).response.bodyText == "nochg 192.0.2.11\n")
        #expect(try h.get(target).response.bodyText == "nochg 192.0.2.11\n")
        #expect(try h.get(target).response.status == 429)
    }

    @Test func repeatedNochgBlocksTheHost() throws {
        var h = try Harness { $0.abuseNochgLimit = 3; $0.abuseBlock = .seconds(600) }
        let target = "/nic/update?hostname=c1.dyn.example&myip=192.0.2.11"
        let auth = [basic("c1", h.c1.domainToken)]
        for second in [0, 60, 120] as [Int64] {
            #expect(try h.get(target, headers: auth, now: Self.at(second)).response.bodyText == "nochg 192.0.2.11\n")
        }
        let before = try databaseDump(h.store)
        let blocked = try h.get(target, headers: auth, now: Self.at(180))
        #expect(blocked.response.status == 200 && blocked.response.bodyText == "abuse\n")
        #expect(blocked.rejections == ["abuse"])
        // Even a real change is refused while blocked; IPv64 answers 429.
        let ipv64 = try h.get("/update?key=\(h.c1.domainToken)&ip=192.0.2.12", now: Self.at(300))
        #expect(ipv64.response.status == 429 && ipv64.response.bodyText == "abuse\n")
        #expect(try databaseDump(h.store) == before)
        // Other hosts are not blocked.
        #expect(try h.get("/update?key=\(h.c0.domainToken)&ip=192.0.2.10", now: Self.at(300)).response.status == 200)
        // After the block: accepted again, the count starts afresh.
        let after = try h.get("/update?key=\(h.c1.domainToken)&ip=192.0.2.12", now: Self.at(780))
        #expect(after.response.bodyText == "good 192.0.2.12\n")
    }

    @Test func goodResetsTheNochgCountAndOldNochgExpire() throws {
        var tracker = AbuseTracker(limit: 2, window: .seconds(100), block: .seconds(50))
        let host = name("c1.dyn.example.")
        tracker.record(.nochg, host: host, now: Self.at(0))
        tracker.record(.good, host: host, now: Self.at(1))
        tracker.record(.nochg, host: host, now: Self.at(2))
        #expect(!tracker.isBlocked(host, now: Self.at(3)))
        tracker.record(.nochg, host: host, now: Self.at(200))  // more than the window after the last
        #expect(!tracker.isBlocked(host, now: Self.at(201)))
        tracker.record(.nochg, host: host, now: Self.at(250))
        #expect(tracker.isBlocked(host, now: Self.at(251)) && !tracker.isBlocked(host, now: Self.at(300)))
    }
}
