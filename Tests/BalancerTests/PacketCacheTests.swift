import DNSWire
import Determinism
import Testing

@testable import Balancer

@Suite struct PacketCacheTests {
    private func query(
        _ name: String, type: RRType = .a, id: UInt16 = 0x1234, rd: Bool = true, edns: EDNS? = nil
    ) throws -> [UInt8] {
        try Message.query(id: id, name: Fixture.name(name), type: type, recursionDesired: rd, edns: edns).wire()
    }

    private func view(_ bytes: [UInt8], transport: FrontendProtocol = .do53UDP, at: Instant = .zero) throws -> QueryView {
        let message = try Message(wire: bytes)
        let question = try #require(message.question)
        return QueryView(client: Fixture.client, clientPort: 4000, transport: transport, id: message.id,
                         qname: question.name, qtype: question.type, qclass: question.class, opcode: message.opcode,
                         flags: message.flags, dnssecOK: message.edns?.dnssecOK ?? false,
                         ednsPayloadSize: message.edns?.udpPayloadSize, size: bytes.count, arrival: at)
    }

    private func soa(_ zone: String, ttl: UInt32) -> ResourceRecord {
        ResourceRecord(name: Fixture.name(zone), ttl: ttl, rdata: .soa(SOA(
            mname: Fixture.name("ns1.\(zone)"), rname: Fixture.name("hostmaster.\(zone)"), serial: 1, refresh: 3600,
            retry: 600, expire: 86400, minimum: 300)))
    }

    /// The answer to `bytes`: A records with `ttls`, an optional SOA in authority.
    private func response(
        to bytes: [UInt8], rcode: RCode = .noError, ttls: [UInt32] = [300], soaTTL: UInt32? = nil,
        additionalTTL: UInt32? = nil, truncated: Bool = false, edns: EDNS? = nil
    ) throws -> [UInt8] {
        let query = try Message(wire: bytes)
        var message = query.makeResponse(rcode: rcode)
        let name = try #require(query.question?.name)
        message.answers = ttls.enumerated().map { index, ttl in
            ResourceRecord(name: name, ttl: ttl, rdata: .a(IPv4Address(192, 0, 2, UInt8(index + 1))))
        }
        if let soaTTL { message.authority = [soa("example.com.", ttl: soaTTL)] }
        if let additionalTTL {
            message.additional = [ResourceRecord(name: Fixture.name("ns1.example.com."), ttl: additionalTTL,
                                                 rdata: .a(IPv4Address(192, 0, 2, 53)))]
        }
        if truncated { message.flags.insert(.tc) }
        message.edns = edns
        return try message.wire()
    }

    private func cache(_ config: PacketCacheConfig = PacketCacheConfig(name: "pc", size: 100),
                       settings: CacheSettings = CacheSettings()) throws -> BalancerPacketCache
    {
        try BalancerPacketCache(config: config, settings: settings)
    }

    /// Looks the query up (expecting a miss) and inserts the answer at `at`.
    @discardableResult
    private func fill(_ cache: inout BalancerPacketCache, _ bytes: [UInt8], _ answer: [UInt8],
                      transport: FrontendProtocol = .do53UDP, at: Instant = .zero) throws -> Bool
    {
        let view = try view(bytes, transport: transport, at: at)
        guard case .miss(let key) = cache.lookup(query: bytes, view: view, now: at, noBackendUp: false) else {
            Issue.record("expected a miss")
            return false
        }
        return cache.insert(key: key, view: view, response: answer, now: at)
    }

    private func lookup(_ cache: inout BalancerPacketCache, _ bytes: [UInt8], transport: FrontendProtocol = .do53UDP,
                        at: Instant, noBackendUp: Bool = false) throws -> Message?
    {
        let view = try view(bytes, transport: transport, at: at)
        guard case .hit(let answer) = cache.lookup(query: bytes, view: view, now: at, noBackendUp: noBackendUp) else {
            return nil
        }
        return try Message(wire: answer)
    }

