import Testing

@testable import Scenario

/// The database steps `lose_database`, `corrupt_database` and `restore` (docs/scenarios.md, Fault
/// kinds): read on the backups' host, instants only, never drawn at random.
@Suite struct DatabaseFaultSchemaTests {
    /// 14 lines: faults appended start on line 15.
    static let base = """
        version: 1
        name: t
        duration: 2h
        sites:
          fsn1: { networks: [internal] }
        nameservers:
          - { name: ns1, site: fsn1, role: primary }
          - { name: ns2, site: fsn1, role: secondary, primary: ns1 }
        zones: [z.zone]
        workload:
          - changes: { name: edits, primary: ns1, every: 1m }
        backups: { of: ns1, every: 15m }
        expect:
          restore.rpo: "< 1200s"

        """

    @Test func stepsAreReadWithTheirSnapshot() throws {
        let scenario = try #require(Fixture.load(Self.base + """
            faults:
              - { at: 40m, lose_database: ns1 }
              - { at: 50m, restore: ns1 }
              - { at: 60m, corrupt_database: ns1 }
              - { at: 70m, restore: ns1, snapshot: 3 }
              - { at: 80m, restore: ns1, snapshot: latest }
            """))
        #expect(scenario.faults.map(\.kind) == [
            .loseDatabase(host: "ns1"), .restore(host: "ns1", snapshot: nil), .corruptDatabase(host: "ns1"),
            .restore(host: "ns1", snapshot: 3), .restore(host: "ns1", snapshot: nil),
        ])
        #expect(scenario.faults.allSatisfy { $0.kind.isDatabaseStep && $0.duration == nil })
        #expect(scenario.figures.contains { $0.path == "restore.rto" && $0.unit == .milliseconds })
    }

    @Test func restoreFiguresNeedADatabaseStep() {
        let errors = Fixture.errors(Self.base)
        #expect(errors.count == 1 && errors[0].hasPrefix("s.yaml:14:3: error: unknown figure 'restore.rpo'"), "\(errors)")
    }

    @Test func stepsActOnTheBackupsHostAndAreInstants() {
        let yaml = Self.base + """
            faults:
              - { at: 40m, lose_database: ns2 }
              - { at: 41m, corrupt_database: ns1, for: 5m }
              - { at: 50m, restore: ns1, snapshot: 0 }
              - { at: 51m, restore: ns1, snapshot: newest }
            """
        #expect(Fixture.errors(yaml) == [
            "s.yaml:16:31: error: lose_database acts on the database of the backups' host 'ns1', not 'ns2'",
            "s.yaml:17:39: error: corrupt_database happens at an instant and takes no 'for'",
            "s.yaml:18:40: error: expected 'latest' or a snapshot id (1 or more), found '0'",
            "s.yaml:19:40: error: expected 'latest' or a snapshot id (1 or more), found 'newest'",
        ])
    }

    @Test func stepsNeedBackups() {
        let yaml = Self.base.replacingOccurrences(of: "backups: { of: ns1, every: 15m }\n", with: "")
            .replacingOccurrences(of: "expect:\n  restore.rpo: \"< 1200s\"\n", with: "")
            + "faults:\n  - { at: 40m, lose_database: ns1 }\n"
        #expect(Fixture.errors(yaml) == [
            "s.yaml:13:31: error: lose_database needs a 'backups' section: it acts on the database the backups copy",
        ])
    }

    @Test func stepsAreNotDrawnAtRandom() {
        let yaml = Self.base.replacingOccurrences(of: "expect:\n  restore.rpo: \"< 1200s\"\n", with: "")
            + "random_faults: { kinds: [crash, restore], mean_interval: 10m, duration: 1m }\n"
        #expect(Fixture.errors(yaml) == [
            "s.yaml:13:33: error: restore is not drawn at random: put it in 'faults' with a 'restore' after it",
        ])
    }
}
