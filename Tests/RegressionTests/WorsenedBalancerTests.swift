import Foundation
import Regression
import Reports
import Testing

/// Issue 9, point 1: a deliberately worsened balancer setting makes compare fail, naming the figure.
///
/// `scenarios/balancer.yaml` runs as committed and with its packet cache cut from 100,000 entries
/// to 10 (a copy of the scenario, changed in memory). Both reports go through report.json and the
/// suite reader exactly as `ddnslab compare` reads them. Measured (5 s, seed 11): nameserver ns1
/// went from 429 to 6,035 queries and the balancers' cache hits from 24,190 to 13,610, so compare
/// names `server.ns1.queries` (up is worse) and `balancers.cache_hits` (down is worse); latency
/// moved by about 1 ms at p99, inside the default tolerance, and stays a plain change.
@Suite struct WorsenedBalancerTests {
    static func report(cacheSize: String) throws -> String {
        let committed = "size: 100000"
        return try RegressionTestSupport.runScenario("scenarios/balancer.yaml", duration: .seconds(5)) { yaml in
            try #require(yaml.contains(committed), "scenarios/balancer.yaml changed its packet cache; update this test")
            return yaml.replacingOccurrences(of: committed, with: "size: \(cacheSize)")
        }.json.text
    }

    @Test func aTinyPacketCacheIsARegressionOnNameserverLoadAndCacheHits() throws {
        let base = try SuiteIndex.scenarios(from: Self.report(cacheSize: "100000"))
        let worse = try SuiteIndex.scenarios(from: Self.report(cacheSize: "10"))
        let comparison = Comparison(base: base, new: worse)
        #expect(!comparison.passed)
        let regressed = comparison.regressions.map(\.figure)
        #expect(regressed.contains("server.ns1.queries"))
        #expect(regressed.contains("balancers.cache_hits"))
        #expect(!regressed.contains { $0.contains("latency") })
        let text = comparison.text()
        #expect(text.contains("REGRESSED  balancer  server.ns1.queries"))
        #expect(text.contains("compare: REGRESSION beyond the thresholds"))
        // The same run against itself: nothing to report.
        #expect(Comparison(base: base, new: base).passed)
    }
}
