import Determinism

/// Update-token secrets: how they are made and how they are stored.
///
/// A secret is 32 lowercase hex characters (IPv64's domain token length). The database keeps only
/// the hex SHA-256 of the secret's UTF-8 bytes, so a copy of the file (a backup) cannot update
/// anything; a request's credential is hashed and looked up by that hash (`lab_tokens.hash`).
public enum TokenSecret {
    /// The stored form of `secret`: 64 lowercase hex characters of SHA-256.
    public static func hash(_ secret: String) -> String {
        SHA256.hexDigest(Array(secret.utf8))
    }

    /// Whether `text` has the stored form (64 lowercase hex characters).
    public static func isHash(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// A secret drawn from the run's seed and a stable label (STYLE.md §4.2): 32 hex characters.
    public static func derive(seed: UInt64, label: String) -> String {
        var random = SeededRandom(seed: seed, label: label)
        return hex(random.next()) + hex(random.next())
    }

    static func hex(_ value: UInt64) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(16)
        for shift in stride(from: 60, through: 0, by: -4) { out.append(digits[Int((value >> UInt64(shift)) & 0xF)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
