import DNSWire
@testable import DNSZone
import Determinism
import Testing

/// The zone's name index stays in step with its nodes through inserts and removals anywhere.
@Suite struct NameIndexTests {
    @Test func findsEveryNameAfterRandomEdits() throws {
        let origin = DNSName("dyn.example.")!
        var zone = Zone(origin: origin)
        var random = SeededRandom(seed: 21)
        var present: [DNSName] = []
        for step in 0..<3_000 {
            let name = try origin.prepending(Array("h\(random.below(800))".utf8))
            if random.below(3) == 0, let index = present.firstIndex(of: name) {
                _ = zone.removeRRset(owner: name, type: .a)
                present.remove(at: index)
            } else if !present.contains(name) {
                _ = try zone.add(ResourceRecord(name: name, ttl: 60, rdata: .a(IPv4Address(UInt32(step)))))
                present.append(name)
            }
        }
        for name in present { #expect(zone.node(at: name) != nil, "\(name)") }
        #expect(zone.nodes.count == present.count)
        for index in zone.nodes.indices { #expect(zone.indexedPosition(of: zone.nodes[index].owner) == index) }
        #expect(zone.indexedPosition(of: DNSName("absent.dyn.example.")!) == nil)
    }
}
