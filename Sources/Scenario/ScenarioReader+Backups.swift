import Determinism
import Yams

/// `backups: { of: ns1, every: 15m, keep: { "15m": 24h, "1h": 7d, "1d": 5w, "1mo": 12mo } }`.
extension ScenarioReader {
    static let backupKeys = ["of", "every", "start", "keep", "compress"]

    mutating func readBackups(_ field: Field?) -> BackupSpec? {
        guard let field, let fields = mapping(field.value, key: field.keyNode, context: "backups",
                                              allowed: Self.backupKeys)
        else { return nil }
        backupsDeclared = true
        var host = fields["of"].flatMap { primaryReference($0.value, key: $0.keyNode) }
        if fields["of"] == nil {
            let primaries = hostNames.filter { hostRoles[$0] == .primary }
            if primaries.count == 1 {
                host = primaries[0]
            } else {
                report("backups need 'of': the primary whose database they copy (found \(primaries.count) primaries)",
                       at: field.value)
            }
        }
        let every = duration(fields["every"], .positive)
        let start = instantInRun(fields["start"], label: "backups start")
        let compress = bool(fields["compress"])
        let tiers = fields["keep"].map { readBackupTiers($0) }
        guard let host else { return nil }
        backupHost = host
        return BackupSpec(host: host, every: every ?? .seconds(900), start: start ?? .zero,
                          tiers: tiers ?? BackupSpec.standardTiers, compress: compress ?? false,
                          position: field.value.position)
    }

    /// `keep: { "15m": 24h, "1mo": 12mo }`: bucket length → how long, in file order.
    mutating func readBackupTiers(_ field: Field) -> [BackupSpec.Tier] {
        guard case .mapping(let mapping) = field.value else {
            reportExpected("a mapping of period to span such as { \"1h\": 7d }", found: field.value, key: field.keyNode)
            return []
        }
        var tiers: [BackupSpec.Tier] = []
        for (keyNode, valueNode) in mapping {
            let expected = "a period such as 15m, 1h, 1d, 1w, 1mo or 1y"
            guard let periodText = scalar(keyNode, key: nil, expected: expected),
                  let spanText = scalar(valueNode, key: keyNode, expected: expected)
            else { continue }
            guard let period = RetentionPeriod(periodText) else {
                report("bad retention period '\(periodText)': expected \(expected)", at: keyNode)
                continue
            }
            guard let span = RetentionPeriod(spanText) else {
                report("bad retention span '\(spanText)': expected \(expected)", at: valueNode)
                continue
            }
            guard let count = period.count(in: span) else {
                report("'\(periodText)' kept '\(spanText)' is not a whole number of periods", at: valueNode)
                continue
            }
            tiers.append(BackupSpec.Tier(period: period, count: count))
        }
        return tiers
    }
}
