import DNSWire

/// The state machine behind `ZoneFileParser`: reads entries from the lexer, applies directives and
/// turns record entries into located records, collecting errors and warnings as it goes.
struct ZoneFileReader {
    /// What one file (the top one or an included one) carries from entry to entry.
    struct FileState {
        let file: String
        let depth: Int
        var origin: DNSName
        var defaultTTL: UInt32?
        var previousOwner: DNSName?

        init(file: String, depth: Int, origin: DNSName, defaultTTL: UInt32? = nil) {
            self.file = file
            self.depth = depth
            self.origin = origin
            self.defaultTTL = defaultTTL
        }

        func location(_ token: ZoneToken) -> SourceLocation {
            SourceLocation(file: file, line: token.line, column: token.column)
        }
    }

    /// RFC 2181 §8: a TTL is an unsigned 31-bit number.
    static let ttlMax: UInt32 = (1 << 31) - 1

    let zoneOrigin: DNSName
    let zoneClass: DNSClass
    let limits: ZoneFileLimits
    let loader: ZoneFileParser.Loader?
    var records: [LocatedRecord] = []
    var errors: [ZoneFileError] = []
    var warnings: [ZoneFileWarning] = []
    /// The MINIMUM of the first SOA read: the default TTL when no `$TTL` is in effect.
    var soaMinimum: UInt32?
    var warnedSOAMinimum = false
    /// Set when a bound is reached; nothing more is read.
    var stopped = false

    init(zoneOrigin: DNSName, zoneClass: DNSClass, limits: ZoneFileLimits, loader: ZoneFileParser.Loader?) {
        self.zoneOrigin = zoneOrigin
        self.zoneClass = zoneClass
        self.limits = limits
        self.loader = loader
    }

    mutating func read(_ text: String, state: inout FileState) {
        var lexer = ZoneLexer(text, lineLengthMax: limits.lineLengthMax)
        while !stopped, let entry = lexer.nextEntry() {
            for issue in lexer.drainIssues() {
                report(issue.reason, at: SourceLocation(file: state.file, line: issue.line, column: issue.column))
            }
            guard !entry.hasError, let first = entry.tokens.first else { continue }
            if !first.isQuoted && first.raw.first == UInt8(ascii: "$") {
                directive(entry, state: &state)
            } else {
                record(entry, state: &state)
            }
        }
    }

    mutating func report(_ reason: ZoneFileError.Reason, at location: SourceLocation) {
        guard !stopped else { return }
        guard errors.count < limits.errorCountMax else {
            errors.append(ZoneFileError(.tooManyErrors(limit: limits.errorCountMax), at: location))
            stopped = true
            return
        }
        errors.append(ZoneFileError(reason, at: location))
    }

    // MARK: Directives

    private mutating func directive(_ entry: ZoneEntry, state: inout FileState) {
        let keyword = entry.tokens[0]
        let name = keyword.text.uppercased()
        let arguments = Array(entry.tokens.dropFirst())
        let allowed: ClosedRange<Int>
        switch name {
        case "$ORIGIN", "$TTL": allowed = 1...1
        case "$INCLUDE": allowed = 1...2
        default:
            report(.unknownDirective(keyword.text), at: state.location(keyword))
            return
        }
        guard arguments.count >= allowed.lowerBound else {
            return report(.missingArgument(directive: name), at: state.location(keyword))
        }
        guard arguments.count <= allowed.upperBound else {
            return report(.extraArgument(directive: name), at: state.location(arguments[allowed.upperBound]))
        }
        switch name {
        case "$ORIGIN":
            // RFC 1035 §5.1: a relative $ORIGIN is relative to the current origin.
            if let origin = parseName(arguments[0], state: state) { state.origin = origin }
        case "$TTL":
            if let ttl = parseTTL(arguments[0], state: state) { state.defaultTTL = ttl }
        default:
            include(keyword, arguments, state: state)
        }
    }

    private mutating func include(_ keyword: ZoneToken, _ arguments: [ZoneToken], state: FileState) {
        guard let loader else { return report(.includeNotAllowed, at: state.location(keyword)) }
        guard state.depth < limits.includeDepthMax else {
            return report(.includeDepthExceeded(limit: limits.includeDepthMax), at: state.location(keyword))
        }
        guard let pathBytes = arguments[0].rdataToken.unescaped else {
            return report(.badEscape, at: state.location(arguments[0]))
        }
        let path = Self.resolve(String(decoding: pathBytes, as: UTF8.self), relativeTo: state.file)
        var origin = state.origin
        if arguments.count == 2 {
            guard let given = parseName(arguments[1], state: state) else { return }
            origin = given
        }
        guard let text = loader(path) else { return report(.includeNotFound(path), at: state.location(arguments[0])) }
        var child = FileState(file: path, depth: state.depth + 1, origin: origin, defaultTTL: state.defaultTTL)
        read(text, state: &child)
    }

    /// A relative path is relative to the directory of the including file.
    static func resolve(_ path: String, relativeTo file: String) -> String {
        guard !path.hasPrefix("/"), let slash = file.lastIndex(of: "/") else { return path }
        return String(file[...slash]) + path
    }

    // MARK: Fields

    mutating func parseName(_ token: ZoneToken, state: FileState) -> DNSName? {
        do {
            return try DNSName(parsing: token.text, origin: state.origin)
        } catch {
            report(error == .badEscape ? .badEscape : .badName(error), at: state.location(token))
            return nil
        }
    }

    mutating func parseTTL(_ token: ZoneToken, state: FileState) -> UInt32? {
        guard let ttl = TTLText.parse(token.text) else {
            report(.badTTL(token.text), at: state.location(token))
            return nil
        }
        guard ttl <= Self.ttlMax else {
            report(.ttlOutOfRange(ttl), at: state.location(token))
            return nil
        }
        return ttl
    }
}
