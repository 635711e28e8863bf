import Foundation
import Testing

@testable import Scenario

/// The example scenarios and the documentation stay valid and agree with the loader.
@Suite struct ScenarioFileTests {
    @Test func quickstartLoads() throws {
        let text = try Fixture.repositoryFile("scenarios/quickstart.yaml")
        let scenario = try ScenarioLoader.scenario(yaml: text, file: "scenarios/quickstart.yaml")
        #expect(scenario.name == "quickstart" && scenario.seed == 42 && scenario.duration == .seconds(30))
        #expect(scenario.sites.map(\.name) == ["fsn1", "internet"] && scenario.nameservers.map(\.name) == ["ns1"])
        #expect(scenario.zoneFiles == ["../fixtures/zones/dyn.example.zone"])
        #expect(scenario.workload.map(\.name) == ["legit"] && scenario.workload[0].count == 500)
        #expect(scenario.workload[0].queryTypes.map(\.1) == [700_000, 250_000, 50_000])
        #expect(scenario.expectations.map(\.figure)
            == ["legit.availability", "legit.answers.wrong", "legit.latency.p99"])
    }

    @Test func faultsLoads() throws {
        let text = try Fixture.repositoryFile("scenarios/faults.yaml")
        let scenario = try ScenarioLoader.scenario(yaml: text, file: "scenarios/faults.yaml")
        #expect(scenario.nameservers.map(\.name) == ["ns1", "ns2"])
        #expect(scenario.faults.map(\.kind.label) == ["crash", "degrade", "partition", "clock_skew"])
        #expect(scenario.faults[0].duration == .seconds(5) && scenario.faults[2].duration == .seconds(10))
    }

    @Test func everyScenarioInTheFolderLoads() throws {
        let folder = Fixture.repositoryRoot.appendingPathComponent("scenarios")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(names.contains("quickstart.yaml") && names.contains("faults.yaml"))
        for name in names {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            if case .failure(let errors) = ScenarioLoader.load(yaml: text, file: "scenarios/\(name)") {
                Issue.record("\(errors)")
            }
        }
    }

    /// Every ```yaml block of docs/scenarios.md loads: complete scenarios (first line
    /// `# Complete scenario`) as they are, fragments in place of the same sections of `Fixture.base`.
    @Test func documentedExamplesLoad() throws {
        let text = try Fixture.repositoryFile("docs/scenarios.md")
        let blocks = text.components(separatedBy: "```yaml\n").dropFirst()
            .map { $0.components(separatedBy: "```")[0] }
        #expect(blocks.count >= 20)
        #expect(blocks.filter { $0.hasPrefix("# Complete scenario") }.count >= 2)
        for block in blocks {
            let yaml = block.hasPrefix("# Complete scenario") ? block : Self.merge(fragment: block, into: Fixture.base)
            if case .failure(let errors) = ScenarioLoader.load(yaml: yaml, file: "docs/scenarios.md") {
                Issue.record("\(errors)\n\(block)")
            }
        }
    }

    /// `base` without the top-level sections that `fragment` defines, followed by `fragment`.
    static func merge(fragment: String, into base: String) -> String {
        func topLevelKey(_ line: Substring) -> Substring? {
            guard let first = line.first, first.isLetter, let colon = line.firstIndex(of: ":") else { return nil }
            return line[..<colon]
        }
        let replaced = Set(fragment.split(separator: "\n").compactMap(topLevelKey))
        var kept: [Substring] = []
        var skipping = false
        for line in base.split(separator: "\n", omittingEmptySubsequences: false) {
            if let key = topLevelKey(line) { skipping = replaced.contains(key) }
            if !skipping { kept.append(line) }
        }
        return kept.joined(separator: "\n") + "\n" + fragment
    }

    /// The JSON Schema names exactly the keys the loader accepts.
    @Test func jsonSchemaAgreesWithTheLoader() throws {
        let data = try Data(contentsOf: Fixture.repositoryRoot.appendingPathComponent("docs/scenario.schema.json"))
        let schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(schema["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        func keys(_ object: Any?) -> Set<String> {
            Set(((object as? [String: Any])?["properties"] as? [String: Any])?.keys.map { $0 } ?? [])
        }
        let definitions = try #require(schema["$defs"] as? [String: Any])
        #expect(keys(schema) == Set(ScenarioReader.topLevelKeys))
        #expect(keys(definitions["link"]) == Set(ScenarioReader.linkKeys))
        #expect(keys(definitions["site"]) == Set(ScenarioReader.siteKeys))
        #expect(keys(definitions["latencyMapping"]) == Set(ScenarioReader.latencyKeys))
        #expect(keys(definitions["nameserver"]) == Set(ScenarioReader.nameserverKeys))
        #expect(keys(definitions["capacity"]) == Set(ScenarioReader.capacityKeys))
        #expect(keys(definitions["resolvers"]) == Set(ScenarioReader.populationKeys))
        #expect(keys(definitions["changes"]) == Set(ScenarioReader.changeStreamKeys))
        let workloadKinds = ((definitions["workloadItem"] as? [String: Any])?["oneOf"] as? [Any] ?? []).map(keys)
        #expect(workloadKinds == ScenarioReader.workloadKinds.map { Set([$0]) })
        #expect(keys(definitions["edns"]) == Set(ScenarioReader.ednsKeys))
        #expect(keys(definitions["replay"]) == Set(ScenarioReader.replayKeys))
        #expect(keys(definitions["randomFaults"]) == Set(ScenarioReader.randomFaultKeys))
        for kind in ScenarioReader.faultKinds {
            let options = ScenarioReader.faultOptions[kind]?.keys ?? []
            let lasting = ScenarioReader.databaseFaultKinds.contains(kind) ? [] : ["for"]  // database steps are instants
            #expect(keys(definitions["fault_\(kind)"]) == Set(["at", kind] + lasting + options), "\(kind)")
        }
    }
}
