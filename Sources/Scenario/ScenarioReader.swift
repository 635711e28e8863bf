import Determinism
import Yams

/// One `key: value` pair of a YAML mapping, with both nodes kept for their positions.
struct Field {
    let key: String
    let keyNode: Node
    let value: Node
}

/// The recognised keys of one YAML mapping, in file order.
struct Fields {
    let node: Node
    let list: [Field]

    subscript(key: String) -> Field? { list.first { $0.key == key } }
}

/// The outcome of parsing one scalar: a value, text of the wrong shape, or a specific complaint.
enum Parsed<Value> {
    case value(Value)
    /// Not of the expected shape; the caller reports "expected X, found 'text'".
    case malformed
    /// Of the right shape but invalid; the message says why.
    case invalid(String)
}

/// Reads a composed YAML tree into a `Scenario`, collecting every problem instead of stopping.
///
/// Sections are read in dependency order (sites before links, nameservers before workload and
/// faults, populations before expectations); names declared by earlier sections are kept in the
/// registries below, even when the rest of their declaration had errors, so one mistake does not
/// cascade into "unknown site" complaints elsewhere. Registries are looked up, never iterated
/// (declaration order lives in the arrays).
struct ScenarioReader {
    let file: String
    private(set) var errors: [ScenarioError] = []

    /// Site names in declaration order, and each site's networks (absent when they had errors).
    var siteNames: [String] = []
    var siteNetworks: [String: [String]] = [:]
    /// False when the `sites` section itself was unusable: site references are then not checked.
    var sitesUsable = true
    /// Links by unordered pair, with where each was declared.
    var linkPositions: [SitePair: SourcePosition] = [:]
    var linkCount = 0
    /// Nameserver (host) names in declaration order, and where each was declared.
    var hostNames: [String] = []
    var hostPositions: [String: SourcePosition] = [:]
    var hostsUsable = true
    /// Balancer names in declaration order (they share the host namespace with nameservers).
    var balancerNames: [String] = []
    /// Web server names (they share the host namespace too).
    var webNames: [String] = []
    /// True once a `backups` section has been read (its figures join the catalog).
    var backupsDeclared = false
    /// The host whose database the backups copy (database faults act on it).
    var backupHost: String?
    /// True once a database fault or restore has been read (the restore figures join the catalog).
    var databaseStepsDeclared = false
    /// Workload items `updaters` and `ip_changes`, in file order.
    var updaterSpecs: [UpdaterPopulationSpec] = []
    var ipChangeSpecs: [IPChangeSpec] = []
    /// Workload items `replay` and their names, in file order.
    var replaySpecs: [ReplaySpec] = []
    var replayNames: [String] = []
    /// Whether some population has `role: attack` (the `attack.…` figures exist then).
    var hasAttackPopulation = false
    /// An `edge` section was read: its figures join the catalog.
    var hasEdge = false
    /// Each nameserver's role, when its `role` parsed (absent otherwise).
    var hostRoles: [String: NameserverRoleKind] = [:]
    /// False when some nameserver's role did not parse: replication figures are then not checked.
    var rolesUsable = true
    /// Resolver population names in declaration order.
    var populationNames: [String] = []
    /// Names of workload items (populations and change streams share one namespace) and where each
    /// was declared.
    var workloadNamePositions: [String: SourcePosition] = [:]
    /// Resolver population names are checked in `expect` only when the `workload` section was usable.
    var populationsUsable = true
    /// Positions of values that YAML cut at a comma in a `{ }` mapping, e.g. `lognormal(2ms` of
    /// `{ jitter: lognormal(2ms, 0.6) }` (the rest, `0.6)`, became a key of its own).
    var cutValues: Set<SourcePosition> = []
    /// The run's duration, when it parsed, and as written.
    var runDuration: SimDuration?
    var runDurationText: String?

    init(file: String) {
        self.file = file
    }

    // MARK: Reporting

    mutating func report(_ message: String, at position: SourcePosition) {
        errors.append(ScenarioError(file: file, position: position, message: message))
    }

    mutating func report(_ message: String, at node: Node) {
        report(message, at: node.position)
    }

    /// Where to report a problem with `node`: an empty value has no useful mark, so its key is used.
    static func position(of node: Node, key: Node?) -> SourcePosition {
        node.isNull ? (key ?? node).position : node.position
    }

