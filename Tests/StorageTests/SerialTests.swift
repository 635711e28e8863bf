import Determinism
import DNSWire
import DNSZone
import Storage
import Testing

/// SOA-EDIT-API semantics (PowerDNS serialtweaker.cc calculateIncreaseSOA), with RFC 1982 arithmetic.
@Suite struct SerialTests {
    /// 2024-03-09 12:00:00 UTC.
    static let march9 = Int64(1_709_985_600)

    @Test(arguments: [
        // DEFAULT: YYYYMMDD01 of the day when that is newer, else + 1.
        (SOAEditAPI.default, UInt32(2_024_030_100), march9, UInt32(2_024_030_901)),
        (.default, 2_024_030_901, march9, 2_024_030_902),
        (.default, 2_024_030_999, march9, 2_024_031_000),  // 99 changes in a day spill into the next (B4)
        (.default, 1, march9, 2_024_030_901),
        (.default, 4_294_967_295, march9, 2_024_030_901),  // RFC 1982: 2024030901 is after 4294967295
        (.default, 3_000_000_000, march9, 3_000_000_001),  // and not after 3000000000: + 1
        // INCREASE: + 1, 4294967295 wraps to 0 (RFC 1982 §3.1).
        (.increase, 2_024_030_901, march9, 2_024_030_902),
        (.increase, 4_294_967_295, march9, 0),
        // EPOCH: seconds since 1970 when newer, else + 1 (never backwards, unlike PowerDNS).
        (.epoch, 1, march9, UInt32(march9)),
        (.epoch, 2_024_030_901, march9, 2_024_030_902),
        (.epoch, UInt32(march9), march9, UInt32(march9) + 1),
        (.epoch, 4_294_967_295, march9, UInt32(march9)),
    ])
    func nextSerial(method: SOAEditAPI, current: UInt32, unixSeconds: Int64, expected: UInt32) {
        #expect(method.nextSerial(after: current, unixSeconds: unixSeconds) == expected)
    }

    @Test func metadataValuesIgnoreCase() {
        #expect(SOAEditAPI(metadata: "increase") == .increase)
        #expect(SOAEditAPI(metadata: "Epoch") == .epoch)
        #expect(SOAEditAPI(metadata: "INCEPTION-INCREMENT") == nil)
    }

    /// The date comes from the run's epoch plus `now`, never from a clock.
    @Test func applyDatesTheSerialFromEpochPlusNow() throws {
        let store = try Fixtures.storeWithDynExample()
        let origin = name("dyn.example.")
        let change = ZoneChange([.replace(rrset("bob.dyn.example. 60 IN A 192.0.2.202"))])
        let oneDay = Instant(nanoseconds: 86_400 * 1_000_000_000)
        let first = try store.apply(change, to: origin, now: oneDay, epoch: Self.march9)
        #expect(first.oldSerial == 2_024_030_901 && first.newSerial == 2_024_031_001)  // a day later: March 10
        #expect(try store.loadZone(origin)?.soa?.serial == 2_024_031_001)
    }

    @Test(arguments: [
        ("DEFAULT", UInt32(2_024_031_901)), ("INCREASE", 2_024_030_902), ("EPOCH", 2_024_030_902),
        ("increase", 2_024_030_902),
    ])
    func applyFollowsTheZonesMetadata(value: String, expected: UInt32) throws {
        let store = try Fixtures.storeWithDynExample()
        let origin = name("dyn.example.")
        try store.setMetadata("SOA-EDIT-API", values: [value], of: origin)
        // Ten days later (2024-03-19): DEFAULT takes the date; EPOCH's seconds are behind the serial.
        let result = try store.apply(ZoneChange([.delete(owner: name("bob.dyn.example."), type: .a)]), to: origin,
                                     now: .zero, epoch: Self.march9 + 10 * 86_400)
        #expect(result.newSerial == expected)
    }

    @Test func epochSerialOnAZoneWithASmallSerial() throws {
        let store = try ZoneStore.inMemory()
        var zone = try Fixtures.dynExample()
        let soa = "dyn.example. 3600 IN SOA ns1.dyn.example. hostmaster.dyn.example. 7 3600 600 1209600 60"
        try zone.setRRset(rrset(soa))
        _ = try store.storeZone(zone, kind: .master)
        try store.setMetadata("SOA-EDIT-API", values: ["EPOCH"], of: zone.origin)
        let result = try store.apply(ZoneChange([.delete(owner: name("bob.dyn.example."), type: .a)]), to: zone.origin,
                                     now: Instant(nanoseconds: 5_000_000_000), epoch: Self.march9)
        #expect(result.newSerial == UInt32(Self.march9 + 5))
    }

    /// Without the metadata row the zone bumps as DEFAULT (our choice; see `SOAEditAPI`).
    @Test func missingMetadataMeansDefault() throws {
        let store = try Fixtures.storeWithDynExample()
        let origin = name("dyn.example.")
        try store.setMetadata("SOA-EDIT-API", values: [], of: origin)
        let result = try store.apply(ZoneChange([.delete(owner: name("bob.dyn.example."), type: .a)]), to: origin,
                                     now: .zero, epoch: Self.march9 + 86_400 * 30)
        #expect(result.newSerial == 2_024_040_801)
    }

    @Test func anUnsupportedValueRefusesTheChange() throws {
        let store = try Fixtures.storeWithDynExample()
        let origin = name("dyn.example.")
        try store.setMetadata("SOA-EDIT-API", values: ["SOA-EDIT-INCREASE"], of: origin)
        let before = try databaseDump(store)
        #expect(throws: StorageError.unsupportedSOAEditAPI(zone: origin, value: "SOA-EDIT-INCREASE")) {
            try store.apply(ZoneChange([.delete(owner: name("bob.dyn.example."), type: .a)]), to: origin,
                            now: .zero, epoch: Self.march9)
        }
        #expect(try databaseDump(store) == before)
    }

    /// As PowerDNS's PATCH: a change that replaces the SOA keeps the serial it gives.
    @Test func aChangeThatEditsTheSOAIsNotBumpedAgain() throws {
        let store = try Fixtures.storeWithDynExample()
        let origin = name("dyn.example.")
        let soa = rrset(
            "dyn.example. 3600 IN SOA ns1.dyn.example. hostmaster.dyn.example. 2030010100 3600 600 1209600 60")
        let result = try store.apply(ZoneChange([.replace(soa), .delete(owner: name("bob.dyn.example."), type: .a)]),
                                     to: origin, now: .zero, epoch: Self.march9)
        #expect(result.newSerial == 2_030_010_100 && result.removed.count == 1 && result.added.isEmpty)
        #expect(try store.loadZone(origin)?.soa?.serial == 2_030_010_100)
    }
}
