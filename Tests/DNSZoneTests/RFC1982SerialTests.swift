import DNSWire
import DNSZone
import Testing

/// RFC 1982 serial number arithmetic with SERIAL_BITS = 32, and SOA serial bumping.
@Suite struct RFC1982_SerialTests {
    @Test func comparisonFollowsSection3_2() {
        #expect(SerialNumber(1).compare(to: SerialNumber(2)) == .less)
        #expect(SerialNumber(2).compare(to: SerialNumber(1)) == .greater)
        #expect(SerialNumber(7).compare(to: SerialNumber(7)) == .equal)
        // Wrap-around: 4294967295 < 0 and 0 > 4294967295.
        #expect(SerialNumber(.max).isLess(than: SerialNumber(0)))
        #expect(SerialNumber(0).isGreater(than: SerialNumber(.max)))
        // The largest forward step is 2^31 - 1.
        #expect(SerialNumber(0).isLess(than: SerialNumber((1 << 31) - 1)))
        #expect(SerialNumber(0).isGreater(than: SerialNumber((1 << 31) + 1)))
    }

    @Test(arguments: [UInt32(0), 1, 1 << 31, 0xFFFF_FFFF, 2_024_010_101])
    func exactlyHalfTheSpaceApartIsUndefined(base: UInt32) {
        let other = SerialNumber(base &+ (1 << 31))
        #expect(SerialNumber(base).compare(to: other) == .undefined)
        #expect(other.compare(to: SerialNumber(base)) == .undefined)
        #expect(!SerialNumber(base).isLess(than: other) && !SerialNumber(base).isGreater(than: other))
    }

    @Test func additionFollowsSection3_1() {
        #expect(SerialNumber(.max).adding(1) == SerialNumber(0))
        #expect(SerialNumber(5).adding(SerialNumber.additionMax) == SerialNumber(5 &+ 0x7FFF_FFFF))
        #expect(SerialNumber(5).isLess(than: SerialNumber(5).adding(SerialNumber.additionMax)))
        #expect(SerialNumber(9).adding(0) == SerialNumber(9))
    }

    @Test func addingMoreThanHalfTheSpaceIsABug() async {
        await #expect(processExitsWith: .failure) {
            _ = SerialNumber(1).adding(1 << 31)
        }
    }

    @Test func incrementBump() {
        #expect(SerialNumber(41).bumped(.increment) == SerialNumber(42))
        #expect(SerialNumber(.max).bumped(.increment) == SerialNumber(0))
    }

    @Test func dateBumpUsesYYYYMMDDnn() throws {
        let day = try #require(CalendarDate(year: 2024, month: 3, day: 9))
        #expect(day.serialBase == 2_024_030_900)
        #expect(SerialNumber(1).bumped(.date(day)) == SerialNumber(2_024_030_900))
        // The same day again: nn counts up.
        #expect(SerialNumber(2_024_030_900).bumped(.date(day)) == SerialNumber(2_024_030_901))
        // A serial already ahead of the date (clock behind, or 100 changes a day) only ever grows.
        #expect(SerialNumber(2_024_031_500).bumped(.date(day)) == SerialNumber(2_024_031_501))
    }

    @Test func dateFromSecondsAndCalendarChecks() {
        #expect(CalendarDate(secondsSinceEpoch: 1_709_942_400).description == "2024-03-09")
        #expect(CalendarDate(secondsSinceEpoch: 0).serialBase == 1_970_010_100)
        #expect(CalendarDate(year: 2023, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CalendarDate(year: 2024, month: 13, day: 1) == nil)
        #expect(CalendarDate(year: 4295, month: 1, day: 1) == nil)
        #expect(CalendarDate(year: 4294, month: 12, day: 31)?.serialBase == 4_294_123_100)
    }

    @Test func unixTimeBump() {
        #expect(SerialNumber(5).bumped(.unixTime(1_700_000_000)) == SerialNumber(1_700_000_000))
        #expect(SerialNumber(1_700_000_000).bumped(.unixTime(1_700_000_000)) == SerialNumber(1_700_000_001))
    }

    @Test func soaBump() {
        let soa = SOA(
            mname: name("ns1.example.org."), rname: name("hostmaster.example.org."), serial: 10,
            refresh: 1, retry: 1, expire: 1, minimum: 1)
        #expect(soa.bumpingSerial(.increment).serial == 11)
    }
}