    @Test func hitRestoresIDAndCaseAndAgesTTLs() throws {
        var cache = try cache()
        let first = try query("WwW.Example.COM.", id: 0x1111)
        #expect(try fill(&cache, first, try response(to: first, ttls: [300, 600])))
        let second = try query("www.example.com.", id: 0x2222)
        let hit = try #require(try lookup(&cache, second, at: Fixture.at(10, ms: 900)))
        #expect(hit.id == 0x2222)
        #expect(try #require(hit.question).name.isIdentical(to: Fixture.name("www.example.com.")))
        #expect(hit.answers.map(\.ttl) == [290, 590])
        #expect(cache.stats.hits == 1 && cache.stats.misses == 1 && cache.stats.insertions == 1 && cache.count == 1)
    }

    @Test func dontAgeServesTTLsUnchanged() throws {
        var cache = try cache(PacketCacheConfig(name: "pc", size: 10, dontAge: true))
        let bytes = try query("www.example.com.")
        try fill(&cache, bytes, try response(to: bytes, ttls: [300]))
        #expect(try lookup(&cache, bytes, at: Fixture.at(100))?.answers.map(\.ttl) == [300])
        #expect(try lookup(&cache, bytes, at: Fixture.at(300)) == nil)
    }

    @Test func positiveTTLIsTheMinimumCappedByMaxTTL() throws {
        var cache = try cache()
        let bytes = try query("www.example.com.")
        // The additional section counts, OPT does not.
        try fill(&cache, bytes, try response(to: bytes, ttls: [300, 200], additionalTTL: 120, edns: EDNS()))
        #expect(try lookup(&cache, bytes, at: Fixture.at(119)) != nil)
        #expect(try lookup(&cache, bytes, at: Fixture.at(120)) == nil)

        var capped = try self.cache(PacketCacheConfig(name: "pc", size: 10, maxTTL: 86400))
        try fill(&capped, bytes, try response(to: bytes, ttls: [100_000]))
        #expect(try lookup(&capped, bytes, at: Fixture.at(86399))?.answers.first?.ttl == 100_000 - 86399)
        #expect(try lookup(&capped, bytes, at: Fixture.at(86400)) == nil)
    }

    @Test func answersBelowMinTTLAreNotCached() throws {
        var cache = try cache(PacketCacheConfig(name: "pc", size: 10, minTTL: 10))
        let bytes = try query("www.example.com.")
        #expect(try !fill(&cache, bytes, try response(to: bytes, ttls: [5])))
        #expect(cache.stats.ttlTooShort == 1 && cache.count == 0)
        #expect(try fill(&cache, bytes, try response(to: bytes, ttls: [10])))
    }

    @Test func negativeAnswersAreCappedByMaxNegativeTTL() throws {
        for rcode in [RCode.nxDomain, .noError] {
            var cache = try cache()
            let bytes = try query("nothere.example.com.")
            #expect(try fill(&cache, bytes, try response(to: bytes, rcode: rcode, ttls: [], soaTTL: 7200)))
            #expect(try lookup(&cache, bytes, at: Fixture.at(3599))?.authority.first?.ttl == 7200 - 3599)
            #expect(try lookup(&cache, bytes, at: Fixture.at(3600)) == nil)
        }
        // Below the cap the SOA's own TTL rules.
        var cache = try cache()
        let bytes = try query("nothere.example.com.")
        try fill(&cache, bytes, try response(to: bytes, rcode: .nxDomain, ttls: [], soaTTL: 300))
        #expect(try lookup(&cache, bytes, at: Fixture.at(299)) != nil)
        #expect(try lookup(&cache, bytes, at: Fixture.at(300)) == nil)
        // An NXDOMAIN without any record has no TTL: not cached.
        var bare = try self.cache()
        #expect(try !fill(&bare, bytes, try response(to: bytes, rcode: .nxDomain, ttls: [])))
    }

