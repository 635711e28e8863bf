import Reports
import Testing

@Suite struct SVGChartTests {
    static func chart(logarithmic: Bool, stacked: Bool = false) -> SVGChart {
        var chart = SVGChart(id: "c", title: "T & <t>", unit: "ms", seconds: 4)
        chart.logarithmic = logarithmic
        chart.stacked = stacked
        chart.lines = [SVGChart.Line(name: "a", color: "#0969da", values: [2, nil, 150, 0]),
                       SVGChart.Line(name: "b", color: "#bc4c00", values: [1, 1, 1, 1])]
        chart.bands = [SVGChart.Band(start: 1, end: 2.5, label: "crash ns2", color: "#cf222e")]
        return chart
    }

    @Test func logAxisTicksArePowersOfTenAroundTheData() {
        let svg = Self.chart(logarithmic: true).svg
        for tick in [">1<", ">10<", ">100<", ">1000<"] { #expect(svg.contains(tick)) }
        // A gap (nil) and a value a log axis cannot show (0) break the line: two segments for "a".
        let line = svg.split(separator: "\n").first { $0.contains("<title>a</title></path>") }
        #expect(line.map { $0.filter { $0 == "M" }.count } == 2)
        #expect(svg.contains("<title>T &amp; &lt;t&gt;</title>"))
        #expect(svg.contains("<rect class=\"band\""))
    }

    @Test func stackedAreasAreDrawnBottomFirstAndOutputIsStable() {
        let svg = Self.chart(logarithmic: false, stacked: true).svg
        #expect(svg.split(separator: "\n").filter { $0.hasPrefix("<polygon class=\"area\"") }.count == 2)
        #expect(svg == Self.chart(logarithmic: false, stacked: true).svg)
        // Linear axis from 0 to a round ceiling over the stacked total (151 -> 200).
        #expect(svg.contains(">200<") && svg.contains(">0<"))
    }
}
