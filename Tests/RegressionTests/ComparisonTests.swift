import Regression
import Testing

@Suite struct ComparisonTests {
    static func scenario(_ id: String, _ figures: [(String, Double)], status: ScenarioResult.Status = .passed,
                         attackers: [String] = []) -> ScenarioFigures {
        ScenarioFigures(id: id, status: status, figures: figures.map { FigureValue($0.0, $0.1) }, attackers: attackers)
    }

    @Test func latencyUpAndAvailabilityDownBeyondTheToleranceAreRegressions() {
        let base = [Self.scenario("s", [("legit.latency.p99", 20), ("legit.availability", 99.95), ("legit.latency.p50", 10),
                                        ("trace.events", 1000)])]
        let new = [Self.scenario("s", [("legit.latency.p99", 23), ("legit.availability", 99.8), ("legit.latency.p50", 9.5),
                                       ("trace.events", 5000)])]
        let comparison = Comparison(base: base, new: new)
        #expect(!comparison.passed)
        #expect(comparison.regressions.map(\.figure) == ["legit.latency.p99", "legit.availability"])
        // p50 moved 0.5 ms, within max(1 ms, 10%); trace.events is listed, never judged.
        #expect(comparison.changes.first { $0.figure == "legit.latency.p50" }?.verdict == .changed)
        #expect(comparison.changes.first { $0.figure == "trace.events" }?.verdict == .changed)
        #expect(comparison.text().contains("REGRESSED  s         legit.availability"))
    }

    @Test func improvementsAndUnchangedFiguresDoNotFail() {
        let base = [Self.scenario("s", [("legit.latency.p99", 20), ("legit.answers.wrong", 0)])]
        let new = [Self.scenario("s", [("legit.latency.p99", 12), ("legit.answers.wrong", 0)])]
        let comparison = Comparison(base: base, new: new)
        #expect(comparison.passed)
        #expect(comparison.changes.map(\.verdict) == [.improved])
        #expect(comparison.unchanged == 1)
    }

    @Test func aSingleWrongAnswerIsARegression() {
        let comparison = Comparison(base: [Self.scenario("s", [("legit.answers.wrong", 0)])],
                                    new: [Self.scenario("s", [("legit.answers.wrong", 1)])])
        #expect(comparison.regressions.map(\.figure) == ["legit.answers.wrong"])
    }

    @Test func attackPopulationsAreNotJudgedByTheBuiltInRules() {
        // A defence that works lowers the attackers' availability: not a regression.
        let base = [Self.scenario("a", [("bots.availability", 90), ("legit.availability", 100)], attackers: ["bots"])]
        let new = [Self.scenario("a", [("bots.availability", 2), ("legit.availability", 100)], attackers: ["bots"])]
        #expect(Comparison(base: base, new: new).passed)
        // A user rule that names them does judge them.
        let rules = Thresholds(rules: [ThresholdRule(figure: "bots.availability", worse: .down)] + Thresholds.defaults.rules,
                               userRuleCount: 1)
        #expect(!Comparison(base: base, new: new, thresholds: rules).passed)
    }

    @Test func suitesPairByScenarioAndAMissingOrNewlyFailingScenarioIsARegression() {
        let base = [Self.scenario("a", [("x.latency.p99", 1)]), Self.scenario("b", [("x.latency.p99", 1)]),
                    Self.scenario("c", [])]
        let new = [Self.scenario("b", [("x.latency.p99", 1)]), Self.scenario("a", [("x.latency.p99", 1)]),
                   Self.scenario("d", []), Self.scenario("c", [], status: .failed)]
        let comparison = Comparison(base: base, new: new)
        #expect(comparison.scenariosCompared == 3)
        #expect(comparison.regressions.map(\.scenario) == ["c"])
        #expect(comparison.changes.first { $0.scenario == "d" }?.verdict == .added)
        let missing = Comparison(base: base, new: Array(new.dropFirst()))
        #expect(missing.regressions.map(\.scenario) == ["b", "c"])
    }

    @Test func thresholdsFileRulesComeFirstAndCanDropTheDefaults() throws {
        let yaml = """
            rules:
              - { figure: "legit.latency.p99", worse: up, relative: 50% }
              - { figure: "server.*.queries", scenario: "attacks/*", worse: none }
            """
        let thresholds = try Thresholds.parse(yaml: yaml, file: "t.yaml")
        #expect(thresholds.userRuleCount == 2)
        #expect(thresholds.rules.count == 2 + Thresholds.defaults.rules.count)
        #expect(thresholds.rule(for: "legit.latency.p99", in: "x")?.relative == 0.5)
        #expect(thresholds.rule(for: "legit.latency.p50", in: "x")?.figure == "*latency.*")
        #expect(thresholds.rule(for: "server.ns1.queries", in: "attacks/botnet")?.worse == ThresholdRule.Worse.none)
        #expect(thresholds.rule(for: "server.ns1.queries", in: "balancer")?.worse == .up)
        let bare = try Thresholds.parse(yaml: "defaults: false\nrules: [{figure: a, worse: either, absolute: 2}]\n", file: "t")
        #expect(bare.rules == [ThresholdRule(figure: "a", worse: .either, absolute: 2)])
    }

    @Test(arguments: [
        ("rules: [{figure: a, worse: sideways}]", "t.yaml:1:28: error: worse: expected up, down, either or none"),
        ("rules: [{figure: a}]", "t.yaml:1:9: error: a rule needs figure and worse"),
        ("limits: []", "t.yaml:1:1: error: unknown key 'limits'"),
        ("rules: [{figure: a, worse: up, relative: lots}]", "t.yaml:1:42: error: relative: expected a share like 10%"),
    ])
    func thresholdsFileErrorsSayWhere(_ yaml: String, _ message: String) {
        #expect {
            _ = try Thresholds.parse(yaml: yaml, file: "t.yaml")
        } throws: { error in
            (error as? RegressionInputError)?.message.hasPrefix(message) == true
        }
    }

    @Test(arguments: [
        ("*latency.*", "legit.latency.p99", true), ("*latency.*", "attack.legit.latency.p99", true),
        ("server.*.queries", "server.ns1.queries", true), ("server.*.queries", "server.ns1.responses", false),
        ("a?c", "abc", true), ("a?c", "ac", false), ("*", "", true), ("attacks/*", "attacks/botnet", true),
    ])
    func globs(_ pattern: String, _ text: String, _ expected: Bool) {
        #expect(ThresholdRule(figure: pattern, worse: .up).applies(to: text, in: "s") == expected)
    }
}
