/// Text encodings used by presentation formats: Base16, Base64 (RFC 4648 §4), Base32hex (§7), and
/// the date form of RRSIG times (RFC 4034 §3.2). Pure code, no Foundation.
public enum TextEncoding {
    static let hexDigits = Array("0123456789abcdef".utf8)
    static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let base32HexAlphabet = Array("0123456789abcdefghijklmnopqrstuv".utf8)

    /// Lowercase hexadecimal.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        for byte in bytes {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hexadecimal of either case; nil on an odd length or another character.
    public static func unhex(_ text: some StringProtocol) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 48...57: digit - 48
        case 65...70: digit - 55
        case 97...102: digit - 87
        default: nil
        }
    }

    /// Base64 with padding.
    public static func base64(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value = 0
            for (position, byte) in chunk.enumerated() { value |= Int(byte) << (16 - 8 * position) }
            for position in 0..<4 {
                if position <= chunk.count {
                    out.append(base64Alphabet[(value >> (18 - 6 * position)) & 0x3F])
                } else {
                    out.append(UInt8(ascii: "="))
                }
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes padded Base64; white space is not allowed (callers join tokens first).
    public static func unbase64(_ text: some StringProtocol) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        var index = 0
        while index < chars.count {
            var value = 0
            var padding = 0
            for position in 0..<4 {
                let char = chars[index + position]
                if char == UInt8(ascii: "=") {
                    guard index + 4 == chars.count, position >= 2 else { return nil }
                    padding += 1
                    continue
                }
                guard padding == 0, let digit = base64Alphabet.firstIndex(of: char) else { return nil }
                value |= digit << (18 - 6 * position)
            }
            for position in 0..<(3 - padding) { out.append(UInt8((value >> (16 - 8 * position)) & 0xFF)) }
            index += 4
        }
        return out
    }

    /// Base32hex without padding, lowercase, as NSEC3 prints hashed owner names (RFC 5155 §3.3).
    public static func base32Hex(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | Int(byte)
            bits += 8
            while bits >= 5 {
                out.append(base32HexAlphabet[(buffer >> (bits - 5)) & 0x1F])
                bits -= 5
            }
            buffer &= (1 << bits) - 1
        }
        if bits > 0 { out.append(base32HexAlphabet[(buffer << (5 - bits)) & 0x1F]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes unpadded Base32hex of either case.
    public static func unbase32Hex(_ text: some StringProtocol) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer = 0
        var bits = 0
        for char in text.utf8 {
            guard let digit = base32HexAlphabet.firstIndex(of: char | 0x20) else { return nil }
            buffer = buffer << 5 | digit
            bits += 5
            if bits >= 8 {
                out.append(UInt8((buffer >> (bits - 8)) & 0xFF))
                bits -= 8
            }
            buffer &= (1 << bits) - 1
        }
        guard buffer == 0 else { return nil }
        return out
    }

    /// `YYYYMMDDHHmmSS` in UTC for seconds since 1970 (RFC 4034 §3.2).
    public static func signatureTime(_ seconds: UInt32) -> String {
        let total = Int(seconds)
        let (year, month, day) = civilDate(daysSinceEpoch: total / 86_400)
        let secondOfDay = total % 86_400
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)" + two(month) + two(day) + two(secondOfDay / 3600) + two(secondOfDay / 60 % 60)
            + two(secondOfDay % 60)
    }

    /// Parses `YYYYMMDDHHmmSS` (or a plain decimal count of seconds) into seconds modulo 2^32.
    public static func parseSignatureTime(_ text: some StringProtocol) -> UInt32? {
        let digits = Array(text.utf8)
        guard !digits.isEmpty, digits.allSatisfy(isDigit) else { return nil }
        if digits.count != 14 { return UInt32(text) }
        func number(_ range: Range<Int>) -> Int { digits[range].reduce(0) { $0 * 10 + Int($1 - 48) } }
        let (year, month, day) = (number(0..<4), number(4..<6), number(6..<8))
        let (hour, minute, second) = (number(8..<10), number(10..<12), number(12..<14))
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        let total = days * 86_400 + hour * 3600 + minute * 60 + second
        return UInt32(truncatingIfNeeded: total)
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's days_from_civil).
    public static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The calendar date of a day count since 1970-01-01 (H. Hinnant's civil_from_days).
    public static func civilDate(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
