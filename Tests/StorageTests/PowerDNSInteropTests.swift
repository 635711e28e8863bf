import Determinism
import DNSWire
import DNSZone
import Foundation
import HarnessTesting
import Storage
import Testing

/// ISSUE 4, point 1: a zone written through our storage is served by a real PowerDNS
/// (`pdns_server --launch=gsqlite3` on that very file), and PowerDNS answers every name and type
/// exactly as our zone engine answers from the same file. What is compared and what is normalised:
/// HarnessTesting's `PowerDNSInterop` (shared with BackupTests' restored-snapshot test).
///
/// Needs pdns-server, pdns-backend-sqlite3 and dig (bind9-dnsutils), which scripts/bootstrap.sh
/// installs; without them the test fails and says so. pdns_server runs on loopback on a free port,
/// with its own empty configuration folder, and is stopped by its PID.
@Suite(.serialized) struct PowerDNSInteropTests {
    static let origin = name("dyn.example.")

    @Test func powerDNSAnswersFromOurDatabaseAsOurEngineDoes() throws {
        let tools = try PowerDNSTools.required()
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let zone = try Fixtures.dynExample()
        let databasePath = folder.path + "/pdns.sqlite3"
        _ = try ZoneStore(path: databasePath).storeZone(zone, kind: .native)
        let compared = try Self.compareAnswers(databasePath, expecting: zone, tools: tools, folder: folder)
        #expect(compared >= 450)
    }

    /// The rows `apply` leaves behind serve the same way: new deep names (empty non-terminals), a
    /// new delegation with glue, a removed delegation, names that disappear, a serial bump.
    @Test func powerDNSAnswersAlikeAfterChanges() throws {
        let tools = try PowerDNSTools.required()
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let databasePath = folder.path + "/pdns.sqlite3"
        let store = try ZoneStore(path: databasePath)
        _ = try store.storeZone(try Fixtures.dynExample(), kind: .master)
        func delete(_ owner: String, _ type: RRType) -> ZoneChange.Edit { .delete(owner: name(owner), type: type) }
        let changes: [[ZoneChange.Edit]] = [
            [.replace(rrset("alice.dyn.example. 60 IN A 192.0.2.201")), delete("alice.dyn.example.", .aaaa)],
            [.add(record("host.a.b.dyn.example. 60 IN A 192.0.2.61")),
             .add(record("a.b.dyn.example. 60 IN TXT \"ab\""))],
            [.replace(rrset("bob.dyn.example. 300 IN NS ns.bob.dyn.example.")), delete("bob.dyn.example.", .a),
             .add(record("ns.bob.dyn.example. 300 IN A 192.0.2.62"))],
            [delete("corp.dyn.example.", .ns)],
            [delete("erin.customers.dyn.example.", .a), delete("frank.customers.dyn.example.", .a),
             delete("frank.customers.dyn.example.", .aaaa)],
            [.remove(record("dyn.example. 300 IN CAA 0 iodef \"mailto:security@dyn.example\"")),
             .add(record("dyn.example. 300 IN MX 20 mx2.dyn.example.")),
             .add(record("mx2.dyn.example. 300 IN AAAA 2001:db8::25"))],
        ]
        for (index, edits) in changes.enumerated() {
            let now = Instant(nanoseconds: UInt64(index) * 1_000_000_000)
            let result = try store.apply(ZoneChange(edits), to: Self.origin, now: now, epoch: 1_709_985_600)
            #expect(result.changed)
        }
        let zone = try #require(try store.loadZone(Self.origin))
        #expect(zone.soa?.serial == 2_024_030_907)
        let compared = try Self.compareAnswers(databasePath, expecting: zone, tools: tools, folder: folder)
        #expect(compared >= 450)
    }

    /// Starts PowerDNS on the file, asks it every question about the zone, and compares with our
    /// engine's answers from the same file. Returns how many questions were answered alike.
    static func compareAnswers(
        _ databasePath: String, expecting expectedZone: Zone, tools: PowerDNSTools, folder: TemporaryFolder
    ) throws -> Int {
        // Our engine answers from what it reads back from the file, as a primary does.
        let reloaded = try #require(try ZoneStore(path: databasePath).loadZone(Self.origin))
        #expect(reloaded == expectedZone)
        let questions = PowerDNSInterop.questions(for: reloaded, probes: PowerDNSInterop.fixtureProbes)
        let result = try PowerDNSInterop.compare(databasePath: databasePath, zones: [reloaded], questions: questions,
                                                 tools: tools, folder: folder.path)
        for difference in result.differences { Issue.record("\(difference)") }
        if let log = result.serverLog { print("pdns_server log:\n\(log)") }
        print(result.summary)
        return result.agreeing
    }
}