    mutating func reportExpected(_ expected: String, found node: Node, key: Node?) {
        report("expected \(expected), found \(node.foundDescription)", at: Self.position(of: node, key: key))
    }

    // MARK: Structure

    /// Reads a mapping, reporting unknown keys (with a suggestion) and missing required keys.
    ///
    /// Returns nil, after reporting, when `node` is not a mapping. Unknown keys are left out.
    mutating func mapping(
        _ node: Node, key: Node? = nil, context: String, allowed: [String], required: [String] = []
    ) -> Fields? {
        guard case .mapping(let mapping) = node else {
            reportExpected("a mapping", found: node, key: key)
            return nil
        }
        var list: [Field] = []
        var cutValue: Node?  // a value with an unclosed parenthesis, until its pieces end
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode, !keyNode.isNull else {
                reportExpected("a key", found: keyNode, key: nil)
                continue
            }
            if let cut = cutValue, value.isNull, keyNode.isPlain {
                // The rest of a value that YAML cut at a comma, not a key of its own (see `cutValues`).
                cutValues.insert(cut.position)
                if scalar.string.contains(")") { cutValue = nil }
                continue
            }
            cutValue = value.isCutAtComma ? value : nil
            if allowed.contains(scalar.string) {
                list.append(Field(key: scalar.string, keyNode: keyNode, value: value))
            } else {
                reportUnknownKey(scalar.string, at: keyNode, context: context, allowed: allowed)
            }
        }
        let fields = Fields(node: node, list: list)
        for name in required where fields[name] == nil {
            report("missing required key '\(name)' in \(context)", at: node)
        }
        return fields
    }

    mutating func reportUnknownKey(_ key: String, at node: Node, context: String, allowed: [String]) {
        if let suggestion = Suggestion.closest(to: key, in: allowed) {
            report("unknown key '\(key)' in \(context); did you mean '\(suggestion)'?", at: node)
        } else {
            let list = allowed.joined(separator: ", ")
            report("unknown key '\(key)' in \(context) (expected one of: \(list))", at: node)
        }
    }

    /// The items of a YAML sequence; reports and returns nil for anything else.
    mutating func list(_ node: Node, key: Node?, expected: String = "a list") -> [Node]? {
        guard case .sequence(let sequence) = node else {
            reportExpected(expected, found: node, key: key)
            return nil
        }
        return Array(sequence)
    }

    mutating func list(_ field: Field?, expected: String = "a list") -> [Node]? {
        guard let field else { return nil }
        return list(field.value, key: field.keyNode, expected: expected)
    }

    // MARK: Scalars

    /// The text of a non-empty scalar; reports "expected …" for anything else.
    mutating func scalar(_ node: Node, key: Node?, expected: String) -> String? {
        if case .scalar(let scalar) = node, !node.isNull {
            return scalar.string
        }
        reportExpected(expected, found: node, key: key)
        return nil
    }

    /// Parses a scalar with `parser`, reporting its complaint at the value.
    mutating func parse<Value>(
        _ node: Node, key: Node?, expected: String, _ parser: (String) -> Parsed<Value>
    ) -> Value? {
        guard let text = scalar(node, key: key, expected: expected) else { return nil }
        if cutValues.contains(node.position), node.isCutAtComma {
            report("'\(text)' is cut short at a comma: inside { } or [ ] put such values in quotes, "
                + "like \"\(text), …)\"", at: node)
            return nil
        }
        switch parser(text) {
        case .value(let value):
            return value
        case .malformed:
            report("expected \(expected), found \(node.foundDescription)", at: node)
        case .invalid(let message):
            report(message, at: node)
        }
        return nil
    }

    mutating func parse<Value>(_ field: Field?, expected: String, _ parser: (String) -> Parsed<Value>) -> Value? {
        guard let field else { return nil }
        return parse(field.value, key: field.keyNode, expected: expected, parser)
    }

    mutating func duration(_ field: Field?, _ rule: DurationRule) -> SimDuration? {
        parse(field, expected: ValueText.durationExpected) { ValueText.duration($0, rule) }
    }

    mutating func percentage(_ field: Field?) -> UInt32? {
        parse(field, expected: ValueText.percentageExpected, ValueText.partsPerMillion)
    }

    mutating func bool(_ field: Field?) -> Bool? {
        parse(field, expected: "true or false", ValueText.bool)
    }

    /// An integer within `range`; `name` is used in the range complaint.
    mutating func integer(_ field: Field?, name: String, in range: ClosedRange<Int>) -> Int? {
        parse(field, expected: "an integer") { text in
            guard let value = ValueText.integer(text) else { return .malformed }
            return range.contains(value) ? .value(value) : .invalid(ValueText.rangeComplaint(name, value, range))
        }
    }

    /// A name made of `[a-z0-9_-]`; `what` is e.g. "site name".
    mutating func identifier(_ node: Node, key: Node?, what: String) -> String? {
        parse(node, key: key, expected: "a \(what)") { text in
            ValueText.isIdentifier(text) ? .value(text)
                : .invalid("bad \(what) '\(text)': use lowercase letters, digits, '_' and '-'")
        }
    }

    /// A reference to a declared name, with a suggestion when it is unknown.
    ///
    /// - Parameters:
    ///   - what: the noun in the message ("site", "host").
    ///   - known: the declared names, in declaration order.
    ///   - listName: how to introduce the declared names when nothing is close ("sites").
    ///   - checked: false when the declarations were unusable (then any name is accepted silently).
    mutating func reference(
        _ node: Node, key: Node?, what: String, known: [String], listName: String, checked: Bool
    ) -> String? {
        guard let text = scalar(node, key: key, expected: "a \(what) name") else { return nil }
        if !checked || known.contains(text) { return text }
        if let suggestion = Suggestion.closest(to: text, in: known) {
            report("unknown \(what) '\(text)'; did you mean '\(suggestion)'?", at: node)
        } else {
            let names = known.isEmpty ? "none" : known.joined(separator: ", ")
            report("unknown \(what) '\(text)' (\(listName): \(names))", at: node)
        }
        return nil
    }

    mutating func siteReference(_ node: Node, key: Node?) -> String? {
        reference(node, key: key, what: "site", known: siteNames, listName: "sites", checked: sitesUsable)
    }

    mutating func hostReference(_ node: Node, key: Node?) -> String? {
        reference(node, key: key, what: "host", known: hostNames, listName: "nameservers", checked: hostsUsable)
    }

    /// A nameserver or a balancer.
    mutating func anyHostReference(_ node: Node, key: Node?) -> String? {
        reference(node, key: key, what: "host", known: hostNames + balancerNames + webNames,
                  listName: balancerNames.isEmpty ? "nameservers" : "nameservers and balancers", checked: hostsUsable)
    }
}