    @Test func temporaryFailuresUseTheirOwnTTL() throws {
        for rcode in [RCode.servFail, .refused] {
            var cache = try cache()
            let bytes = try query("www.example.com.")
            #expect(try fill(&cache, bytes, try response(to: bytes, rcode: rcode, ttls: [])))
            #expect(try lookup(&cache, bytes, at: Fixture.at(59))?.rcode == rcode)
            #expect(try lookup(&cache, bytes, at: Fixture.at(60)) == nil)
            var off = try self.cache(PacketCacheConfig(name: "pc", size: 10, temporaryFailureTTL: 0))
            #expect(try !fill(&off, bytes, try response(to: bytes, rcode: rcode, ttls: [])))
        }
    }

    @Test func truncatedAnswersNeedTruncatedTTL() throws {
        let bytes = try query("big.example.com.")
        var cache = try cache()
        #expect(try !fill(&cache, bytes, try response(to: bytes, ttls: [], truncated: true)))
        var enabled = try self.cache(PacketCacheConfig(name: "pc", size: 10, truncatedTTL: 5))
        #expect(try fill(&enabled, bytes, try response(to: bytes, ttls: [], truncated: true)))
        #expect(try lookup(&enabled, bytes, at: Fixture.at(4))?.flags.contains(.tc) == true)
        #expect(try lookup(&enabled, bytes, at: Fixture.at(5)) == nil)
    }

    @Test func oversizedTransfersAndFullCachesAreNotStored() throws {
        var small = try cache(PacketCacheConfig(name: "pc", size: 10, maximumEntrySize: 60))
        let bytes = try query("www.example.com.")
        #expect(try !fill(&small, bytes, try response(to: bytes, ttls: [300, 300, 300])))
        #expect(try fill(&small, bytes, try response(to: bytes, ttls: [300])))

        var cache = try cache()
        for type in [RRType.axfr, .ixfr] {
            let transfer = try query("example.com.", type: type)
            #expect(cache.lookup(query: transfer, view: try view(transfer), now: .zero, noBackendUp: false) == .uncacheable)
            let stored = cache.insert(key: 1, view: try view(transfer), response: try response(to: transfer), now: .zero)
            #expect(!stored)
        }

        var full = try self.cache(PacketCacheConfig(name: "pc", size: 2))
        for name in ["a.example.", "b.example."] {
            let q = try query(name)
            #expect(try fill(&full, q, try response(to: q)))
        }
        let third = try query("c.example.")
        #expect(try !fill(&full, third, try response(to: third)))
        #expect(full.stats.skippedFull == 1 && full.isFull)
    }

