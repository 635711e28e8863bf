import Determinism
import Yams

/// `faults` (a timeline) and `random_faults` (faults drawn from the seed).
extension ScenarioReader {
    static let faultKinds = [
        "crash", "hang", "slow", "partition", "degrade", "clock_skew", "lose_database", "corrupt_database", "restore",
    ]
    /// Steps on a database (docs/backups.md): instants, never drawn at random.
    static let databaseFaultKinds = ["lose_database", "corrupt_database", "restore"]
    /// Keys each fault kind takes besides `at`, `for` and the kind itself, and which of them are required.
    static let faultOptions: [String: (keys: [String], required: [String])] = [
        "crash": ([], []), "hang": ([], []), "slow": (["factor"], ["factor"]), "partition": (["one_way"], []),
        "degrade": (["latency", "loss"], []), "clock_skew": (["offset"], ["offset"]),
        "lose_database": ([], []), "corrupt_database": ([], []), "restore": (["snapshot"], []),
    ]
    static let randomFaultKeys = ["kinds", "mean_interval", "duration"]

    mutating func readFaults(_ field: Field?) -> [FaultSpec] {
        guard let items = list(field, expected: "a list of faults") else { return [] }
        return items.compactMap { readFault($0) }
    }

    /// `{ at: 20s, crash: ns1, for: 10s }`: exactly one kind key, plus `at`, optional `for` and options.
    mutating func readFault(_ node: Node) -> FaultSpec? {
        guard case .mapping(let mapping) = node else {
            reportExpected("a fault such as { at: 20s, crash: ns1, for: 10s }", found: node, key: nil)
            return nil
        }
        let kindKeys = Array(mapping.keys).filter { Self.faultKinds.contains($0.scalar?.string ?? "") }
        let kind = kindKeys.count == 1 ? kindKeys[0].scalar?.string : nil
        let options = kind.flatMap { Self.faultOptions[$0] }
        let allowed = options.map { ["at", "for", kind ?? ""] + $0.keys }
            ?? ["at", "for"] + Self.faultKinds + Self.faultOptions.values.flatMap(\.keys).sorted()
        guard let fields = self.mapping(node, context: kind.map { "\($0) fault" } ?? "fault", allowed: allowed,
                                        required: ["at"] + (options?.required ?? []))
        else { return nil }
        if kindKeys.isEmpty, fields.list.count == mapping.count {
            report("fault has no kind (use one of \(Self.faultKinds.joined(separator: ", ")))", at: node)
        }
        if kindKeys.count > 1 {
            let names = kindKeys.compactMap { $0.scalar.map { "'\($0.string)'" } }.joined(separator: ", ")
            report("fault has \(kindKeys.count) kinds (\(names)); write one fault per item", at: kindKeys[1])
        }
        let at = readFaultStart(fields["at"])
        let length = duration(fields["for"], .positive)
        guard let kind, let kindField = fields[kind] else { return nil }
        if Self.databaseFaultKinds.contains(kind), let lasting = fields["for"] {
            report("\(kind) happens at an instant and takes no 'for'", at: lasting.keyNode)
        }
        let faultKind = readFaultKind(kind, kindField, fields)
        guard let at, let faultKind else { return nil }
        return FaultSpec(at: at, duration: length, kind: faultKind, position: node.position)
    }

    /// `at`: zero or more and before the end of the run.
    mutating func readFaultStart(_ field: Field?) -> SimDuration? {
        instantInRun(field, label: "fault at")
    }

    /// An instant of the run: zero or more and before its end; `label` begins the complaint
    /// ("fault at 70s is outside the run (duration 60s)").
    mutating func instantInRun(_ field: Field?, label: String) -> SimDuration? {
        guard let field, let at = duration(field, .nonNegative) else { return nil }
        if let runDuration, at >= runDuration {
            let run = runDurationText ?? runDuration.description
            let text = field.value.scalar?.string ?? at.description
            report("\(label) \(text) is outside the run (duration \(run))", at: field.value)
            return nil
        }
        return at
    }

    mutating func readFaultKind(_ kind: String, _ field: Field, _ fields: Fields) -> FaultKind? {
        switch kind {
        case "crash", "hang":
            let host = anyHostReference(field.value, key: field.keyNode)
            return host.map { kind == "crash" ? .crash(host: $0) : .hang(host: $0) }
        case "slow":
            let host = anyHostReference(field.value, key: field.keyNode)
            let factor = integer(fields["factor"], name: "factor", in: 1...Int.max)
            guard let host, let factor else { return nil }
            return .slow(host: host, factor: factor)
        case "partition":
            let pair = readSitePair(field, what: "partition")
            let oneWay = bool(fields["one_way"])
            return pair.map { .partition(from: $0.0, to: $0.1, oneWay: oneWay ?? false) }
        case "degrade":
            return readDegrade(field, fields)
        case "lose_database", "corrupt_database", "restore":
            return readDatabaseStep(kind, field, fields)
        default:
            let host = anyHostReference(field.value, key: field.keyNode)
            let offset = duration(fields["offset"], .signed)
            guard let host, let offset else { return nil }
            return .clockSkew(host: host, offset: offset)
        }
    }

