import Determinism
import DNSWire
import GRDB
import HTTPWire
import HarnessTesting
import Storage
import Testing
@testable import WebServer

/// Group commit (`WebServer.handle(group:)`): the same answers and the same database as handling
/// the requests one by one, one commit for all, and nothing acknowledged when that commit fails.
@Suite struct GroupCommitTests {
    static func request(_ target: String, _ headers: [HTTPHeader] = [], at seconds: UInt64) -> WebRequest {
        let lines = headers.map { "\($0.name): \($0.value)\r\n" }.joined()
        let text = "GET \(target) HTTP/1.1\r\nHost: dyn.example\r\nUser-Agent: test/1.0\r\n\(lines)\r\n"
        return WebRequest(bytes: Array(text.utf8), peer: Harness.peer,
                          arrived: Instant(nanoseconds: seconds * 1_000_000_000))
    }

    /// A mixed group: good, the same host again (nochg), a bad token, a CNAME refused inside its
    /// savepoint, an address family added, a REST call, a second customer, a page that is not there.
    static func mixed(_ h: Harness) -> [WebRequest] {
        [
            request("/nic/update?hostname=c1.dyn.example&myip=192.0.2.150", [basic("c1", h.c1.domainToken)], at: 1),
            request("/nic/update?hostname=c1.dyn.example&myip=192.0.2.150", [basic("c1", h.c1.domainToken)], at: 2),
            request("/update?key=not-a-token&ip=192.0.2.1", at: 2),
            request("/update?key=\(h.c0.domainToken)&domain=alias.c0.dyn.example&ip=192.0.2.1", at: 3),
            request("/update?key=\(h.c0.domainToken)&ip=192.0.2.44&ip6=2001:db8:44::1", at: 3),
            request("/api/v1/domains", [bearer(h.c0.accountToken)], at: 4),
            request("/update?key=\(h.customers[2].domainToken)&ip=192.0.2.99", at: 4),
            request("/missing", at: 5),
        ]
    }

    @Test func groupAnswersAndStoresAsOneByOne() throws {
        var single = try Harness()
        var grouped = try Harness()
        let requests = Self.mixed(single)
        let one = requests.map { single.server.handle(requestBytes: $0.bytes, peer: $0.peer, now: $0.arrived) }
        let group = grouped.server.handle(group: requests)
        #expect(group.map(\.response.status) == one.map(\.response.status))
        #expect(group.map(\.response.bodyText) == one.map(\.response.bodyText))
        #expect(group.map(\.acknowledged) == one.map(\.acknowledged))
        #expect(group.map(\.purgeNames) == one.map(\.purgeNames))
        #expect(group.map { $0.committed.map(\.newSerial) } == one.map { $0.committed.map(\.newSerial) })
        #expect(try databaseDump(grouped.store) == databaseDump(single.store))
        #expect(group[0].response.bodyText == "good 192.0.2.150\n" && group[1].response.bodyText.hasPrefix("nochg"))
        #expect(group[3].response.bodyText == "dnserr\n")
        #expect(grouped.server.stats == single.server.stats)
    }

    /// Every write of the group reaches the file in one commit: WAL frames of one transaction.
    @Test func oneCommitForTheGroup() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var h = try Harness(store: try ZoneStore(path: folder.path + "/web.sqlite3"))
        let counter = CommitCounter()
        h.store.database.add(transactionObserver: counter, extent: .observerLifetime)
        let outcomes = h.server.handle(group: Self.mixed(h))
        #expect(outcomes.filter { !$0.committed.isEmpty }.count == 3)
        #expect(counter.commits == 1)
    }

    @Test func failedCommitAcknowledgesNothing() throws {
        var h = try Harness()
        let before = try databaseDump(h.store)
        let requests = Self.mixed(h)
        let refuser = CommitCounter(refuse: true)
        h.store.database.add(transactionObserver: refuser, extent: .observerLifetime)
        let outcomes = h.server.handle(group: requests)
        #expect(try databaseDump(h.store) == before)
        #expect(outcomes.allSatisfy { $0.committed.isEmpty && $0.acknowledged.isEmpty && $0.purgeNames.isEmpty })
        // Writers are told to retry, in their dialect; the rest keep their answers.
        #expect(outcomes[0].response.bodyText == "911 storage unavailable, try again later\n")
        #expect(outcomes[1].response.bodyText == "911 storage unavailable, try again later\n")
        #expect(outcomes[2].response.status == 401)
        #expect(outcomes[4].response.status == 500 && !containsSuccessWord(outcomes[4].response.bodyText))
        #expect(outcomes[7].response.status == 404)
        #expect(h.server.stats.failedGroups == 1)
        // The server carries on: the next group commits.
        h.store.database.remove(transactionObserver: refuser)
        let retry = h.server.handle(group: [Self.request("/nic/update?hostname=c1.dyn.example&myip=192.0.2.151",
                                                         [basic("c1", h.c1.domainToken)], at: 20)])
        #expect(retry[0].response.bodyText == "good 192.0.2.151\n")
        #expect(try h.addresses("c1.dyn.example") == ["A 192.0.2.151 60"])
    }
}

/// Counts commits; refuses them when asked (GRDB rolls back a commit whose observer throws).
final class CommitCounter: TransactionObserver {
    struct Refused: Error {}
    let refuse: Bool
    var commits = 0

    init(refuse: Bool = false) { self.refuse = refuse }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { true }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseWillCommit() throws { if refuse { throw Refused() } }
    func databaseDidCommit(_ db: Database) { commits += 1 }
    func databaseDidRollback(_ db: Database) {}
}
