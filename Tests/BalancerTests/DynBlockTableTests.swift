import DNSWire
import Determinism
import Testing

@testable import Balancer

@Suite struct DynBlockTableTests {
    /// More than 10 queries in 1 s blocks for 10 s.
    let rule = DynBlockRuleConfig(kind: .queryRate, seconds: 1, actionDuration: 10, comment: "qps", rate: 10)

    @Test func ipv6ClientsAreAggregatedPerSlash64() throws {
        var engine = try dbEngine([rule])
        dbFeed(&engine, "2001:db8:1:2::1", count: 6, fromMs: 0, responses: false)
        dbFeed(&engine, "2001:db8:1:2::ffff", count: 5, fromMs: 0, responses: false)
        dbFeed(&engine, "2001:db8:1:3::1", count: 10, fromMs: 0, responses: false)
        let events = engine.maintenance(now: dbInstant(seconds: 1))
        #expect(events.map(\.key.description) == ["2001:db8:1:2::/64"])
        #expect(dbBlocked(&engine, "2001:db8:1:2:aaaa::7", at: dbInstant(seconds: 2)) == .drop)
        #expect(dbBlocked(&engine, "2001:db8:1:3::1", at: dbInstant(seconds: 2)) == nil)
    }

    @Test func ipv4PortBitsSplitOneAddress() throws {
        var engine = try dbEngine([rule], maskPort: 2)
        dbFeed(&engine, "198.51.100.7", port: 0x4001, count: 11, fromMs: 0, responses: false)
        dbFeed(&engine, "198.51.100.7", port: 0x8001, count: 10, fromMs: 0, responses: false)
        let events = engine.maintenance(now: dbInstant(seconds: 1))
        #expect(events.count == 1)
        #expect(dbBlocked(&engine, "198.51.100.7", port: 0x7FFF, at: dbInstant(seconds: 2)) == .drop)
        #expect(dbBlocked(&engine, "198.51.100.7", port: 0x8001, at: dbInstant(seconds: 2)) == nil)
        #expect(dbBlocked(&engine, "198.51.100.7", port: 0x0001, at: dbInstant(seconds: 2)) == nil)
    }

    @Test func ipv4PrefixMaskAggregates() throws {
        var engine = try dbEngine([rule], maskIPv4: 24)
        dbFeed(&engine, "203.0.113.1", count: 6, fromMs: 0, responses: false)
        dbFeed(&engine, "203.0.113.2", count: 5, fromMs: 0, responses: false)
        #expect(engine.maintenance(now: dbInstant(seconds: 1)).map(\.key.description) == ["203.0.113.0/24"])
        #expect(dbBlocked(&engine, "203.0.113.99", at: dbInstant(seconds: 2)) == .drop)
    }

    @Test func moreSpecificRangeWinsBetweenIncludeAndExclude() throws {
        var engine = try dbEngine(
            [rule], exclude: ["10.0.0.0/8", "10.1.2.0/24"], include: ["10.1.0.0/16"]
        )
        for client in ["10.2.0.1", "10.1.0.1", "10.1.2.3", "192.0.2.1"] {
            dbFeed(&engine, client, count: 20, fromMs: 0, responses: false)
        }
        let blocked = engine.maintenance(now: dbInstant(seconds: 1)).map(\.key.description)
        #expect(blocked == ["10.1.0.1/32", "192.0.2.1/32"])
    }

    @Test func warningThenUpgradeAndNoDowngrade() throws {
        let warned = DynBlockRuleConfig(
            kind: .queryRate, seconds: 1, actionDuration: 10, comment: "qps", rate: 10, warningRate: 5
        )
        var engine = try dbEngine([warned])
        // 7 queries: above the warning rate, below the rate.
        dbFeed(&engine, "192.0.2.1", count: 7, fromMs: 0, responses: false)
        let first = engine.maintenance(now: dbInstant(seconds: 1))
        #expect(first.map(\.kind) == [.inserted])
        #expect(first.first?.warning == true && first.first?.action == .noop)
        #expect(engine.check(dbQuery("192.0.2.1", at: dbInstant(ms: 1500))) == nil)
        #expect(engine.counters.noopMatches == 1 && engine.counters.blockedQueries == 0)
        #expect(engine.activeBlocks(now: dbInstant(ms: 1500)).map(\.warning) == [true])
        #expect(engine.counters.warningEntriesInserted == 1)

        // 11 queries: the real block replaces the warning.
        dbFeed(&engine, "192.0.2.1", count: 11, fromMs: 1000, responses: false)
        let second = engine.maintenance(now: dbInstant(seconds: 2))
        #expect(second.map(\.kind) == [.upgradedFromWarning])
        #expect(second.first?.warning == false && second.first?.action == .drop)
        #expect(dbBlocked(&engine, "192.0.2.1", at: dbInstant(ms: 2500)) == .drop)

        // Back to warning level: the live real block is not downgraded nor refreshed.
        dbFeed(&engine, "192.0.2.1", count: 7, fromMs: 2000, responses: false)
        #expect(engine.maintenance(now: dbInstant(seconds: 3)).isEmpty)
        let entry = try #require(engine.activeBlocks(now: dbInstant(seconds: 3)).first)
        #expect(!entry.warning && entry.until == dbInstant(seconds: 12) && entry.action == .drop)
    }

