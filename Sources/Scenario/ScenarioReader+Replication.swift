import Determinism
import Yams

/// A nameserver as read in the first pass over `nameservers`: a secondary's `primary` is checked in
/// the second pass, once every nameserver's role is known.
struct NameserverDraft {
    /// Nil when the declaration had errors; a secondary's role holds an empty primary until resolved.
    var spec: NameserverSpec?
    /// A secondary's `primary` key, still to be checked.
    var primary: Field?
}

/// Replication: nameserver roles (`role`, `primary`, `notify`, `refresh`, `join_at`) and the
/// `changes` workload kind.
extension ScenarioReader {
    static let changeStreamKeys = ["name", "primary", "every", "start", "for"]
    /// The keys that belong to one role only, and that role.
    static let roleOnlyKeys: [(key: String, role: NameserverRoleKind)] = [
        ("primary", .secondary), ("notify", .primary), ("refresh", .secondary), ("join_at", .secondary),
    ]
    /// Host names a secondary may not take: `replication.<secondary>.…` would read like these figures.
    static let reservedSecondaryNames = ["changes"]

    // MARK: Roles

    /// `role` and the keys that go with it: the kind (nil when `role` is bad) and the role (nil,
    /// after reporting, when any of them is wrong).
    ///
    /// A secondary's role carries an empty primary name until `resolvePrimary(of:)` fills it in.
    mutating func readRole(_ fields: Fields, name: String?, node: Node) -> (NameserverRoleKind?, NameserverRole?) {
        var kind = NameserverRoleKind.authoritative
        if let roleField = fields["role"] {
            guard let parsed = parse(roleField, expected: ValueText.roleExpected, ValueText.role) else {
                rolesUsable = false
                return (nil, nil)
            }
            kind = parsed
        }
        return (kind, readRole(kind, fields, name: name, node: node))
    }

    mutating func readRole(_ kind: NameserverRoleKind, _ fields: Fields, name: String?, node: Node) -> NameserverRole? {
        if let name { hostRoles[name] = kind }
        let who = name.map { "nameserver '\($0)'" } ?? "this nameserver"
        var usable = true
        for (key, owner) in Self.roleOnlyKeys where owner != kind {
            guard let field = fields[key] else { continue }
            report("'\(key)' applies only to \(Self.noun(owner)); \(who) is \(Self.noun(kind))", at: field.keyNode)
            usable = false
        }
        switch kind {
        case .authoritative:
            return usable ? .authoritative : nil
        case .primary:
            let notify = parse(fields["notify"], expected: ValueText.notifyExpected, ValueText.notifyMode)
            guard usable, fields["notify"] == nil || notify != nil else { return nil }
            return .primary(notify: notify ?? .onCommit)
        case .secondary:
            return readSecondary(fields, name: name, who: who, node: node)
        }
    }

    /// A secondary's `refresh` and `join_at`; its `primary` must be present (checked later).
    mutating func readSecondary(_ fields: Fields, name: String?, who: String, node: Node) -> NameserverRole? {
        if fields["primary"] == nil {
            report("missing required key 'primary' in \(who) (a secondary names the primary it copies from)",
                   at: node)
        }
        if let name, Self.reservedSecondaryNames.contains(name), let nameField = fields["name"] {
            report("a secondary cannot be named '\(name)': its figures would collide with 'replication.\(name)'",
                   at: nameField.value)
        }
        let refresh = parse(fields["refresh"], expected: ValueText.refreshExpected, ValueText.refreshMode)
        let joinAt = instantInRun(fields["join_at"], label: "join_at")
        guard fields["primary"] != nil, fields["refresh"] == nil || refresh != nil,
            fields["join_at"] == nil || joinAt != nil,
            !(name.map(Self.reservedSecondaryNames.contains) ?? false)
        else { return nil }
        return .secondary(primary: "", refresh: refresh ?? .soaTimers, joinAt: joinAt)
    }

    /// The finished nameserver: a secondary gets its primary, which must be a declared primary.
    mutating func resolvePrimary(of draft: NameserverDraft) -> NameserverSpec? {
        let primary = draft.primary.flatMap { primaryReference($0.value, key: $0.keyNode) }
        guard var spec = draft.spec else { return nil }
        guard case .secondary(_, let refresh, let joinAt) = spec.role else { return spec }
        guard let primary else { return nil }
        spec.role = .secondary(primary: primary, refresh: refresh, joinAt: joinAt)
        return spec
    }

    /// A reference to a nameserver whose role is primary (a secondary's `primary`, `changes.primary`).
    mutating func primaryReference(_ node: Node, key: Node?) -> String? {
        guard let name = hostReference(node, key: key) else { return nil }
        guard let kind = hostRoles[name], kind != .primary else { return name }  // no role: already reported
        let primaries = hostNames.filter { hostRoles[$0] == .primary }
        let list = primaries.isEmpty ? "none" : primaries.joined(separator: ", ")
        report("nameserver '\(name)' is \(Self.noun(kind)), not a primary (primaries: \(list))", at: node)
        return nil
    }

    /// `authoritative`, `a primary`, `a secondary`: a role in a sentence.
    static func noun(_ kind: NameserverRoleKind) -> String {
        kind == .authoritative ? "authoritative" : "a \(kind.rawValue)"
    }

    // MARK: Change streams

    /// `changes: { name, primary, every, start, for }`: a change every `every` on a primary.
    mutating func readChangeStream(_ field: Field) -> ChangeStreamSpec? {
        guard let fields = mapping(field.value, key: field.keyNode, context: "changes",
                                   allowed: Self.changeStreamKeys, required: ["name", "primary", "every"])
        else { return nil }
        let name = readWorkloadName(fields["name"], what: "change stream name")
        let primary = fields["primary"].flatMap { primaryReference($0.value, key: $0.keyNode) }
        let interval = duration(fields["every"], .positive)
        let start = instantInRun(fields["start"], label: "changes start")
        let length = duration(fields["for"], .positive)
        guard let name, let primary, let interval, fields["start"] == nil || start != nil,
            fields["for"] == nil || length != nil
        else { return nil }
        return ChangeStreamSpec(
            name: name, primary: primary, interval: interval, start: start ?? .zero, duration: length,
            position: field.value.position)
    }
}
