import Foundation
import Testing

@testable import Scenario

/// Every class of error, with its exact message and position (docs/scenarios.md, "Errors").
///
/// `Fixture.base` is 15 lines long; sections appended to it start on line 16.
@Suite struct ScenarioErrorTests {
    private func replacing(_ old: String, with new: String) -> String {
        precondition(Fixture.base.contains(old), "fixture text not found: \(old)")
        return Fixture.base.replacingOccurrences(of: old, with: new)
    }

    // MARK: YAML

    @Test func yamlSyntaxErrorsArePositioned() {
        #expect(Fixture.errors("version: 1\nname: t\nsites: { fsn1: [ }\n") == [
            "s.yaml:3:18: error: invalid YAML: did not find expected node content (while parsing a flow node)",
        ])
        #expect(Fixture.errors("version: 1\nname: t\n  bad: indent\n") == [
            "s.yaml:3:6: error: invalid YAML: mapping values are not allowed in this context",
        ])
        #expect(Fixture.errors("version: 1\nsites:\n  fsn1:\n    networks: [public\n") == [
            "s.yaml:5:1: error: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at 4:15)",
        ])
        #expect(Fixture.errors("version: 1\nname: t\nduration: 1\u{01}0s\n") == [
            "s.yaml:3:12: error: invalid YAML: control characters are not allowed",
        ])
    }

    @Test func secondDocumentIsAnError() {
        #expect(Fixture.errors(Fixture.base + "---\nversion: 1\n") == [
            "s.yaml:16:1: error: invalid YAML: a scenario file holds one document, found a second one",
        ])
    }

    @Test func unusableSectionsDoNotCascade() {
        let yaml = Fixture.base.replacingOccurrences(
            of: "workload:\n  - resolvers: { name: legit, count: 10, site: internet, rate: poisson(100/s) }\n",
            with: "workload: legit\n") + "expect:\n  legit.availability: \">= 99%\"\n"
        #expect(Fixture.errors(yaml) == ["s.yaml:14:11: error: expected a list of workload items, found 'legit'"])
        let noSites = Fixture.base.replacingOccurrences(
            of: "sites:\n  fsn1: { networks: [public, internal] }\n  internet: { networks: [public] }\n",
            with: "sites: [fsn1, internet]\n")
        #expect(Fixture.errors(noSites) == ["s.yaml:4:8: error: expected a mapping of site names to sites, found a list"])
    }

    @Test func duplicateKeysAreSyntaxErrors() {
        #expect(Fixture.errors("version: 1\nname: t\nversion: 1\n") == [
            "s.yaml:1:1: error: duplicate key 'version': a key may appear only once in a mapping",
        ])
    }

    @Test func emptyFile() {
        let expected = [
            "s.yaml:1:1: error: the scenario is empty; expected a mapping with version, name, duration, sites, "
                + "nameservers and zones",
        ]
        #expect(Fixture.errors("") == expected)
        #expect(Fixture.errors("# only a comment\n") == expected)
    }

    // MARK: Keys and types

    @Test func unknownKeySuggestsTheClosestKey() {
        #expect(Fixture.errors(Fixture.base(plus: "expct:\n  legit.queries: \"> 0\"\n")) == [
            "s.yaml:16:1: error: unknown key 'expct' in the scenario; did you mean 'expect'?",
        ])
        #expect(Fixture.errors(Fixture.base(plus: "faults:\n  - { at: 5s, crash: ns1, fro: 2s }\n")) == [
            "s.yaml:17:27: error: unknown key 'fro' in crash fault; did you mean 'for'?",
        ])
        #expect(Fixture.errors(replacing("  fsn1: { networks:", with: "  fsn1: { network:")) == [
            "s.yaml:5:9: error: missing required key 'networks' in site 'fsn1'",
            "s.yaml:5:11: error: unknown key 'network' in site 'fsn1'; did you mean 'networks'?",
        ])
    }

    @Test func unknownKeyWithoutACloseMatchListsTheKeys() {
        let yaml = Fixture.base(plus: "random_faults: { mean_interval: 5s, duration: 2s, colour: red }\n")
        #expect(Fixture.errors(yaml) == [
            "s.yaml:16:51: error: unknown key 'colour' in random_faults "
                + "(expected one of: kinds, mean_interval, duration)",
        ])
    }

    @Test func missingRequiredKey() {
        let withoutDuration = Fixture.base.replacingOccurrences(of: "duration: 60s\n", with: "")
        #expect(Fixture.errors(withoutDuration) == [
            "s.yaml:1:1: error: missing required key 'duration' in the scenario",
        ])
        #expect(Fixture.errors(Fixture.base(plus: "faults:\n  - { at: 5s, slow: ns1 }\n")) == [
            "s.yaml:17:5: error: missing required key 'factor' in slow fault",
        ])
    }

    @Test func wrongTypes() {
        #expect(Fixture.errors(replacing("duration: 60s", with: "duration: fast")) == [
            "s.yaml:3:11: error: expected a duration like 250ms, found 'fast'",
        ])
        #expect(Fixture.errors(replacing("duration: 60s", with: "duration:")) == [
            "s.yaml:3:1: error: expected a duration like 250ms, found nothing",
        ])
        #expect(Fixture.errors(Fixture.base(plus: "faults: { at: 5s }\n")) == [
            "s.yaml:16:9: error: expected a list of faults, found a mapping",
        ])
        #expect(Fixture.errors(replacing("  - { name: ns2, site: fsn1 }", with: "  - [ns2, fsn1]")) == [
            "s.yaml:12:5: error: expected a mapping, found a list",
        ])
        #expect(Fixture.errors(replacing("count: 10", with: "count: ten")) == [
            "s.yaml:15:38: error: expected an integer, found 'ten'",
        ])
        #expect(Fixture.errors(Fixture.base(plus: "seed: -1\n")) == [
            "s.yaml:16:7: error: expected an unsigned 64-bit integer, found '-1'",
        ])
        #expect(Fixture.errors(Fixture.base(plus: "epoch: tomorrow\n")) == [
            "s.yaml:16:8: error: expected a UTC date like 2026-01-01T00:00:00Z, found 'tomorrow'",
        ])
    }

    @Test func outOfRangeValues() {
        #expect(Fixture.errors(replacing("count: 10", with: "count: 0, retries: 11, timeout: 0s")) == [
            "s.yaml:15:38: error: count must be at least 1, found 0",
            "s.yaml:15:50: error: retries must be between 0 and 10, found 11",
            "s.yaml:15:63: error: bad duration '0s': must be greater than 0",
        ])
        #expect(Fixture.errors(replacing("count: 10", with: "count: 1, edns: { sizes: [100] }")) == [
            "s.yaml:15:57: error: EDNS size must be between 512 and 65535, found 100",
        ])
        #expect(Fixture.errors(Fixture.base(plus: "epoch: 2026-02-29\n")) == [
            "s.yaml:16:8: error: bad date '2026-02-29': no such day",
        ])
        #expect(Fixture.errors(replacing("name: t", with: "name: Bad Name")) == [
            "s.yaml:2:7: error: bad scenario name 'Bad Name': use lowercase letters, digits, '.', '_' and '-'",
        ])
    }

    // MARK: Durations, percentages, rates

    @Test(arguments: [
        ("10", "bad duration '10': missing unit (use ns, us, ms, s, m, h or d)"),
        ("10x", "bad duration '10x': unknown unit 'x' (use ns, us, ms, s, m, h or d)"),
        ("1m30", "bad duration '1m30': missing unit (use ns, us, ms, s, m, h or d)"),
        ("0s", "bad duration '0s': must be greater than 0"),
        ("-5s", "bad duration '-5s': must be greater than 0"),
        ("1.5ns", "bad duration '1.5ns': finer than a nanosecond"),
        ("300000d", "bad duration '300000d': too long"),
    ])
    func badDuration(text: String, message: String) {
        let yaml = replacing("duration: 60s", with: "duration: \(text)")
        #expect(Fixture.errors(yaml) == ["s.yaml:3:11: error: \(message)"])
    }

    @Test(arguments: [
        ("150%", "bad percentage '150%': must be between 0% and 100%"),
        ("-1%", "bad percentage '-1%': must be between 0% and 100%"),
        ("0.00001%", "bad percentage '0.00001%': finer than 0.0001%"),
        ("five%", "expected a percentage like 5%, found 'five%'"),
        ("5", "expected a percentage like 5%, found '5'"),
    ])
    func badPercentage(text: String, message: String) {
        let yaml = replacing("    latency: 10ms\n", with: "    latency: 10ms\n    loss: \(text)\n")
        #expect(Fixture.errors(yaml) == ["s.yaml:10:11: error: \(message)"])
    }

    @Test(arguments: [
        ("poisson(-5/s)", "negative rate '-5/s': rates must be 0/s or more"),
        ("fast", "expected a rate like poisson(5000/s), found 'fast'"),
        ("poisson(5000)", "bad rate '5000': expected N/s such as 5000/s or 5k/s"),
        ("posson(5/s)", "unknown rate model 'posson'; did you mean 'poisson'?"),
        ("gauss(5/s)", "unknown rate model 'gauss' (use constant, poisson, ramp or diurnal)"),
        ("ramp(5/s)", "ramp takes 2 arguments (A/s, B/s), found 1"),
        ("\"diurnal(900/s, 100/s, 24h)\"", "diurnal trough 900/s is above its peak 100/s"),
    ])
    func badRate(text: String, message: String) {
        let yaml = replacing("rate: poisson(100/s)", with: "rate: \(text)")
        #expect(Fixture.errors(yaml) == ["s.yaml:15:64: error: \(message)"])
    }

    @Test func badDistribution() {
        let yaml = replacing(
            "    latency: 10ms", with: "    latency: { base: 10ms, jitter: lognormal(2ms), tail: \"pareto(5ms, 0)\" }")
        #expect(Fixture.errors(yaml) == [
            "s.yaml:9:14: error: missing required key 'tail_share' in latency (it goes with 'tail')",
            "s.yaml:9:36: error: lognormal takes 2 arguments (median, sigma), found 1",
            "s.yaml:9:58: error: pareto alpha must be greater than 0, found '0'",
        ])
    }

    // MARK: References

    @Test func unknownSite() {
        #expect(Fixture.errors(replacing("  - { name: ns1, site: fsn1 }", with: "  - { name: ns1, site: fsn2 }")) == [
            "s.yaml:11:24: error: unknown site 'fsn2'; did you mean 'fsn1'?",
        ])
        #expect(Fixture.errors(replacing("site: internet", with: "site: hel1")) == [
            "s.yaml:15:48: error: unknown site 'hel1' (sites: fsn1, internet)",
        ])
    }

    @Test func networkMustBelongToTheSite() {
        let yaml = replacing(
            "  - { name: ns2, site: fsn1 }", with: "  - { name: ns2, site: internet, networks: [internal] }")
        #expect(Fixture.errors(yaml) == [
            "s.yaml:12:45: error: network 'internal' is not a network of site 'internet' (it has: public)",
        ])
    }

    @Test func unknownHostInAFault() {
        let faults = "faults:\n  - { at: 5s, crash: ns3 }\n  - { at: 6s, clock_skew: web, offset: 1s }\n"
        #expect(Fixture.errors(Fixture.base(plus: faults)) == [
            "s.yaml:17:22: error: unknown host 'ns3'; did you mean 'ns1'?",
            "s.yaml:18:27: error: unknown host 'web' (nameservers: ns1, ns2)",
        ])
    }

    @Test func unknownHostInTargets() {
        #expect(Fixture.errors(replacing("site: internet,", with: "site: internet, targets: [ns1, nsx],")) == [
            "s.yaml:15:73: error: unknown host 'nsx'; did you mean 'ns1'?",
        ])
    }

    // MARK: Faults

    @Test func faultKindMissingOrDoubled() {
        let faults = "faults:\n  - { at: 5s, for: 2s }\n  - { at: 5s, crash: ns1, hang: ns2 }\n"
        #expect(Fixture.errors(Fixture.base(plus: faults)) == [
            "s.yaml:17:5: error: fault has no kind (use one of crash, hang, slow, partition, degrade, clock_skew, "
                + "lose_database, corrupt_database, restore)",
            "s.yaml:18:27: error: fault has 2 kinds ('crash', 'hang'); write one fault per item",
        ])
    }

    @Test func faultOutsideTheRun() {
        let faults = "faults:\n  - { at: 60s, crash: ns1 }\n  - { at: 2m, hang: ns1 }\n  - { at: -1s, hang: ns2 }\n"
        #expect(Fixture.errors(Fixture.base(plus: faults)) == [
            "s.yaml:17:11: error: fault at 60s is outside the run (duration 60s)",
            "s.yaml:18:11: error: fault at 2m is outside the run (duration 60s)",
            "s.yaml:19:11: error: bad duration '-1s': must not be negative",
        ])
    }

    @Test func degradeNeedsAnExistingLink() {
        let yaml = replacing("  internet: { networks: [public] }\n",
                             with: "  internet: { networks: [public] }\n  nbg1: { networks: [public] }\n")
            + "faults:\n  - { at: 5s, degrade: [nbg1, fsn1], loss: 5% }\n"
        #expect(Fixture.errors(yaml) == [
            "s.yaml:18:24: error: degrade names a link that does not exist: no link between 'nbg1' and 'fsn1'",
        ])
    }

    @Test func randomFaultErrors() {
        let yaml = Fixture.base(plus: "random_faults: { kinds: [crsh], mean_interval: 1m, duration: 30s..10s }\n")
        #expect(Fixture.errors(yaml) == [
            "s.yaml:16:26: error: unknown fault kind 'crsh'; did you mean 'crash'?",
            "s.yaml:16:62: error: bad duration range '30s..10s': the minimum is above the maximum",
        ])
    }

    // MARK: Names and links

    @Test func duplicateHostName() {
        #expect(Fixture.errors(replacing("  - { name: ns2, site: fsn1 }", with: "  - { name: ns1, site: fsn1 }")) == [
            "s.yaml:12:13: error: duplicate host name 'ns1' (first defined at 11:13)",
        ])
    }

    @Test func duplicateOrReservedPopulationName() {
        let second = "  - resolvers: { name: legit, count: 1, site: fsn1, rate: constant(1/s) }\n"
        #expect(Fixture.errors(Fixture.base(plus: second)) == [
            "s.yaml:16:24: error: duplicate population name 'legit' (first defined at 15:24)",
        ])
        #expect(Fixture.errors(replacing("name: legit", with: "name: server")) == [
            "s.yaml:15:24: error: population name 'server' is reserved (it begins figure names such as 'server.…')",
        ])
    }

    @Test func linkBetweenUnknownOrSameSites() {
        #expect(Fixture.errors(replacing("[internet, fsn1]", with: "[internet, xyz]")) == [
            "s.yaml:8:25: error: unknown site 'xyz' (sites: fsn1, internet)",
        ])
        #expect(Fixture.errors(replacing("[internet, fsn1]", with: "[fsn1, fsn1]")) == [
            "s.yaml:8:21: error: link needs two different sites, found 'fsn1' twice",
        ])
        #expect(Fixture.errors(replacing("[internet, fsn1]", with: "[internet, fsn1, fsn1]")) == [
            "s.yaml:8:14: error: link must name two sites, found 3",
        ])
    }

    @Test func duplicateLink() {
        let yaml = replacing(
            "    latency: 10ms\n", with: "    latency: 10ms\n  - { between: [fsn1, internet], latency: 5ms }\n")
        #expect(Fixture.errors(yaml) == [
            "s.yaml:10:16: error: duplicate link between 'fsn1' and 'internet' (first defined at 8:14)",
        ])
    }

    // MARK: Query types

    @Test func queryTypesMustSumTo100Percent() {
        let yaml = replacing("rate: poisson(100/s) }", with: "rate: poisson(100/s), qtypes: { A: 70%, AAAA: 25% } }")
        #expect(Fixture.errors(yaml) == ["s.yaml:15:88: error: qtypes sum to 95%; they must sum to 100%"])
    }

    @Test func unknownRRType() {
        let yaml = replacing(
            "rate: poisson(100/s) }", with: "rate: poisson(100/s), qtypes: { A: 70%, AAA: 20%, QQQQ: 10% } }")
        #expect(Fixture.errors(yaml) == [
            "s.yaml:15:98: error: unknown RR type 'AAA' in qtypes; did you mean 'AAAA'?",
            "s.yaml:15:108: error: unknown RR type 'QQQQ' in qtypes (use a mnemonic such as A, AAAA, TXT or TYPE65)",
        ])
    }

    // MARK: Expectations and version

    @Test func unknownFigure() {
        let expect = """
            expect:
              legit.latency.p999x: "< 5ms"
              legit.throughput: "> 5"
              server.ns3.queries: "> 0"

            """
        #expect(Fixture.errors(Fixture.base(plus: expect)) == [
            "s.yaml:17:3: error: unknown figure 'legit.latency.p999x'; did you mean 'legit.latency.p999'?",
            "s.yaml:18:3: error: unknown figure 'legit.throughput' (see docs/scenarios.md for the figures)",
            "s.yaml:19:3: error: unknown figure 'server.ns3.queries'; did you mean 'server.ns1.queries'?",
        ])
    }

    @Test func malformedExpectation() {
        let expect = """
            expect:
              legit.availability: "about 99%"
              legit.latency.p99: "< 60"
              legit.queries: "> 5ms"
              legit.retries: "=< 3"
              legit.answers.wrong: "== 0%"

            """
        let syntax = "expected OP VALUE such as '>= 99.9%' or '< 60ms' (OP is <, <=, >, >=, == or !=)"
        #expect(Fixture.errors(Fixture.base(plus: expect)) == [
            "s.yaml:17:23: error: malformed expectation 'about 99%' for legit.availability: \(syntax)",
            "s.yaml:18:22: error: malformed expectation '< 60' for legit.latency.p99: "
                + "a latency needs a unit (ns, us, ms or s)",
            "s.yaml:19:18: error: malformed expectation '> 5ms' for legit.queries: a count is a plain number",
            "s.yaml:20:18: error: malformed expectation '=< 3' for legit.retries: \(syntax)",
            "s.yaml:21:24: error: malformed expectation '== 0%' for legit.answers.wrong: a count is a plain number",
        ])
    }

    @Test func versionMissingOrUnsupported() {
        let withoutVersion = Fixture.base.replacingOccurrences(of: "version: 1\n", with: "")
        #expect(Fixture.errors(withoutVersion) == ["s.yaml:1:1: error: missing required key 'version' in the scenario"])
        #expect(Fixture.errors(replacing("version: 1", with: "version: 2")) == [
            "s.yaml:1:10: error: unsupported version 2; this ddnslab reads version 1",
        ])
        #expect(Fixture.errors(replacing("version: 1", with: "version: one")) == [
            "s.yaml:1:10: error: expected an integer, found 'one'",
        ])
    }

    // MARK: Several at once

    @Test func reportsEveryErrorInFileOrder() {
        let yaml = """
            version: 1
            name: Bad Name
            duration: 60s
            sites:
              fsn1: { networks: [public] }
            links:
              - { between: [fsn1, nbg1], latency: 5ms }
            nameservers:
              - { name: ns1, site: fsn1, cores: 2 }
            zones: [z.zone]
            faults:
              - { at: 90s, crash: ns1 }
            expect:
              trace.events: "> lots"

            """
        #expect(Fixture.errors(yaml) == [
            "s.yaml:2:7: error: bad scenario name 'Bad Name': use lowercase letters, digits, '.', '_' and '-'",
            "s.yaml:7:23: error: unknown site 'nbg1' (sites: fsn1)",
            "s.yaml:9:30: error: unknown key 'cores' in nameserver "
                + "(expected one of: name, site, networks, capacity, role, primary, notify, refresh, join_at)",
            "s.yaml:12:11: error: fault at 90s is outside the run (duration 60s)",
            "s.yaml:14:17: error: malformed expectation '> lots' for trace.events: expected OP VALUE such as "
                + "'>= 99.9%' or '< 60ms' (OP is <, <=, >, >=, == or !=)",
        ])
    }
}