    @Test func durationRefreshOnlyIfLaterCarryOverExpiryAndPurge() throws {
        var engine = try dbEngine([rule], settings: DynBlockSettings(purgeInterval: .seconds(20)))
        #expect(engine.maintenance(now: dbInstant(seconds: 0)).isEmpty)  // schedules the first purge at 20 s
        dbFeed(&engine, "192.0.2.1", count: 11, fromMs: 4000, responses: false)
        #expect(engine.maintenance(now: dbInstant(seconds: 5)).map(\.until) == [dbInstant(seconds: 15)])
        for ms in [5100, 5200, 5300] { #expect(dbBlocked(&engine, "192.0.2.1", at: dbInstant(ms: ms)) == .drop) }

        // Still exceeding one second later: refreshed to 16 s, blocked count carried over.
        dbFeed(&engine, "192.0.2.1", count: 11, fromMs: 5000, responses: false)
        let refreshed = engine.maintenance(now: dbInstant(seconds: 6))
        #expect(refreshed.map(\.kind) == [.refreshed] && refreshed.first?.until == dbInstant(seconds: 16))
        #expect(engine.activeBlocks(now: dbInstant(seconds: 6)).first?.blockedQueries == 3)

        // A shorter manual block does not shorten it; a longer one extends it.
        let key = ClientKey(address: IPAddress("192.0.2.1")!)
        #expect(engine.addBlock(key, reason: "manual", duration: .seconds(2), now: dbInstant(seconds: 7)) == nil)
        let longer = engine.addBlock(key, reason: "manual", action: .refused, duration: .seconds(10), now: dbInstant(seconds: 7))
        #expect(longer?.kind == .refreshed && longer?.until == dbInstant(seconds: 17) && longer?.group == nil)
        #expect(engine.activeBlocks(now: dbInstant(seconds: 7)).first?.blockedQueries == 3)
        #expect(dbBlocked(&engine, "192.0.2.1", at: dbInstant(ms: 16999)) == .refused)
        #expect(engine.activeBlocks(now: dbInstant(seconds: 7)).first?.blockedQueries == 4)

        // Expiry: stops applying at once; reported at the next maintenance; kept until the purge.
        #expect(dbBlocked(&engine, "192.0.2.1", at: dbInstant(seconds: 17)) == nil)
        let expired = engine.maintenance(now: dbInstant(seconds: 17))
        #expect(expired.map(\.kind) == [.expired] && expired.first?.at == dbInstant(seconds: 17))
        #expect(engine.maintenance(now: dbInstant(seconds: 18)).isEmpty)
        #expect(engine.activeBlocks(now: dbInstant(seconds: 18)).isEmpty)
        #expect(engine.storedBlockCounts.clients == 1)
        _ = engine.maintenance(now: dbInstant(seconds: 20))
        #expect(engine.storedBlockCounts.clients == 0)

        // A new trigger after expiry inserts afresh with a zero count.
        dbFeed(&engine, "192.0.2.1", count: 11, fromMs: 20000, responses: false)
        let again = engine.maintenance(now: dbInstant(seconds: 21))
        #expect(again.map(\.kind) == [.inserted])
        #expect(engine.activeBlocks(now: dbInstant(seconds: 21)).first?.blockedQueries == 0)
        #expect(engine.counters.clientEntriesInserted == 2)
    }

    @Test func expiredButUnpurgedEntryIsReinsertedNotRefreshed() throws {
        var engine = try dbEngine([rule])
        dbFeed(&engine, "192.0.2.1", count: 11, fromMs: 0, responses: false)
        _ = engine.maintenance(now: dbInstant(seconds: 1))
        _ = dbBlocked(&engine, "192.0.2.1", at: dbInstant(seconds: 2))
        dbFeed(&engine, "192.0.2.1", count: 11, fromMs: 11500, spanMs: 400, responses: false)
        let events = engine.maintenance(now: dbInstant(seconds: 12))
        #expect(events.map(\.kind) == [.expired, .inserted])
        #expect(engine.activeBlocks(now: dbInstant(seconds: 12)).first?.blockedQueries == 0)
    }

    @Test func truncateOnlyOverUDP() throws {
        var engine = try dbEngine([])
        let key = ClientKey(address: IPAddress("192.0.2.1")!)
        _ = engine.addBlock(key, reason: "tc", action: .truncate, duration: .seconds(10), now: .zero)
        let at = dbInstant(seconds: 1)
        #expect(engine.check(dbQuery("192.0.2.1", transport: .do53UDP, at: at))?.action == .truncate)
        for transport in [FrontendProtocol.do53TCP, .dot, .doh] {
            #expect(engine.check(dbQuery("192.0.2.1", transport: transport, at: at)) == nil)
        }
        #expect(engine.counters.truncated == 1 && engine.counters.truncateNotApplied == 3)
        #expect(engine.activeBlocks(now: at).first?.blockedQueries == 1)

        // Over TCP the truncate entry falls through to the suffix table.
        _ = engine.addSuffixBlock(DNSName("example.")!, reason: "zone", action: .refused, duration: .seconds(10), now: .zero)
        #expect(engine.check(dbQuery("192.0.2.1", transport: .do53TCP, at: at))?.action == .refused)
    }

    @Test func clientBlocksComeBeforeSuffixBlocks() throws {
        var engine = try dbEngine([])
        _ = engine.addSuffixBlock(DNSName("Example.")!, reason: "zone", action: .refused, now: .zero)
        _ = engine.addBlock(ClientKey(address: IPAddress("192.0.2.1")!), reason: "client", action: .drop, now: .zero)
        let at = dbInstant(seconds: 1)
        let first = engine.check(dbQuery("192.0.2.1", name: "www.example.", at: at))
        let decision = try #require(first)
        #expect(decision.action == .drop && decision.reason == "client" && decision.keyDescription == "192.0.2.1/32")
        let second = engine.check(dbQuery("192.0.2.2", name: "WWW.EXAMPLE.", at: at))
        let other = try #require(second)
        #expect(other.action == .refused && other.key == .suffix(DNSName("example.")!))
        #expect(engine.check(dbQuery("192.0.2.2", name: "www.example.net.", at: at)) == nil)
        #expect(engine.check(dbQuery("192.0.2.2", name: "notexample.", at: at)) == nil)
    }

    @Test func mostSpecificEntriesWin() throws {
        var engine = try dbEngine([])
        _ = engine.addBlock(ClientKey(address: IPAddress("192.0.2.1")!, v4Mask: 24), reason: "net", action: .drop, now: .zero)
        _ = engine.addBlock(ClientKey(address: IPAddress("192.0.2.1")!), reason: "host", action: .nxdomain, now: .zero)
        _ = engine.addSuffixBlock(DNSName("example.")!, reason: "zone", action: .refused, now: .zero)
        _ = engine.addSuffixBlock(DNSName("sub.example.")!, reason: "sub", action: .nxdomain, now: .zero)
        let at = dbInstant(seconds: 1)
        #expect(engine.check(dbQuery("192.0.2.1", at: at))?.reason == "host")
        #expect(engine.check(dbQuery("192.0.2.9", at: at))?.reason == "net")
        #expect(engine.check(dbQuery("198.51.100.1", name: "a.sub.example.", at: at))?.reason == "sub")
        #expect(engine.check(dbQuery("198.51.100.1", name: "a.other.example.", at: at))?.reason == "zone")
        let keys = engine.activeBlocks(now: at).map(\.key.description)
        #expect(keys == ["192.0.2.0/24", "192.0.2.1/32", "example.", "sub.example."])
    }

    @Test func noopEntriesNeverAct() throws {
        var engine = try dbEngine([])
        _ = engine.addBlock(ClientKey(address: IPAddress("192.0.2.1")!), reason: "watch", action: .noop, now: .zero)
        #expect(engine.check(dbQuery("192.0.2.1", at: dbInstant(seconds: 1))) == nil)
        #expect(engine.counters.noopMatches == 1 && engine.counters.blockedQueries == 0)
        #expect(engine.activeBlocks(now: dbInstant(seconds: 1)).first?.blockedQueries == 0)
    }

    @Test func noBlocksMeansNoDecision() throws {
        var engine = try dbEngine([rule])
        dbFeed(&engine, "192.0.2.1", count: 5, fromMs: 0)
        #expect(engine.maintenance(now: dbInstant(seconds: 1)).isEmpty)
        #expect(engine.check(dbQuery("192.0.2.1", at: dbInstant(seconds: 1))) == nil)
        #expect(engine.counters == DynBlockCounters())
    }

    @Test func clearBlocksEmptiesTables() throws {
        var engine = try dbEngine([])
        _ = engine.addBlock(ClientKey(address: IPAddress("192.0.2.1")!), reason: "x", now: .zero)
        _ = engine.addSuffixBlock(DNSName("example.")!, reason: "y", now: .zero)
        engine.clearBlocks()
        #expect(engine.storedBlockCounts == (clients: 0, suffixes: 0))
        #expect(engine.check(dbQuery("192.0.2.1", at: dbInstant(seconds: 1))) == nil)
    }
}
