import DNSWire

/// One token of a zone file with its position.
struct ZoneToken: Hashable, Sendable {
    /// The characters as written, escapes intact, quotes removed.
    var raw: [UInt8]
    var isQuoted: Bool
    var line: Int
    var column: Int

    var text: String { String(decoding: raw, as: UTF8.self) }
    var rdataToken: RDataToken { RDataToken(raw: raw, quoted: isQuoted) }

    /// The position just after the token, for "missing field" errors.
    var endColumn: Int { column + raw.count + (isQuoted ? 2 : 0) }
}

/// One logical entry: a directive or a record, possibly spanning lines inside parentheses.
struct ZoneEntry: Hashable, Sendable {
    var tokens: [ZoneToken] = []
    /// The entry's first line began with white space: the owner is the previous one (RFC 1035 §5.1).
    var ownerBlank = false
    var line: Int
    /// The lexer reported an error inside this entry; the parser skips it rather than guess.
    var hasError = false
}

/// A problem the lexer found, with its position.
struct LexIssue: Hashable, Sendable {
    var reason: ZoneFileError.Reason
    var line: Int
    var column: Int
}

/// The zone-file lexer of RFC 1035 §5.1: entries end at a newline outside parentheses; `;` starts a
/// comment; `"` quotes (a `"` inside an unquoted token ends that token, as in dnspython, so that
/// `alpn="h2"` lexes as `alpn=` and `h2`); `\X` and `\DDD` escape one octet and stay in the token's
/// raw text for the field parsers. Physical lines are bounded by `lineLengthMax`.
struct ZoneLexer {
    private let bytes: [UInt8]
    private let lineLengthMax: Int
    private var position = 0
    private var line = 1
    private var lineStart = 0
    private(set) var issues: [LexIssue] = []

    init(_ text: String, lineLengthMax: Int) {
        self.bytes = Array(text.utf8)
        self.lineLengthMax = lineLengthMax
    }

    private var column: Int { position - lineStart + 1 }

    /// Returns and forgets the issues found so far.
    mutating func drainIssues() -> [LexIssue] {
        defer { issues.removeAll() }
        return issues
    }

    /// The next entry, or nil at the end of the text.
    mutating func nextEntry() -> ZoneEntry? {
        var entry = ZoneEntry(line: line)
        var depth = 0
        var openedAt = (line: line, column: 1)
        var atLineStart = position == lineStart
        while position < bytes.count {
            if atLineStart {
                atLineStart = false
                guard checkLineLength() else {
                    entry.hasError = true
                    continue
                }
                if entry.tokens.isEmpty && depth == 0 {
                    entry.ownerBlank = bytes[position] == 0x20 || bytes[position] == 0x09
                    entry.line = line
                }
            }
            switch bytes[position] {
            case 0x0A:
                position += 1
                line += 1
                lineStart = position
                atLineStart = true
                if depth == 0 && (!entry.tokens.isEmpty || entry.hasError) { return entry }
            case 0x20, 0x09, 0x0D:
                position += 1
            case UInt8(ascii: ";"):
                while position < bytes.count && bytes[position] != 0x0A { position += 1 }
            case UInt8(ascii: "("):
                if depth == 0 { openedAt = (line, column) }
                depth += 1
                position += 1
            case UInt8(ascii: ")"):
                if depth == 0 {
                    issues.append(LexIssue(reason: .unbalancedCloseParenthesis, line: line, column: column))
                    entry.hasError = true
                } else {
                    depth -= 1
                }
                position += 1
            default:
                if let token = lexToken() { entry.tokens.append(token) } else { entry.hasError = true }
            }
        }
        if depth > 0 {
            issues.append(LexIssue(reason: .unbalancedOpenParenthesis, line: openedAt.line, column: openedAt.column))
            entry.hasError = true
        }
        return entry.tokens.isEmpty && !entry.hasError ? nil : entry
    }

    /// At the start of a physical line: false (and the line skipped up to its newline) when too long.
    private mutating func checkLineLength() -> Bool {
        var end = position
        while end < bytes.count && bytes[end] != 0x0A { end += 1 }
        guard end - position > lineLengthMax else { return true }
        issues.append(LexIssue(reason: .lineTooLong(limit: lineLengthMax), line: line, column: lineLengthMax + 1))
        position = end
        return false
    }

    /// One quoted or unquoted token; nil (after reporting) on a bad escape or an unterminated quote.
    private mutating func lexToken() -> ZoneToken? {
        let startLine = line
        let startColumn = column
        let quoted = bytes[position] == UInt8(ascii: "\"")
        if quoted { position += 1 }
        var raw: [UInt8] = []
        var valid = true
        while position < bytes.count {
            let byte = bytes[position]
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    position += 1
                    return valid ? ZoneToken(raw: raw, isQuoted: true, line: startLine, column: startColumn) : nil
                }
                if byte == 0x0A { break }
            } else if Self.isDelimiter(byte) {
                break
            }
            if byte == UInt8(ascii: "\\") {
                guard let used = escapeLength() else {
                    if valid { issues.append(LexIssue(reason: .badEscape, line: line, column: column)) }
                    valid = false
                    position += 1
                    continue
                }
                raw.append(contentsOf: bytes[position..<(position + used)])
                position += used
                continue
            }
            raw.append(byte)
            position += 1
        }
        if quoted {
            issues.append(LexIssue(reason: .unterminatedQuote, line: startLine, column: startColumn))
            return nil
        }
        return valid ? ZoneToken(raw: raw, isQuoted: false, line: startLine, column: startColumn) : nil
    }

    /// Length of the escape at `position`: 4 for `\DDD` (at most 255), 2 for `\X`; nil when malformed
    /// (RFC 1035 §5.1). A backslash before a newline is not an escape.
    private func escapeLength() -> Int? {
        let next = position + 1
        guard next < bytes.count, bytes[next] != 0x0A else { return nil }
        guard Self.isDigitByte(bytes[next]) else { return 2 }
        guard next + 2 < bytes.count, Self.isDigitByte(bytes[next + 1]), Self.isDigitByte(bytes[next + 2]) else {
            return nil
        }
        let value = Int(bytes[next] - 48) * 100 + Int(bytes[next + 1] - 48) * 10 + Int(bytes[next + 2] - 48)
        return value <= 255 ? 4 : nil
    }

    private static func isDigitByte(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    private static func isDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x20, 0x09, 0x0D, 0x0A, UInt8(ascii: ";"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\""):
            true
        default: false
        }
    }
}