    @Test func keySeparatesTransportFlagsAndEDNS() throws {
        var cache = try cache()
        let plain = try query("www.example.com.")
        try fill(&cache, plain, try response(to: plain))
        // Same question, case aside: a hit.
        #expect(try lookup(&cache, try query("WWW.EXAMPLE.COM.", id: 9), at: Fixture.at(1)) != nil)
        // TCP (and DoT/DoH) queries have their own entries.
        #expect(try lookup(&cache, plain, transport: .do53TCP, at: Fixture.at(1)) == nil)
        #expect(try lookup(&cache, plain, transport: .doh, at: Fixture.at(1)) == nil)
        try fill(&cache, plain, try response(to: plain, ttls: [50]), transport: .do53TCP, at: Fixture.at(1))
        #expect(try lookup(&cache, plain, transport: .dot, at: Fixture.at(2))?.answers.first?.ttl == 49)
        // RD, the DO bit, the payload size and other EDNS options change the key.
        #expect(try lookup(&cache, try query("www.example.com.", rd: false), at: Fixture.at(1)) == nil)
        let edns = EDNS(udpPayloadSize: 1232)
        let withEDNS = try query("www.example.com.", edns: edns)
        try fill(&cache, withEDNS, try response(to: withEDNS, edns: edns))
        #expect(try lookup(&cache, withEDNS, at: Fixture.at(1)) != nil)
        #expect(try lookup(&cache, try query("www.example.com.", edns: EDNS(udpPayloadSize: 1232, dnssecOK: true)),
                           at: Fixture.at(1)) == nil)
        #expect(try lookup(&cache, try query("www.example.com.", edns: EDNS(udpPayloadSize: 4096)), at: Fixture.at(1))
            == nil)
        // Cookies (10) and padding (12) are skipped: only their code and length count.
        let cookieA = try query("www.example.com.", edns: EDNS(udpPayloadSize: 1232, options: [
            .cookie(Cookie(client: [1, 2, 3, 4, 5, 6, 7, 8])),
        ]))
        try fill(&cache, cookieA, try response(to: cookieA, edns: edns))
        let cookieB = try query("www.example.com.", edns: EDNS(udpPayloadSize: 1232, options: [
            .cookie(Cookie(client: [8, 7, 6, 5, 4, 3, 2, 1])),
        ]))
        #expect(try lookup(&cache, cookieB, at: Fixture.at(1)) != nil)
        // Client subnet (8) is not skipped by default.
        let subnetA = try query("www.example.com.", edns: EDNS(udpPayloadSize: 1232, options: [
            .clientSubnet(ClientSubnet(family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, address: [192, 0, 2])),
        ]))
        try fill(&cache, subnetA, try response(to: subnetA, edns: edns))
        let subnetB = try query("www.example.com.", edns: EDNS(udpPayloadSize: 1232, options: [
            .clientSubnet(ClientSubnet(family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, address: [198, 51, 100])),
        ]))
        #expect(try lookup(&cache, subnetB, at: Fixture.at(1)) == nil)
        #expect(try lookup(&cache, subnetA, at: Fixture.at(1)) != nil)
    }

    @Test func staleEntriesOnlyWhenNoBackendIsUp() throws {
        var cache = try cache(settings: CacheSettings(staleEntriesTTL: 30))
        let bytes = try query("www.example.com.")
        try fill(&cache, bytes, try response(to: bytes, ttls: [10, 20]))
        #expect(try lookup(&cache, bytes, at: Fixture.at(15)) == nil)
        let stale = try #require(try lookup(&cache, bytes, at: Fixture.at(15), noBackendUp: true))
        #expect(stale.answers.map(\.ttl) == [60, 60])
        #expect(cache.lastLookupWasStale && cache.stats.staleHits == 1)
        #expect(try lookup(&cache, bytes, at: Fixture.at(39, ms: 999), noBackendUp: true) != nil)
        #expect(try lookup(&cache, bytes, at: Fixture.at(40), noBackendUp: true) == nil)
        // Stale serving is off by default.
        var plain = try self.cache()
        try fill(&plain, bytes, try response(to: bytes, ttls: [10]))
        #expect(try lookup(&plain, bytes, at: Fixture.at(11), noBackendUp: true) == nil)
    }

    @Test func keepStaleDataSuspendsCleaningWhileNoBackendIsUp() throws {
        for keep in [false, true] {
            var cache = try cache(PacketCacheConfig(name: "pc", size: 10, keepStaleData: keep))
            let bytes = try query("www.example.com.")
            try fill(&cache, bytes, try response(to: bytes, ttls: [10]))
            #expect(cache.nextCleaning == Fixture.at(60))
            #expect(cache.cleaningTick(now: Fixture.at(59), noBackendUp: true) == 0)
            #expect(cache.cleaningTick(now: Fixture.at(60), noBackendUp: true) == (keep ? 0 : 1))
            #expect(cache.nextCleaning == Fixture.at(120))
            #expect(cache.cleaningTick(now: Fixture.at(120), noBackendUp: false) == (keep ? 1 : 0))
            #expect(cache.count == 0)
        }
    }

    @Test func expungeByNameTypeAndSuffix() throws {
        var cache = try cache()
        let names: [(String, RRType)] = [
            ("a.example.com.", .a), ("a.example.com.", .aaaa), ("b.a.example.com.", .a), ("other.org.", .a),
        ]
        func fillAll(_ names: ArraySlice<(String, RRType)>) throws {
            for (name, type) in names {
                let bytes = try query(name, type: type)
                var message = try Message(wire: bytes).makeResponse()
                message.answers = [ResourceRecord(name: Fixture.name(name), ttl: 300,
                                                  rdata: type == .a ? .a(IPv4Address(192, 0, 2, 1))
                                                      : .aaaa(IPv6Address(high: 1, low: 1)))]
                _ = try fill(&cache, bytes, try message.wire())
            }
        }
        try fillAll(names[...])
        #expect(cache.count == 4)
        #expect(cache.expunge(name: Fixture.name("A.EXAMPLE.COM."), qtype: .a) == 1)
        #expect(cache.expunge(name: Fixture.name("a.example.com.")) == 1)
        #expect(cache.count == 2)
        try fillAll(names.prefix(2))
        #expect(cache.count == 4)
        #expect(cache.expunge(name: Fixture.name("example.com."), suffixMatch: true) == 3)
        #expect(try lookup(&cache, try query("other.org."), at: Fixture.at(1)) != nil)
        #expect(cache.expunge(name: Fixture.name("example.com."), qtype: .any, suffixMatch: true) == 0)
        #expect(cache.expungeAll() == 1 && cache.count == 0)
        #expect(cache.stats.expunged == 6)
    }

    @Test func purgeExpiredKeepsLiveEntriesAndHonoursUpTo() throws {
        var cache = try cache()
        for (index, ttl) in [10, 100, 10, 10].enumerated() {
            let bytes = try query("n\(index).example.")
            try fill(&cache, bytes, try response(to: bytes, ttls: [UInt32(ttl)]))
        }
        #expect(cache.purgeExpired(now: Fixture.at(50), upTo: 2) == 2)
        #expect(cache.count == 2)
        #expect(cache.purgeExpired(now: Fixture.at(50)) == 1)
        #expect(try lookup(&cache, try query("n1.example."), at: Fixture.at(50)) != nil)
        // Freed slots are reused.
        let again = try query("n9.example.")
        #expect(try fill(&cache, again, try response(to: again), at: Fixture.at(50)))
        #expect(cache.count == 2)
    }

    @Test func existingEntriesWinUnlessTheNewOneLivesLonger() throws {
        var cache = try cache()
        let bytes = try query("www.example.com.")
        let view = try view(bytes)
        guard case .miss(let key) = cache.lookup(query: bytes, view: view, now: .zero, noBackendUp: false) else {
            Issue.record("expected a miss")
            return
        }
        var stored = cache.insert(key: key, view: view, response: try response(to: bytes, ttls: [300]), now: .zero)
        #expect(stored)
        stored = cache.insert(key: key, view: view, response: try response(to: bytes, ttls: [100]), now: .zero)
        #expect(!stored)
        stored = cache.insert(key: key, view: view, response: try response(to: bytes, ttls: [900]), now: .zero)
        #expect(stored)
        #expect(cache.stats.replacements == 1 && cache.count == 1)
        // A different question under the same key (a forced collision) neither overwrites nor hits.
        let other = try self.view(try query("mail.example.com."))
        stored = cache.insert(key: key, view: other, response: try response(to: try query("mail.example.com.")),
                              now: .zero)
        #expect(!stored)
        #expect(cache.stats.insertCollisions == 1)
    }

    @Test func badCacheConfigurationIsATypedError() {
        #expect(throws: BalancerConfigError.badCacheSize(cache: "pc", size: 0)) {
            try BalancerPacketCache(config: PacketCacheConfig(name: "pc", size: 0))
        }
        #expect(throws: BalancerConfigError.badCacheSetting(cache: "pc", field: "cleaning_percentage")) {
            try BalancerPacketCache(config: PacketCacheConfig(name: "pc", size: 1),
                                    settings: CacheSettings(cleaningPercentage: 101))
        }
        let config = PacketCacheConfig(name: "pc", size: 1)
        #expect(config.maxTTL == 86400 && config.minTTL == 0 && config.maxNegativeTTL == 3600)
        #expect(config.temporaryFailureTTL == 60 && config.truncatedTTL == 0 && config.staleTTL == 60)
        #expect(!config.dontAge && !config.keepStaleData && config.skipOptions == [10, 12])
        #expect(config.maximumEntrySize == 4096)
        let settings = CacheSettings()
        #expect(settings.staleEntriesTTL == 0 && settings.cleaningDelay == .seconds(60) && settings.cleaningPercentage == 100)
    }
}
