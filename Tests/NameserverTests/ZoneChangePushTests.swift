import DNSWire
import DNSZone
import Nameserver
import Testing

/// The web server's push to the primary: an RFC 2136 UPDATE carrying a committed difference.
@Suite struct ZoneChangePushTests {
    @Test func aPushRoundTripsItsDifferenceOverTheWire() throws {
        let old = exampleZone(serial: 7)
        let new = exampleZone(serial: 8, extra: ["www2 A 192.0.2.11"])
        var changed = new
        _ = changed.remove(ResourceRecord(name: try #require(DNSName("www.example.org.")), ttl: 300, rdata: .a(IPv4Address(192, 0, 2, 10))))
        #expect(try changed.add(ResourceRecord(name: try #require(DNSName("www.example.org.")), ttl: 300, rdata: .a(IPv4Address(198, 51, 100, 1)))) == .added)
        let diff = try ZoneDiff(from: old, to: changed)
        let message = ZoneChangePush.make(id: 77, diff: diff)
        #expect(message.opcode == .update)
        let decoded = try #require(ZoneChangePush.decode(try Message(wire: try message.wire())))
        #expect(decoded.origin == old.origin)
        #expect(decoded.oldSerial == 7)
        let rebuilt = decoded.diff(oldSOA: diff.oldSOA)
        #expect(rebuilt.added == diff.added)
        #expect(rebuilt.removed.map(\.rdata) == diff.removed.map(\.rdata))
        #expect(try rebuilt.applied(to: old) == changed)
    }

    @Test func anythingElseIsNotAPush() throws {
        let query = Message.query(id: 1, name: try #require(DNSName("example.org.")), type: .soa)
        #expect(ZoneChangePush.decode(query) == nil)
        var update = ZoneChangePush.make(id: 2, diff: try ZoneDiff(from: exampleZone(serial: 1), to: exampleZone(serial: 2)))
        update.answers = []
        #expect(ZoneChangePush.decode(update) == nil)
        let response = ZoneChangePush.response(to: ZoneChangePush.make(id: 3, diff: try ZoneDiff(from: exampleZone(serial: 1), to: exampleZone(serial: 2))), rcode: .noError)
        #expect(ZoneChangePush.decode(response) == nil)
        #expect(response.id == 3)
    }
}
