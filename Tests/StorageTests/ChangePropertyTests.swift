import Determinism
import DNSWire
import DNSZone
import Storage
import Testing

/// Random sequences of changes (seeded, STYLE.md §9): after every change the rows equal what a
/// fresh write of the same zone produces (empty non-terminals and `auth` kept right), and the
/// returned diff turns the previous zone into the new one.
@Suite struct ChangePropertyTests {
    static let origin = name("p.example.")
    static let labels = ["a", "b", "c", "_x", "*"]

    /// A name 1 to 3 labels below the apex, from a small alphabet, so names nest and collide.
    static func randomName(_ random: inout SeededRandom) -> DNSName {
        var owner = origin
        for _ in 0..<random.int(in: 1...3) {
            // A wildcard label only leftmost would be realistic; anywhere is still valid data.
            let label = labels[random.int(in: 0...(labels.count - 1))]
            guard let next = try? owner.prepending(Array(label.utf8)) else { break }
            owner = next
        }
        return owner
    }

    static func randomEdit(_ random: inout SeededRandom) -> ZoneChange.Edit {
        let owner = randomName(&random)
        let address = RData.a(IPv4Address(192, 0, 2, UInt8(random.int(in: 1...4))))
        switch random.int(in: 0...5) {
        case 0: return .add(ResourceRecord(name: owner, ttl: 60, rdata: address))
        case 1: return .add(ResourceRecord(name: owner, ttl: UInt32(random.int(in: 1...2) * 60), rdata: .txt([[0x61]])))
        case 2: return .remove(ResourceRecord(name: owner, ttl: 60, rdata: address))
        case 3: return .replace(RRset(owner: owner, type: .ns, ttl: 300, rdatas: [.ns(name("ns.elsewhere.example."))]))
        case 4: return .delete(owner: owner, type: [.a, .ns, .txt][random.int(in: 0...2)])
        default: return .replace(RRset(owner: owner, type: .a, ttl: 60, rdatas: [address]))
        }
    }

    @Test(arguments: [UInt64(1), 2, 3, 20_261_121])
    func rowsStayCanonicalAndDiffsAreExact(seed: UInt64) throws {
        var random = SeededRandom(seed: seed, label: "storage-change-property")
        let store = try ZoneStore.inMemory()
        let start = try ZoneFileParser.load("""
            @ 3600 IN SOA ns1.p.example. host.p.example. 1 3600 600 86400 60
            @ 3600 IN NS ns1.p.example.
            """, fileName: "p", origin: Self.origin).zone
        _ = try store.storeZone(start, kind: .master)
        var previous = start
        var applied = 0
        for step in 0..<60 {
            let edits = (0..<random.int(in: 1...3)).map { _ in Self.randomEdit(&random) }
            let result: ChangeResult
            do {
                result = try store.apply(ZoneChange(edits), to: Self.origin, now: .zero, epoch: 1_709_985_600)
            } catch {
                // Random edits can break a rule (the apex NS deleted): refused, nothing written.
                guard case .invalidChange = error else { throw error }
                continue
            }
            applied += 1
            let current = try #require(try store.loadZone(Self.origin), "seed \(seed) step \(step)")
            // The diff turns the previous zone into the current one (ZoneDiff, as the primary uses it).
            var replayed = previous
            try result.diff.apply(to: &replayed)
            #expect(lines(replayed.records) == lines(current.records), "seed \(seed) step \(step): \(edits)")
            #expect(result.newSerial == current.soa?.serial)
            // The rows are exactly those of a fresh write of the zone.
            let fresh = try ZoneStore.inMemory()
            _ = try fresh.storeZone(current, kind: .master)
            #expect(try recordRows(store).sorted() == (try recordRows(fresh)).sorted(),
                    "seed \(seed) step \(step): \(edits)")
            previous = current
        }
        #expect(applied > 20, "seed \(seed): most random changes apply")
    }
}
