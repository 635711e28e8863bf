import Determinism
import DNSWire
import DNSZone
import GRDB
import HarnessTesting
import Storage
import Testing

/// `ZoneStore.apply`: records and serial in one transaction, the diff for the primary, the
/// structure PowerDNS needs (empty non-terminals, auth), and nothing written when it fails.
@Suite struct ApplyTests {
    static let origin = name("dyn.example.")
    static let epoch = Int64(1_709_985_600)  // 2024-03-09 12:00 UTC

    func apply(_ store: ZoneStore, _ edits: ZoneChange.Edit...) throws -> ChangeResult {
        try store.apply(ZoneChange(edits), to: Self.origin, now: .zero, epoch: Self.epoch)
    }

    @Test func replacingAnAddressReturnsTheDiffAndBumpsTheSerial() throws {
        let store = try Fixtures.storeWithDynExample()
        let result = try apply(store, .replace(rrset("alice.dyn.example. 60 IN A 192.0.2.201")))
        #expect(result.zone == Self.origin && result.kind == .master && result.changed)
        #expect(result.oldSerial == 2_024_030_901 && result.newSerial == 2_024_030_902)
        #expect(lines(result.removed) == ["alice.dyn.example. 60 IN A 192.0.2.101"])
        #expect(lines(result.added) == ["alice.dyn.example. 60 IN A 192.0.2.201"])
        var expected = try Fixtures.dynExample()
        try expected.setRRset(rrset("alice.dyn.example. 60 IN A 192.0.2.201"))
        try expected.setRRset(rrset(
            "dyn.example. 3600 IN SOA ns1.dyn.example. hostmaster.dyn.example. 2024030902 3600 600 1209600 60"))
        #expect(try store.loadZone(Self.origin) == expected)
        let rows = try recordRows(store)
        #expect(rows.contains("alice.dyn.example A 192.0.2.201 60 0 0 1"))
        #expect(rows.contains(
            "dyn.example SOA ns1.dyn.example hostmaster.dyn.example 2024030902 3600 600 1209600 60 3600 0 0 1"))
    }

    @Test func addRemoveAndTTLChanges() throws {
        let store = try Fixtures.storeWithDynExample()
        let added = try apply(store, .add(record("Bob.Dyn.Example. 60 IN A 192.0.2.99")))
        // Added to an existing RRset: the record takes the RRset's owner (stored lowercase).
        #expect(lines(added.added) == ["bob.dyn.example. 60 IN A 192.0.2.99"] && added.removed.isEmpty)
        // A new TTL replaces the whole RRset: every record leaves at the old TTL, comes back at the new.
        let retimed = try apply(store, .add(record("bob.dyn.example. 120 IN A 192.0.2.99")))
        #expect(lines(retimed.removed)
            == ["bob.dyn.example. 60 IN A 192.0.2.102", "bob.dyn.example. 60 IN A 192.0.2.99"])
        #expect(lines(retimed.added)
            == ["bob.dyn.example. 120 IN A 192.0.2.102", "bob.dyn.example. 120 IN A 192.0.2.99"])
        let removed = try apply(store, .remove(record("bob.dyn.example. 1 IN A 192.0.2.102")))
        #expect(lines(removed.removed) == ["bob.dyn.example. 120 IN A 192.0.2.102"] && removed.added.isEmpty)
        #expect(removed.newSerial == 2_024_030_904)
        let rows = try recordRows(store).filter { $0.hasPrefix("bob.") }
        #expect(rows == ["bob.dyn.example A 192.0.2.99 120 0 0 1"])
    }

    /// A dyndns2 `nochg`: the same data again writes nothing and keeps the serial.
    @Test func aChangeThatChangesNothingKeepsTheSerial() throws {
        let store = try Fixtures.storeWithDynExample()
        let before = try databaseDump(store)
        let result = try apply(store, .replace(rrset("alice.dyn.example. 60 IN A 192.0.2.101")),
                               .remove(record("alice.dyn.example. 60 IN A 192.0.2.9")),
                               .add(record("bob.dyn.example. 60 IN A 192.0.2.102")))
        #expect(!result.changed && result.newSerial == result.oldSerial)
        #expect(try databaseDump(store) == before)
    }

    @Test func invalidChangesAreRefusedAndWriteNothing() throws {
        let store = try Fixtures.storeWithDynExample()
        let before = try databaseDump(store)
        let refused: [ZoneChange.Edit] = [
            .add(record("alice.dyn.example. 60 IN CNAME www.dyn.example.")),  // CNAME beside data
            .add(record("dyn.example. 60 IN SOA a. b. 1 2 3 4 5")),  // a second SOA
            .delete(owner: Self.origin, type: .soa),
            .delete(owner: Self.origin, type: .ns),
            .add(record("www.example.org. 60 IN A 192.0.2.1")),  // outside the zone
            .replace(rrset("sub.bob.dyn.example. 60 IN SOA a. b. 1 2 3 4 5")),
        ]
        for edit in refused {
            #expect(throws: StorageError.self, "\(edit)") {
                try apply(store, .replace(rrset("carol.dyn.example. 60 IN A 192.0.2.250")), edit)
            }
            #expect(try databaseDump(store) == before, "\(edit)")
        }
        #expect(throws: StorageError.zoneNotFound(name("example.org."))) {
            try store.apply(ZoneChange([]), to: name("example.org."), now: .zero, epoch: Self.epoch)
        }
    }

    @Test func emptyNonTerminalsFollowTheNames() throws {
        let store = try Fixtures.storeWithDynExample()
        func ents() throws -> [String] {
            try recordRows(store).filter { $0.contains(" NULL ") }.map { String($0.prefix { $0 != " " }) }.sorted()
        }
        #expect(try ents() == ["_tcp.dyn.example", "customers.dyn.example"])
        // A deep new name brings its empty ancestors; the apex never is one.
        _ = try apply(store, .add(record("a.b.c.dyn.example. 60 IN TXT \"deep\"")))
        #expect(try ents() == ["_tcp.dyn.example", "b.c.dyn.example", "c.dyn.example", "customers.dyn.example"])
        // Data at an empty non-terminal replaces its row; deleting the data brings it back.
        _ = try apply(store, .add(record("customers.dyn.example. 60 IN TXT \"list\"")))
        #expect(try ents() == ["_tcp.dyn.example", "b.c.dyn.example", "c.dyn.example"])
        _ = try apply(store, .delete(owner: name("customers.dyn.example."), type: .txt))
        #expect(try ents() == ["_tcp.dyn.example", "b.c.dyn.example", "c.dyn.example", "customers.dyn.example"])
        // When the last name below goes, the empty non-terminals above it go too.
        _ = try apply(store, .delete(owner: name("a.b.c.dyn.example."), type: .txt))
        _ = try apply(store, .delete(owner: name("erin.customers.dyn.example."), type: .a),
                      .delete(owner: name("frank.customers.dyn.example."), type: .a))
        #expect(try ents() == ["_tcp.dyn.example", "customers.dyn.example"])  // frank still has AAAA
        _ = try apply(store, .delete(owner: name("frank.customers.dyn.example."), type: .aaaa))
        #expect(try ents() == ["_tcp.dyn.example"])
        // `_` is a LIKE wildcard: names that merely look like descendants do not count.
        _ = try apply(store, .add(record("x.ytcp.dyn.example. 60 IN A 192.0.2.1")))
        _ = try apply(store, .delete(owner: name("_dyndns._tcp.dyn.example."), type: .srv))
        #expect(try ents() == ["ytcp.dyn.example"])
    }

    /// The rows match what a whole-zone write produces, after any sequence of changes.
    @Test func rowsAfterChangesEqualAFreshWrite() throws {
        let store = try Fixtures.storeWithDynExample()
        _ = try apply(store, .add(record("a.b.c.dyn.example. 60 IN TXT \"deep\"")),
                      .replace(rrset("bob.dyn.example. 60 IN NS ns1.elsewhere.example.")),
                      .add(record("glue.bob.dyn.example. 60 IN A 192.0.2.77")),
                      .delete(owner: name("corp.dyn.example."), type: .ns),
                      .delete(owner: name("erin.customers.dyn.example."), type: .a))
        let zone = try #require(try store.loadZone(Self.origin))
        let fresh = try ZoneStore.inMemory()
        _ = try fresh.storeZone(zone, kind: .master)
        #expect(try recordRows(store).sorted() == (try recordRows(fresh)).sorted())
    }

    @Test func delegationsSetAuthBelowTheCut() throws {
        let store = try Fixtures.storeWithDynExample()
        _ = try apply(store, .add(record("host.bob.dyn.example. 60 IN A 192.0.2.50")))
        #expect(try recordRows(store).contains("host.bob.dyn.example A 192.0.2.50 60 0 0 1"))
        // bob becomes a delegation: its NS, its old A (occluded) and the data below turn non-authoritative.
        _ = try apply(store, .replace(rrset("bob.dyn.example. 60 IN NS ns.bob.dyn.example.")),
                      .delete(owner: name("bob.dyn.example."), type: .a),
                      .add(record("ns.bob.dyn.example. 60 IN A 192.0.2.51")),
                      .add(record("bob.dyn.example. 60 IN DS 1 13 2 00ff")))
        let delegated = try recordRows(store).filter { $0.contains("bob.dyn.example ") }
        #expect(delegated.sorted() == [
            "bob.dyn.example DS 1 13 2 00ff 60 0 0 1",
            "bob.dyn.example NS ns.bob.dyn.example 60 0 0 0",
            "host.bob.dyn.example A 192.0.2.50 60 0 0 0",
            "ns.bob.dyn.example A 192.0.2.51 60 0 0 0",
        ])
        // The delegation goes: everything is authoritative again, except below the corp cut.
        _ = try apply(store, .delete(owner: name("bob.dyn.example."), type: .ns))
        #expect(try recordRows(store).filter { $0.contains("bob.dyn.example ") }.allSatisfy { $0.hasSuffix(" 1") })
        #expect(try recordRows(store).filter { $0.contains("corp.dyn.example ") && !$0.contains(" DS ") }
            .allSatisfy { $0.hasSuffix(" 0") })
    }

    // MARK: Environmental failures, injected (STYLE.md §6)

    /// A trigger that aborts the third insert: SQLite reports a constraint failure mid-transaction.
    @Test func aConstraintFailureRollsBackEverything() throws {
        let store = try Fixtures.storeWithDynExample()
        try store.database.write { db in
            try db.execute(sql: """
                CREATE TEMP TRIGGER fault AFTER INSERT ON records WHEN NEW.name = 'z.dyn.example'
                BEGIN SELECT RAISE(ABORT, 'injected fault'); END
                """)
        }
        let before = try databaseDump(store)
        #expect {
            try apply(store, .replace(rrset("alice.dyn.example. 60 IN A 192.0.2.201")),
                      .add(record("y.dyn.example. 60 IN A 192.0.2.1")),
                      .add(record("z.dyn.example. 60 IN A 192.0.2.1")))
        } throws: { error in
            guard case .database(let failure) = error as? StorageError else { return false }
            return failure.kind == .constraint && failure.message == "injected fault"
        }
        #expect(try databaseDump(store) == before)
    }

    /// The file may not grow (as on a full disk): SQLITE_FULL, classified, nothing written.
    @Test func aFullDiskIsATypedErrorAndWritesNothing() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try ZoneStore(path: folder.path + "/full.sqlite3")
        _ = try store.storeZone(try Fixtures.dynExample(), kind: .master)
        let pages = try store.database.read { db in try Int.fetchOne(db, sql: "PRAGMA page_count") } ?? 0
        try store.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = \(pages)") }
        let before = try databaseDump(store)
        let text = String(repeating: "x", count: 200)
        let many = (0..<2_000).map { ZoneChange.Edit.add(record("host\($0).dyn.example. 60 IN TXT \"\(text)\"")) }
        #expect {
            try store.apply(ZoneChange(many), to: Self.origin, now: .zero, epoch: Self.epoch)
        } throws: { error in
            guard case .database(let failure) = error as? StorageError else { return false }
            return failure.kind == .diskFull && !(error as? StorageError)!.isTransient
        }
        #expect(try databaseDump(store) == before)
    }

    /// Another connection holds the write lock: a transient `busy` error at once, no wait.
    @Test func aLockedDatabaseIsATransientBusyError() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path + "/busy.sqlite3"
        let store = try ZoneStore(path: path)
        _ = try store.storeZone(try Fixtures.dynExample(), kind: .master)
        let other = try DatabaseQueue(path: path)
        try other.inTransaction(.immediate) { _ in
            #expect {
                try apply(store, .replace(rrset("alice.dyn.example. 60 IN A 192.0.2.201")))
            } throws: { error in
                (error as? StorageError)?.isTransient == true
            }
            return .rollback
        }
        let result = try apply(store, .replace(rrset("alice.dyn.example. 60 IN A 192.0.2.201")))
        #expect(result.newSerial == 2_024_030_902)
    }
}