    /// `degrade: [a, b], latency: +50ms, loss: 5%` on an existing link.
    mutating func readDegrade(_ field: Field, _ fields: Fields) -> FaultKind? {
        let pair = readSitePair(field, what: "degrade")
        let latency = duration(fields["latency"], .nonNegative)
        let loss = percentage(fields["loss"])
        guard let pair else { return nil }
        guard linkPositions[SitePair(pair.0, pair.1)] != nil else {
            report("degrade names a link that does not exist: no link between '\(pair.0)' and '\(pair.1)'",
                   at: field.value)
            return nil
        }
        return .degrade(between: pair, extraLatency: latency ?? .zero, lossPartsPerMillion: loss ?? 0)
    }

    /// `lose_database: ns1`, `corrupt_database: ns1`, `restore: ns1` (with `snapshot: latest` or an
    /// id): on the database the `backups` section copies.
    mutating func readDatabaseStep(_ kind: String, _ field: Field, _ fields: Fields) -> FaultKind? {
        guard let host = anyHostReference(field.value, key: field.keyNode) else { return nil }
        guard let backupHost else {
            report("\(kind) needs a 'backups' section: it acts on the database the backups copy", at: field.value)
            return nil
        }
        guard host == backupHost else {
            report("\(kind) acts on the database of the backups' host '\(backupHost)', not '\(host)'", at: field.value)
            return nil
        }
        databaseStepsDeclared = true
        switch kind {
        case "lose_database": return .loseDatabase(host: host)
        case "corrupt_database": return .corruptDatabase(host: host)
        default:
            guard let snapshotField = fields["snapshot"] else { return .restore(host: host, snapshot: nil) }
            // 0 stands for `latest` (ids start at 1).
            let snapshot = parse(snapshotField, expected: "'latest' or a snapshot id (1 or more)") { text -> Parsed<Int> in
                if text == "latest" { return .value(0) }
                guard let id = ValueText.integer(text), id >= 1 else { return .malformed }
                return .value(id)
            }
            guard let snapshot else { return nil }
            return .restore(host: host, snapshot: snapshot == 0 ? nil : snapshot)
        }
    }

    // MARK: Random faults

    /// `random_faults: { kinds: […], mean_interval: 60s, duration: 10s..30s }`.
    mutating func readRandomFaults(_ field: Field?) -> RandomFaultSpec? {
        guard let field,
            let fields = mapping(field.value, key: field.keyNode, context: "random_faults",
                                 allowed: Self.randomFaultKeys, required: ["mean_interval", "duration"])
        else { return nil }
        let kinds = readRandomFaultKinds(fields["kinds"])
        let meanInterval = duration(fields["mean_interval"], .positive)
        let range = parse(fields["duration"], expected: "a duration range like 10s..30s", ValueText.durationRange)
        guard let meanInterval, let range else { return nil }
        return RandomFaultSpec(
            kinds: kinds, meanInterval: meanInterval, minimumDuration: range.0, maximumDuration: range.1)
    }

    /// Listed kinds must exist and apply to the topology; the default is every kind that applies
    /// (no `degrade` without a link, no `partition` with a single site).
    mutating func readRandomFaultKinds(_ field: Field?) -> [String] {
        let applicable = Self.faultKinds.filter {
            !Self.databaseFaultKinds.contains($0) && ($0 != "degrade" || linkCount > 0)
                && ($0 != "partition" || siteNames.count > 1)
        }
        guard let field, let items = list(field, expected: "a list of fault kinds") else { return applicable }
        if items.isEmpty {
            report("kinds must list at least one fault kind", at: field.value)
        }
        var kinds: [String] = []
        for item in items {
            guard let kind = scalar(item, key: nil, expected: "a fault kind") else { continue }
            if !Self.faultKinds.contains(kind) {
                report(ValueText.unknownName("fault kind", kind, Self.faultKinds), at: item)
            } else if kinds.contains(kind) {
                report("duplicate fault kind '\(kind)'", at: item)
            } else if Self.databaseFaultKinds.contains(kind) {
                report("\(kind) is not drawn at random: put it in 'faults' with a 'restore' after it", at: item)
            } else if !applicable.contains(kind) {
                let need = kind == "degrade" ? "a link" : "at least two sites"
                report("random \(kind) faults need \(need)", at: item)
            } else {
                kinds.append(kind)
            }
        }
        return kinds
    }
}