/// Two site names regardless of order (links are bidirectional).
struct SitePair: Hashable {
    let first: String
    let second: String

    init(_ a: String, _ b: String) {
        (first, second) = a <= b ? (a, b) : (b, a)
    }
}

extension Node {
    /// The node's position, or 1:1 for nodes built without a mark.
    var position: SourcePosition {
        mark.map { SourcePosition(line: $0.line, column: $0.column) } ?? SourcePosition(line: 1, column: 1)
    }

    /// An empty value, `~` or `null` written plainly.
    var isNull: Bool {
        guard case .scalar(let scalar) = self, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// A plain scalar with an unclosed parenthesis, such as `lognormal(2ms` from
    /// `{ jitter: lognormal(2ms, 0.6) }`: in flow context YAML ends plain scalars at commas, and the
    /// rest (`0.6)`) becomes a key without a value.
    var isCutAtComma: Bool {
        guard case .scalar(let scalar) = self, scalar.style == .plain else { return false }
        return scalar.string.filter { $0 == "(" }.count > scalar.string.filter { $0 == ")" }.count
    }

    /// A scalar written without quotes.
    var isPlain: Bool {
        guard case .scalar(let scalar) = self else { return false }
        return scalar.style == .plain
    }

    /// How the node reads in an "expected …, found …" message.
    var foundDescription: String {
        switch self {
        case .scalar(let scalar):
            if isNull { return "nothing" }
            let text = scalar.string
            return text.count > 40 ? "'\(text.prefix(37))...'" : "'\(text)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}
