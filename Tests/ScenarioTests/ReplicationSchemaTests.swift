import Determinism
import Testing

@testable import Scenario

/// Replication in schema v1 (issue 4): nameserver roles, change streams and replication figures.
@Suite struct ReplicationSchemaTests {
    static let primary = "  - { name: ns1, site: fsn1, role: primary }"
    static let secondary = "  - { name: ns2, site: fsn1, role: secondary, primary: ns1 }"

    /// `Fixture.base` with `nameservers` in place of its two (from line 11), workload `items` after the
    /// `legit` population (from line 14 + `nameservers.count`), and `extra` at the end.
    static func cluster(_ nameservers: [String], workload items: [String] = [], plus extra: String = "") -> String {
        let oldServers = "  - { name: ns1, site: fsn1 }\n  - { name: ns2, site: fsn1 }\n"
        let legit = "  - resolvers: { name: legit, count: 10, site: internet, rate: poisson(100/s) }\n"
        precondition(Fixture.base.contains(oldServers) && Fixture.base.contains(legit))
        return Fixture.base
            .replacingOccurrences(of: oldServers, with: nameservers.map { $0 + "\n" }.joined())
            .replacingOccurrences(of: legit, with: legit + items.map { $0 + "\n" }.joined()) + extra
    }

    // MARK: Loading

