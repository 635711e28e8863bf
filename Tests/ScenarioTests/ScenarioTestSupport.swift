import Foundation
import Testing

@testable import Scenario

/// Scenario texts and helpers shared by the scenario tests.
enum Fixture {
    /// A small valid scenario of exactly 15 lines; sections appended to it start on line 16.
    static let base = """
        version: 1
        name: t
        duration: 60s
        sites:
          fsn1: { networks: [public, internal] }
          internet: { networks: [public] }
        links:
          - between: [internet, fsn1]
            latency: 10ms
        nameservers:
          - { name: ns1, site: fsn1 }
          - { name: ns2, site: fsn1 }
        zones: [z.zone]
        workload:
          - resolvers: { name: legit, count: 10, site: internet, rate: poisson(100/s) }

        """

    /// `base` followed by `extra` (which starts on line 16).
    static func base(plus extra: String) -> String {
        base + extra
    }

    /// The rendered errors of `yaml` loaded as `s.yaml`, or [] when it loads.
    static func errors(_ yaml: String) -> [String] {
        switch ScenarioLoader.load(yaml: yaml, file: "s.yaml") {
        case .success: []
        case .failure(let errors): errors.errors.map(\.description)
        }
    }

    /// The scenario, recording an issue with every error when it does not load.
    static func load(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> Scenario? {
        switch ScenarioLoader.load(yaml: yaml, file: "s.yaml") {
        case .success(let scenario):
            return scenario
        case .failure(let errors):
            Issue.record("unexpected errors:\n\(errors)", sourceLocation: sourceLocation)
            return nil
        }
    }

    /// The repository root (this file is Tests/ScenarioTests/ScenarioTestSupport.swift).
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A file of the repository as text.
    static func repositoryFile(_ path: String) throws -> String {
        try String(contentsOf: repositoryRoot.appendingPathComponent(path), encoding: .utf8)
    }
}
