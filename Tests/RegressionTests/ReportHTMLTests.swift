import Foundation
import Regression
import Reports
import Testing

/// Issue 9, point 2: the HTML report renders in a real browser with all its charts.
///
/// `scenarios/attacks/heavy-client.yaml` (30 s: a legitimate population, one heavy client, a
/// query-rate dynamic block) gives every kind of chart: latency on a log axis, queries per second
/// by outcome for both populations, load on the nameservers, dynamic blocks in force, and the
/// attack window shaded. Headless Chromium renders report.html to PNG; the picture must not be
/// blank and must show the outcome colours and the latency lines.
@Suite(.serialized) struct ReportHTMLTests {
    static let chromium = RegressionTestSupport.tool("chromium") ?? RegressionTestSupport.tool("chromium-browser")
    static let report = Result { try RegressionTestSupport.runScenario("scenarios/attacks/heavy-client.yaml") }

    @Test func everyChartIsOnThePageAndThePageIsSelfContained() throws {
        let report = try Self.report.get()
        let html = report.html
        #expect(report.charts.map(\.id) == ["latency", "outcomes-legit", "outcomes-heavy", "nameserver-qps", "dynamic-blocks"])
        for chart in report.charts { #expect(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"\(chart.id)\"")) }
        #expect(html.contains("log scale"))
        #expect(html.contains("<rect class=\"band\""))
        #expect(html.contains("attack: heavy"))
        #expect(html.contains("<h2>Expectations</h2>"))
        // Nothing to fetch: no script, no external URL other than the SVG namespace.
        #expect(!html.contains("<script"))
        #expect(html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").range(of: "http") == nil)
        // Same report, same bytes.
        #expect(html == report.html)
    }

    @Test(.enabled(if: chromium != nil, "chromium is not installed (Debian chromium; scripts/bootstrap.sh installs it)"))
    func rendersInHeadlessChromiumWithEveryChart() throws {
        let report = try Self.report.get()
        let page = try RegressionTestSupport.temporaryFile("report.html", contents: report.html)
        let png = page.deletingLastPathComponent().appendingPathComponent("report.png")
        let render = try RegressionTestSupport.run(Self.chromium!, Self.chromiumArguments + [
            "--window-size=1100,2200", "--screenshot=\(png.path)", page.absoluteString,
        ])
        #expect(render.status == 0, "\(render.output)")
        let stats = try Self.pixelStats(png, colors: ["#2da44e", "#6e7781", "#0969da", "#bc4c00", "#fb8500"])
        #expect(stats.nonWhite > 0.05, "the rendered page is (nearly) blank: \(stats)")
        #expect(stats.colors > 200, "\(stats)")
        #expect(stats.matches["#2da44e", default: 0] > 2000, "no correct answers drawn: \(stats)")
        #expect(stats.matches["#6e7781", default: 0] > 200, "the heavy client's refused queries are not drawn: \(stats)")
        #expect(stats.matches["#0969da", default: 0] > 300, "no legit latency line: \(stats)")
        #expect(stats.matches["#bc4c00", default: 0] > 100, "no second population's lines: \(stats)")
        // The DOM Chromium built holds every chart.
        let dom = try RegressionTestSupport.run(Self.chromium!, Self.chromiumArguments + ["--dump-dom", page.absoluteString])
        #expect(dom.output.components(separatedBy: "<svg ").count - 1 == report.charts.count)
    }

    @Test(.enabled(if: chromium != nil, "chromium is not installed (Debian chromium; scripts/bootstrap.sh installs it)"))
    func aBlankPageFailsTheCheck() throws {
        let page = try RegressionTestSupport.temporaryFile("blank.html", contents: "<!DOCTYPE html><html><body></body></html>\n")
        let png = page.deletingLastPathComponent().appendingPathComponent("blank.png")
        _ = try RegressionTestSupport.run(Self.chromium!, Self.chromiumArguments + [
            "--window-size=800,600", "--screenshot=\(png.path)", page.absoluteString,
        ])
        #expect(try Self.pixelStats(png, colors: []).nonWhite < 0.001)
    }

    static let chromiumArguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                                    "--disable-dev-shm-usage"]

    struct PixelStats: CustomStringConvertible {
        var nonWhite: Double
        var colors: Int
        var matches: [String: Int]
        var description: String { "non-white \(nonWhite), \(colors) colours, \(matches)" }
    }

    /// Fixtures/png_stats.py (standard-library Python: zlib and a PNG unfilter).
    static func pixelStats(_ png: URL, colors: [String]) throws -> PixelStats {
        let script = RegressionTestSupport.fixtures.appendingPathComponent("png_stats.py").path
        let python = try #require(RegressionTestSupport.tool("python3"), "python3 reads the PNG")
        let result = try RegressionTestSupport.run(python, [script, png.path] + colors)
        try #require(result.status == 0, "\(result.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        return PixelStats(nonWhite: json["non_white"] as? Double ?? 0, colors: json["colors"] as? Int ?? 0,
                          matches: json["matches"] as? [String: Int] ?? [:])
    }
}