    @Test func rolesAndChangeStreamsLoad() throws {
        let yaml = Self.cluster([
            "  - { name: ns1, site: fsn1, role: primary, notify: periodic(60s) }",
            "  - { name: ns2, site: fsn1, role: secondary, primary: ns1, refresh: every(5s), join_at: 30s }",
            "  - { name: ns3, site: fsn1, role: secondary, primary: ns4 }",
            "  - { name: ns4, site: fsn1, role: primary, notify: never }",
            "  - { name: ns5, site: fsn1, role: authoritative }",
            "  - { name: ns6, site: fsn1 }",
        ], workload: [
            "  - changes: { name: updates, primary: ns1, every: 100ms, start: 1s, for: 20s }",
            "  - changes: { name: more, primary: ns4, every: 1s }",
        ])
        let scenario = try #require(Fixture.load(yaml))
        #expect(scenario.nameservers.map(\.role) == [
            .primary(notify: .periodic(.seconds(60))),
            .secondary(primary: "ns1", refresh: .every(.seconds(5)), joinAt: .seconds(30)),
            .secondary(primary: "ns4", refresh: .soaTimers, joinAt: nil),
            .primary(notify: .never), .authoritative, .authoritative,
        ])
        #expect(scenario.nameservers.map(\.role.label)
            == ["primary", "secondary", "secondary", "primary", "authoritative", "authoritative"])
        #expect(scenario.primaries.map(\.name) == ["ns1", "ns4"] && scenario.secondaries.map(\.name) == ["ns2", "ns3"])
        #expect(scenario.workload.map(\.name) == ["legit"])
        #expect(scenario.changes == [
            ChangeStreamSpec(name: "updates", primary: "ns1", interval: .milliseconds(100), start: .seconds(1),
                             duration: .seconds(20), position: SourcePosition(line: 20, column: 14)),
            ChangeStreamSpec(name: "more", primary: "ns4", interval: .seconds(1), start: .zero, duration: nil,
                             position: SourcePosition(line: 21, column: 14)),
        ])
    }

    @Test func defaultsKeepTodaysBehaviour() throws {
        let scenario = try #require(Fixture.load(Fixture.base))
        #expect(scenario.nameservers.allSatisfy { $0.role == .authoritative })
        #expect(scenario.changes.isEmpty && scenario.primaries.isEmpty)
        #expect(!scenario.figures.contains { $0.path.hasPrefix("replication.") })
        let cluster = try #require(Fixture.load(Self.cluster([Self.primary, Self.secondary])))
        #expect(cluster.nameservers.map(\.role) == [
            .primary(notify: .onCommit), .secondary(primary: "ns1", refresh: .soaTimers, joinAt: nil),
        ])
        #expect(NameserverSpec(name: "a", site: "b", networks: []).role == .authoritative)
    }

    @Test func blockStyleModesNeedNoQuotes() throws {
        let yaml = Self.cluster([
            "  - name: ns1", "    site: fsn1", "    role: primary", "    notify: on_commit",
            "  - name: ns2", "    site: fsn1", "    role: secondary", "    primary: ns1", "    refresh: soa",
            "    join_at: 0s",
        ])
        let scenario = try #require(Fixture.load(yaml))
        #expect(scenario.nameservers.map(\.role) == [
            .primary(notify: .onCommit), .secondary(primary: "ns1", refresh: .soaTimers, joinAt: .zero),
        ])
    }

    // MARK: Figures

    @Test func replicationFiguresInTheCatalog() throws {
        let third = "  - { name: ns3, site: fsn1, role: secondary, primary: ns1 }"
        let scenario = try #require(Fixture.load(Self.cluster([Self.primary, Self.secondary, third])))
        let replication = scenario.figures.filter { $0.path.hasPrefix("replication.") }
        #expect(replication.map(\.path) == [
            "replication.changes",
            "replication.ns2.lag.p50", "replication.ns2.lag.p99", "replication.ns2.lag.max", "replication.ns2.missing",
            "replication.ns2.differing_records", "replication.ns2.expired_seconds", "replication.ns2.behind_seconds",
            "replication.ns3.lag.p50", "replication.ns3.lag.p99", "replication.ns3.lag.max", "replication.ns3.missing",
            "replication.ns3.differing_records", "replication.ns3.expired_seconds", "replication.ns3.behind_seconds",
        ])
        let perSecondary: [FigureUnit] = [.milliseconds, .milliseconds, .milliseconds, .count, .count, .count, .count]
        #expect(replication.map(\.unit) == [.count] + perSecondary + perSecondary)
        #expect(scenario.figures.last?.path == "trace.events")
        #expect(Set(scenario.figures.map(\.path)).count == scenario.figures.count)
        let primaryOnly = try #require(Fixture.load(Self.cluster([Self.primary])))
        #expect(primaryOnly.figures.filter { $0.path.hasPrefix("replication.") }.map(\.path) == ["replication.changes"])
    }

    @Test func replicationExpectations() throws {
        let expect = """
            expect:
              replication.ns2.lag.p99: "< 50ms"
              replication.ns2.lag.max: "< 1s"
              replication.ns2.missing: "== 0"
              replication.changes: "> 100"

            """
        let scenario = try #require(Fixture.load(Self.cluster([Self.primary, Self.secondary], plus: expect)))
        #expect(scenario.expectations.map(\.figure)
            == ["replication.ns2.lag.p99", "replication.ns2.lag.max", "replication.ns2.missing", "replication.changes"])
        #expect(scenario.expectations.map(\.threshold) == [50, 1000, 0, 100])
        let wrong = "expect:\n  replication.ns1.lag.p99: \"< 50ms\"\n  replication.ns2.missing: \"== 0ms\"\n"
        #expect(Fixture.errors(Self.cluster([Self.primary, Self.secondary], plus: wrong)) == [
            "s.yaml:17:3: error: unknown figure 'replication.ns1.lag.p99'; did you mean 'replication.ns2.lag.p99'?",
            "s.yaml:18:28: error: malformed expectation '== 0ms' for replication.ns2.missing: "
                + "a count is a plain number",
        ])
        let noPrimary = "expect:\n  replication.changes: \"== 0\"\n"
        #expect(Fixture.errors(Fixture.base(plus: noPrimary)) == [
            "s.yaml:17:3: error: unknown figure 'replication.changes' (see docs/scenarios.md for the figures)",
        ])
    }

    @Test func badRoleDoesNotCascadeIntoFigures() {
        let yaml = Self.cluster(
            [Self.primary, "  - { name: ns2, site: fsn1, role: secundary, primary: ns1 }"],
            plus: "expect:\n  replication.ns2.lag.p99: \"< 50ms\"\n")
        #expect(Fixture.errors(yaml) == ["s.yaml:12:36: error: unknown role 'secundary'; did you mean 'secondary'?"])
    }

    // MARK: Nameserver errors

    @Test func unknownRole() {
        let yaml = Self.cluster([
            "  - { name: ns1, site: fsn1, role: secundary }", "  - { name: ns2, site: fsn1, role: leader }",
        ])
        #expect(Fixture.errors(yaml) == [
            "s.yaml:11:36: error: unknown role 'secundary'; did you mean 'secondary'?",
            "s.yaml:12:36: error: unknown role 'leader' (use authoritative, primary or secondary)",
        ])
    }

    @Test func primaryKeyOnlyOnASecondary() {
        let yaml = Self.cluster([
            "  - { name: ns1, site: fsn1, primary: ns2 }", "  - { name: ns2, site: fsn1, role: primary, primary: ns1 }",
        ])
        #expect(Fixture.errors(yaml) == [
            "s.yaml:11:30: error: 'primary' applies only to a secondary; nameserver 'ns1' is authoritative",
            "s.yaml:12:45: error: 'primary' applies only to a secondary; nameserver 'ns2' is a primary",
        ])
    }

    @Test func secondaryNeedsAPrimary() {
        #expect(Fixture.errors(Self.cluster([Self.primary, "  - { name: ns2, site: fsn1, role: secondary }"])) == [
            "s.yaml:12:5: error: missing required key 'primary' in nameserver 'ns2' "
                + "(a secondary names the primary it copies from)",
        ])
    }

    @Test func primaryMustBeAKnownPrimary() {
        let yaml = Self.cluster([
            Self.primary,
            "  - { name: ns2, site: fsn1, role: secondary, primary: ns9 }",
            "  - { name: ns3, site: fsn1, role: secondary, primary: ns4 }",
            "  - { name: ns4, site: fsn1 }",
            "  - { name: ns5, site: fsn1, role: secondary, primary: ns5 }",
        ])
        #expect(Fixture.errors(yaml) == [
            "s.yaml:12:56: error: unknown host 'ns9'; did you mean 'ns1'?",
            "s.yaml:13:56: error: nameserver 'ns4' is authoritative, not a primary (primaries: ns1)",
            "s.yaml:15:56: error: nameserver 'ns5' is a secondary, not a primary (primaries: ns1)",
        ])
    }

    @Test func notifyOnlyOnAPrimaryRefreshOnlyOnASecondary() {
        let yaml = Self.cluster([
            "  - { name: ns1, site: fsn1, role: primary, refresh: soa }",
            "  - { name: ns2, site: fsn1, notify: on_commit }",
        ])
        #expect(Fixture.errors(yaml) == [
            "s.yaml:11:45: error: 'refresh' applies only to a secondary; nameserver 'ns1' is a primary",
            "s.yaml:12:30: error: 'notify' applies only to a primary; nameserver 'ns2' is authoritative",
        ])
    }

    @Test(arguments: [
        ("periodic(0s)", "bad duration '0s': must be greater than 0"),
        ("periodic(fast)", "expected a duration like 250ms, found 'fast'"),
        ("periodic()", "periodic takes 1 argument (interval), found 0"),
        ("periodic(1s, 2s)", "periodic takes 1 argument (interval), found 2"),
        ("periodic", "periodic needs an interval, like periodic(60s)"),
        ("periodical(5s)", "unknown notify mode 'periodical'; did you mean 'periodic'?"),
        ("on_commit(1s)", "on_commit takes no arguments"),
        ("sometimes", "unknown notify mode 'sometimes' (use on_commit, periodic or never)"),
        ("5s", "expected a notify mode like on_commit or periodic(60s), found '5s'"),
    ])
    func badNotify(text: String, message: String) {
        let yaml = Self.cluster(["  - name: ns1", "    site: fsn1", "    role: primary", "    notify: \(text)"])
        #expect(Fixture.errors(yaml) == ["s.yaml:14:13: error: \(message)"])
    }

    @Test(arguments: [
        ("every(0s)", "bad duration '0s': must be greater than 0"),
        ("every(-1s)", "bad duration '-1s': must be greater than 0"),
        ("every", "every needs an interval, like every(5s)"),
        ("evry(5s)", "unknown refresh mode 'evry'; did you mean 'every'?"),
        ("soa(1h)", "soa takes no arguments"),
        ("timers", "unknown refresh mode 'timers' (use soa or every)"),
    ])
    func badRefresh(text: String, message: String) {
        let yaml = Self.cluster([
            Self.primary, "  - name: ns2", "    site: fsn1", "    role: secondary", "    primary: ns1",
            "    refresh: \(text)",
        ])
        #expect(Fixture.errors(yaml) == ["s.yaml:16:14: error: \(message)"])
    }

    @Test func joinAtInsideTheRunAndOnlyOnASecondary() {
        let yaml = Self.cluster([
            "  - { name: ns1, site: fsn1, role: primary, join_at: 1s }",
            "  - { name: ns2, site: fsn1, role: secondary, primary: ns1, join_at: 60s }",
            "  - { name: ns3, site: fsn1, role: secondary, primary: ns1, join_at: -1s }",
        ])
        #expect(Fixture.errors(yaml) == [
            "s.yaml:11:45: error: 'join_at' applies only to a secondary; nameserver 'ns1' is a primary",
            "s.yaml:12:70: error: join_at 60s is outside the run (duration 60s)",
            "s.yaml:13:70: error: bad duration '-1s': must not be negative",
        ])
    }

    @Test func secondaryNamedLikeAFigure() {
        let yaml = Self.cluster([Self.primary, "  - { name: changes, site: fsn1, role: secondary, primary: ns1 }"])
        #expect(Fixture.errors(yaml) == [
            "s.yaml:12:13: error: a secondary cannot be named 'changes': "
                + "its figures would collide with 'replication.changes'",
        ])
    }

    // MARK: Change stream errors

    @Test func changesPrimaryMustBeAKnownPrimary() {
        let yaml = Self.cluster([Self.primary, "  - { name: ns2, site: fsn1 }"], workload: [
            "  - changes: { name: updates, primary: ns3, every: 1s }",
            "  - changes: { name: more, primary: ns2, every: 1s }",
        ])
        #expect(Fixture.errors(yaml) == [
            "s.yaml:16:40: error: unknown host 'ns3'; did you mean 'ns1'?",
            "s.yaml:17:37: error: nameserver 'ns2' is authoritative, not a primary (primaries: ns1)",
        ])
        let noPrimary = Self.cluster(["  - { name: ns1, site: fsn1 }", "  - { name: ns2, site: fsn1 }"], workload: [
            "  - changes: { name: more, primary: ns2, every: 1s }",
        ])
        #expect(Fixture.errors(noPrimary) == [
            "s.yaml:16:37: error: nameserver 'ns2' is authoritative, not a primary (primaries: none)",
        ])
    }

    @Test func changesTimes() {
        let yaml = Self.cluster([Self.primary], workload: [
            "  - changes: { name: more, primary: ns1, every: 0s, start: 90s }",
            "  - changes: { name: other, primary: ns1, every: -1s, for: 0s }",
        ])
        #expect(Fixture.errors(yaml) == [
            "s.yaml:15:49: error: bad duration '0s': must be greater than 0",
            "s.yaml:15:60: error: changes start 90s is outside the run (duration 60s)",
            "s.yaml:16:50: error: bad duration '-1s': must be greater than 0",
            "s.yaml:16:60: error: bad duration '0s': must be greater than 0",
        ])
    }

    @Test func changesNamesAndKeys() {
        let yaml = Self.cluster([Self.primary], workload: [
            "  - changes: { name: legit, primary: ns1, every: 1s }",
            "  - changes: { name: replication, primary: ns1 }",
            "  - changes: { name: x, primary: ns1, every: 1s, evry: 2s }",
        ])
        #expect(Fixture.errors(yaml) == [
            "s.yaml:15:22: error: duplicate change stream name 'legit' (first defined at 14:24)",
            "s.yaml:16:14: error: missing required key 'every' in changes",
            "s.yaml:16:22: error: change stream name 'replication' is reserved "
                + "(it begins figure names such as 'replication.…')",
            "s.yaml:17:50: error: unknown key 'evry' in changes; did you mean 'every'?",
        ])
    }

    @Test func populationNamedReplicationIsReserved() {
        let legit = "name: legit"
        #expect(Fixture.errors(Fixture.base.replacingOccurrences(of: legit, with: "name: replication")) == [
            "s.yaml:15:24: error: population name 'replication' is reserved "
                + "(it begins figure names such as 'replication.…')",
        ])
    }

    @Test func oneKindPerWorkloadItem() {
        let yaml = Self.cluster([Self.primary], workload: [
            "  - { resolvers: { name: x, count: 1, site: fsn1, rate: poisson(1/s) }, "
                + "changes: { name: y, primary: ns1, every: 1s } }",
        ])
        #expect(Fixture.errors(yaml) == [
            "s.yaml:15:73: error: workload item has 2 kinds ('resolvers', 'changes'); write one kind per item",
        ])
        #expect(Fixture.errors(Self.cluster([Self.primary], workload: ["  - {}"])) == [
            "s.yaml:15:5: error: workload item names no kind (use resolvers, changes, updaters, ip_changes or replay)",
        ])
    }

    @Test func errorsInASecondaryDoNotHideEachOther() {
        let yaml = Self.cluster([
            Self.primary, "  - { name: ns2, site: fsn2, role: secondary, primary: ns7, refresh: every(0s) }",
        ])
        #expect(Fixture.errors(yaml) == [
            "s.yaml:12:24: error: unknown site 'fsn2'; did you mean 'fsn1'?",
            "s.yaml:12:56: error: unknown host 'ns7'; did you mean 'ns1'?",
            "s.yaml:12:70: error: bad duration '0s': must be greater than 0",
        ])
    }
}
