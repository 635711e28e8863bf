import Determinism
import Yams

/// Loads scenario files (schema version 1, docs/scenarios.md) into a validated `Scenario`.
///
/// The loader is pure: it takes the file's text and the name to report errors under, and never
/// reads files. Zone file paths are returned as written (relative to the scenario file); the caller
/// resolves them.
public enum ScenarioLoader {
    /// The schema version this loader reads.
    public static let schemaVersion = 1

    /// Parses and validates `yaml`, returning the scenario or every error found in it.
    ///
    /// - Parameters:
    ///   - yaml: the scenario file's text.
    ///   - file: the name used in error messages (usually the path as the user typed it).
    public static func load(yaml: String, file: String) -> Result<Scenario, ScenarioErrors> {
        let root: Node?
        do {
            // Explicit UTF-8: Yams' default encoding consults an environment variable (STYLE.md §4.6).
            root = try Parser(yaml: yaml, resolver: .default, constructor: .default, encoding: .utf8).singleRoot()
        } catch let error as YamlError {
            return .failure(ScenarioErrors([syntaxError(error, yaml: yaml, file: file)]))
        } catch {
            let message = "invalid YAML: \(error)"
            return .failure(ScenarioErrors([ScenarioError(file: file, line: 1, column: 1, message: message)]))
        }
        var reader = ScenarioReader(file: file)
        guard let root else {
            reader.report("the scenario is empty; expected a mapping with version, name, duration, sites, "
                + "nameservers and zones", at: SourcePosition(line: 1, column: 1))
            return .failure(ScenarioErrors(reader.errors))
        }
        let digest = StableHash.fnv1a64(bytes: yaml.utf8)
        let scenario = reader.readScenario(root, sourceDigest: digest)
        if let scenario, reader.errors.isEmpty {
            return .success(scenario)
        }
        return .failure(ScenarioErrors(reader.errors))
    }

    /// The throwing form of `load(yaml:file:)`.
    public static func scenario(yaml: String, file: String) throws(ScenarioErrors) -> Scenario {
        switch load(yaml: yaml, file: file) {
        case .success(let scenario): return scenario
        case .failure(let errors): throw errors
        }
    }

    /// Parses a positive duration in scenario notation (`250ms`, `1m30s`, `1.5s`); nil if invalid.
    ///
    /// For command-line overrides such as `--duration 5m`, so they accept exactly what files accept.
    public static func duration(_ text: String) -> SimDuration? {
        if case .value(let duration) = ValueText.duration(text, .positive) { return duration }
        return nil
    }

    /// Turns a Yams error into a positioned `ScenarioError`.
    static func syntaxError(_ error: YamlError, yaml: String, file: String) -> ScenarioError {
        func make(_ mark: Mark, _ message: String) -> ScenarioError {
            ScenarioError(file: file, line: mark.line, column: mark.column, message: message)
        }
        func detail(_ problem: String, _ context: YamlError.Context?, _ mark: Mark) -> String {
            guard let context else { return "invalid YAML: \(problem)" }
            let sameMark = context.mark.line == mark.line && context.mark.column == mark.column
            return "invalid YAML: \(problem) (\(context.text)" + (sameMark ? ")" : " at \(context.mark))")
        }
        switch error {
        case .composer(_, "but found another document", let mark, _):
            return make(mark, "invalid YAML: a scenario file holds one document, found a second one")
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return make(mark, detail(problem, context, mark))
        case .reader(let problem, let offset, _, _):
            let position = position(ofCharacterOffset: offset ?? 0, in: yaml)
            return ScenarioError(file: file, position: position, message: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            let noun = duplicates.count == 1 ? "key" : "keys"
            return make(context.mark, "duplicate \(noun) \(keys): a key may appear only once in a mapping")
        default:
            return ScenarioError(file: file, line: 1, column: 1, message: "invalid YAML: \(error)")
        }
    }

    /// Line and column (from 1) of the character at `offset`.
    static func position(ofCharacterOffset offset: Int, in text: String) -> SourcePosition {
        var line = 1
        var column = 1
        for character in text.prefix(max(0, offset)) {
            if character == "\n" || character == "\r\n" {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
        }
        return SourcePosition(line: line, column: column)
    }
}
