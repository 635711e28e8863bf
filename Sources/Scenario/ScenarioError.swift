/// One problem in a scenario file, positioned at the offending key or value.
///
/// Rendered like a compiler diagnostic (`file:line:column: error: message`) so editors and CI logs
/// can jump to it. Lines and columns count from 1; columns count Unicode scalars (as libyaml does).
public struct ScenarioError: Error, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The scenario file as the caller named it (not resolved or read by the loader).
    public var file: String
    public var line: Int
    public var column: Int
    /// What is wrong, in one sentence without a trailing period.
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public init(file: String, position: SourcePosition, message: String) {
        self.init(file: file, line: position.line, column: position.column, message: message)
    }

    /// Where the problem is.
    public var position: SourcePosition { SourcePosition(line: line, column: column) }

    /// `file:line:column: error: message`.
    public var description: String { "\(file):\(line):\(column): error: \(message)" }

    /// Orders by position; the message breaks ties so the order never depends on discovery order.
    public static func < (lhs: ScenarioError, rhs: ScenarioError) -> Bool {
        (lhs.file, lhs.line, lhs.column, lhs.message) < (rhs.file, rhs.line, rhs.column, rhs.message)
    }
}

/// Every problem found in one scenario file, sorted by position.
///
/// Validation does not stop at the first error (STYLE.md §6): a user fixing a scenario sees all of
/// them at once.
public struct ScenarioErrors: Error, Sendable, Equatable, CustomStringConvertible {
    /// The errors in file order; never empty when produced by `ScenarioLoader`.
    public let errors: [ScenarioError]

    public init(_ errors: [ScenarioError]) {
        self.errors = errors.sorted()
    }

    /// One diagnostic per line.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
