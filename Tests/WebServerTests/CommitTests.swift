import Determinism
import DNSWire
import DNSZone
import Foundation
import GRDB
import HTTPWire
import HarnessTesting
import Storage
import Testing
@testable import WebServer

/// Commit before answer, durability settings, refusals that leave the file's bytes alone, storage
/// failures, and error bodies free of success words.
@Suite struct CommitTests {
    @Test func goodIsCommittedBeforeTheAnswer() throws {
        var h = try Harness()
        let oldSerial = try h.serial()
        let outcome = try h.get("/nic/update?hostname=c1.dyn.example&myip=192.0.2.150",
                                headers: [basic("c1", h.c1.domainToken)], now: Instant(nanoseconds: 5_000_000_000))
        #expect(outcome.response.bodyText == "good 192.0.2.150\n")
        // The store already holds it all when the outcome is returned.
        let newSerial = try h.serial()
        #expect(SerialNumber(oldSerial).isLess(than: SerialNumber(newSerial)))
        #expect(try h.addresses("c1.dyn.example") == ["A 192.0.2.150 60"])
        #expect(try h.log() == ["c1.dyn.example good 192.0.2.150 \(newSerial)"])
        let result = try #require(outcome.committed.first)
        #expect(outcome.committed.count == 1 && result.zone == Zones.origin && result.kind == .master)
        #expect(result.oldSerial == oldSerial && result.newSerial == newSerial)
        #expect(result.removed.map(\.description) == ["c1.dyn.example. 60 IN A 192.0.2.11"])
        #expect(result.added.map(\.description) == ["c1.dyn.example. 60 IN A 192.0.2.150"])
        #expect(outcome.purgeNames == [name("c1.dyn.example.")])
        #expect(outcome.acknowledged == [AcknowledgedUpdate(hostname: name("c1.dyn.example."), type: .a,
                                                            value: ip("192.0.2.150"), serial: newSerial)])
        let row = try h.store.database.read { db in
            try Row.fetchOne(db, sql: "SELECT time, virtual_ns, peer, dialect, user_agent FROM lab_update_log")
        }
        #expect(row?[0] == Zones.epoch + 5 && row?[1] == 5_000_000_000 as Int64)
        #expect(row?[2] == "198.51.100.7" && row?[3] == "dyndns2" && row?[4] == "test/1.0")
        let used = try h.store.database.read { db in
            try Int64.fetchOne(db, sql: "SELECT count(*) FROM lab_tokens WHERE last_used = ?", arguments: [Zones.epoch + 5])
        }
        #expect(used == 1)
        #expect(h.server.stats.good == 1 && h.server.stats.acceptedUpdates == 1 && h.server.stats.transactions == 1)
    }

    @Test func nochgLogsButKeepsTheSerialAndAcknowledges() throws {
        var h = try Harness()
        let serial = try h.serial()
        let outcome = try h.get("/update?key=\(h.c0.domainToken)&ip=192.0.2.10&ip6=2001:db8:10::1")
        #expect(outcome.response.bodyText == "nochg 192.0.2.10,2001:db8:10::1\n")
        #expect(outcome.committed.isEmpty && outcome.purgeNames.isEmpty)
        #expect(outcome.acknowledged.map { "\($0.type) \($0.value) \($0.serial)" }
            == ["A 192.0.2.10 \(serial)", "AAAA 2001:db8:10::1 \(serial)"])
        #expect(try h.serial() == serial)
        #expect(try h.log() == ["c0.dyn.example nochg 192.0.2.10,2001:db8:10::1 \(serial)"])
    }

    /// An existing RRset keeps its TTL; a new one gets `recordTTL`.
    @Test func ttlOfExistingAndNewRRsets() throws {
        var h = try Harness { $0.recordTTL = 120 }
        _ = try h.get("/update?key=\(h.c1.domainToken)&ip=192.0.2.160&ip6=2001:db8:160::1")
        #expect(try h.addresses("c1.dyn.example") == ["A 192.0.2.160 60", "AAAA 2001:db8:160::1 120"])
    }

    @Test func cnameAtTheHostIsADnsError() throws {
        var h = try Harness()
        let before = try databaseDump(h.store)
        let outcome = try h.get("/update?key=\(h.c0.domainToken)&domain=alias.c0.dyn.example&ip=192.0.2.1")
        #expect(outcome.response.status == 500 && outcome.response.bodyText == "dnserr\n")
        #expect(try databaseDump(h.store) == before)
    }

    /// Full durability by default: WAL (as PowerDNS opens the file) with synchronous = FULL.
    @Test func fileStoreIsFullyDurable() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try ZoneStore(path: folder.path + "/web.sqlite3")
        let (journal, synchronous) = try store.database.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        #expect(journal == "wal" && synchronous == 2)
    }

    /// Refusals of every kind leave the database file byte for byte as it was.
    @Test func refusalsLeaveTheFileBytesAlone() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path + "/web.sqlite3"
        var h = try Harness(config: { $0.requestsPerWindow = 1 }, store: try ZoneStore(path: path))
        _ = try h.get("/update?key=\(h.c1.domainToken)&ip=192.0.2.170")  // uses the token's one request
        // The database and its write-ahead log (the -shm index holds readers' marks, not data).
        func files() throws -> [Data] {
            try [path, path + "-wal"].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        }
        let bytes = try files()
        let refused = [
            try h.get("/update?key=\(h.c1.domainToken)&ip=192.0.2.171"),  // rate limit
            try h.get("/update?key=wrong&ip=192.0.2.171"),
            try h.get("/update?key=\(h.c0.domainToken)&domain=c1.dyn.example&ip=192.0.2.171"),
            try h.get("/nic/update?hostname=c1..dyn.example", headers: [basic("x", h.c0.accountToken)]),
            try h.get("/update?key=\(h.c0.accountToken)&ip=10.1.1.1"),
        ]
        #expect(refused.allSatisfy { $0.committed.isEmpty && !$0.rejections.isEmpty })
        #expect(try files() == bytes)
    }

    /// A write that fails late in the transaction (here: a trigger aborts the log row, after the
    /// zone change was applied) answers 911 and rolls everything back.
    @Test func storageFailureAnswers911() throws {
        var h = try Harness()
        try h.store.database.write { db in
            try db.execute(sql: "CREATE TRIGGER fail BEFORE INSERT ON lab_update_log BEGIN SELECT RAISE(ABORT, 'disk on fire'); END")
        }
        let before = try databaseDump(h.store)
        let dyndns2 = try h.get("/nic/update?hostname=c1.dyn.example&myip=192.0.2.180",
                                headers: [basic("c1", h.c1.domainToken)])
        #expect(dyndns2.response.status == 200 && dyndns2.response.bodyText.hasPrefix("911"))
        let ipv64 = try h.get("/update?key=\(h.c1.domainToken)&ip=192.0.2.180")
        #expect(ipv64.response.status == 500 && ipv64.rejections == ["911"])
        #expect(!containsSuccessWord(ipv64.response.bodyText))
        #expect(try databaseDump(h.store) == before)
    }

    /// Every refusal body, in every dialect and format, is free of words clients take for success.
    @Test func noErrorBodyContainsASuccessWord() throws {
        let config = WebServerConfig(providerZones: [Zones.origin], epochSeconds: Zones.epoch)
        for code in UpdateCode.allCases where !code.isSuccess {
            for detail in ["", "the daily limit of 48 updater requests is reached", "storage unavailable, try again later",
                           "no such path", "use GET or POST", "conflicting values for hostname"] {
                for format in [UpdateFormat.text, .json, .minimal] {
                    for dialect in [UpdateDialect.dyndns2, .ipv64] {
                        let status = UpdateResponse.status(code, dialect: dialect)
                        let response = UpdateResponse.refusal(UpdateRefusal(code, detail), status: status,
                                                              format: format, config: config)
                        #expect(!containsSuccessWord(response.bodyText), "\(code) \(format): \(response.bodyText)")
                        // HTTP's own reason phrase of 200 is "OK"; it is not part of the body.
                        #expect(status == 200 || !containsSuccessWord(response.reason), "\(code): \(response.reason)")
                    }
                }
            }
            let answer = HostAnswer(host: Zones.origin, code: code, domain: nil, confirmed: [], shown: "")
            for format in [UpdateFormat.text, .json, .minimal] {
                let response = UpdateResponse.answers([answer, answer], dialect: .ipv64, format: format)
                #expect(!containsSuccessWord(response.bodyText), "\(code) \(format): \(response.bodyText)")
            }
        }
    }
}
