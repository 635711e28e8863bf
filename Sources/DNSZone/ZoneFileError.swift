import DNSWire

/// A position in a zone file: file name as given to the loader, 1-based line and column (in bytes).
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    /// The file name, as the including file or the caller named it.
    public var file: String
    /// The line, from 1.
    public var line: Int
    /// The column in bytes, from 1.
    public var column: Int

    /// A position in `file`.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, as compilers print it.
    public var description: String { "\(file):\(line):\(column)" }
}

/// One error in a zone file. The file's author is at fault; a loader reports every error it found.
public struct ZoneFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong; `message` words it.
    public enum Reason: Hashable, Sendable {
        case lineTooLong(limit: Int)
        case unterminatedQuote
        /// A `(` without its `)` before the end of the file.
        case unbalancedOpenParenthesis
        /// A `)` without a `(`.
        case unbalancedCloseParenthesis
        /// A `\` at the end of input or of a line, or a `\DDD` above 255 or with fewer than three digits.
        case badEscape
        case unknownDirective(String)
        case missingArgument(directive: String)
        case extraArgument(directive: String)
        /// A name that cannot be built (label over 63 octets, name over 255, empty label).
        case badName(DNSNameError)
        /// A TTL that is neither digits nor digits with units (RFC 2308 §4 and BIND's units).
        case badTTL(String)
        /// A TTL above 2^31 - 1 (RFC 2181 §8).
        case ttlOutOfRange(UInt32)
        /// `$INCLUDE` when the parser was given no loader.
        case includeNotAllowed
        /// The loader found no file at the resolved path.
        case includeNotFound(String)
        case includeDepthExceeded(limit: Int)
        /// A record with a blank owner before any owner was given.
        case noPreviousOwner
        case missingType
        case unknownType(String)
        /// OPT, TSIG, ANY, AXFR and other meta-types cannot appear in a zone file (RFC 6895 §3.1).
        case metaType(RRType)
        case classMismatch(DNSClass, expected: DNSClass)
        /// No TTL on the record, no `$TTL` in effect and no SOA read yet.
        case missingTTL
        case rdata(RDataParseError)
        /// `\# 0` for a typed RR: zero-length RDATA is only valid in UPDATE (RFC 2136 §2.5).
        case emptyRData(RRType)
        case outOfZone(DNSName)
        case tooManyRecords(limit: Int)
        case tooManyErrors(limit: Int)
        /// A structural problem of the loaded zone, located at the first record of the RRset.
        case zone(ZoneProblem)
    }

    /// Where the error was found.
    public var location: SourceLocation
    /// What is wrong.
    public var reason: Reason

    /// An error of `reason` at `location`.
    public init(_ reason: Reason, at location: SourceLocation) {
        self.reason = reason
        self.location = location
    }

    /// The reason alone, without the location.
    public var message: String {
        switch reason {
        case .lineTooLong(let limit): "line longer than \(limit) bytes"
        case .unterminatedQuote: "unterminated quoted string"
        case .unbalancedOpenParenthesis: "'(' is never closed"
        case .unbalancedCloseParenthesis: "')' without '('"
        case .badEscape: "bad escape sequence"
        case .unknownDirective(let name): "unknown directive \(name)"
        case .missingArgument(let directive): "\(directive) needs an argument"
        case .extraArgument(let directive): "too many arguments to \(directive)"
        case .badName(let why): "bad domain name (\(why))"
        case .badTTL(let text): "bad TTL '\(text)'"
        case .ttlOutOfRange(let ttl): "TTL \(ttl) above 2147483647"
        case .includeNotAllowed: "$INCLUDE is not allowed here"
        case .includeNotFound(let path): "cannot read included file \(path)"
        case .includeDepthExceeded(let limit): "$INCLUDE nested deeper than \(limit)"
        case .noPreviousOwner: "blank owner name with no previous owner"
        case .missingType: "missing record type"
        case .unknownType(let text): "unknown record type '\(text)'"
        case .metaType(let type): "type \(type) cannot appear in a zone file"
        case .classMismatch(let given, let expected): "class \(given) differs from zone class \(expected)"
        case .missingTTL: "no TTL specified and no $TTL or SOA to default to"
        case .rdata(let error): "bad RDATA: \(error)"
        case .emptyRData(let type): "empty RDATA for \(type)"
        case .outOfZone(let name): "\(name) is outside the zone"
        case .tooManyRecords(let limit): "more than \(limit) records"
        case .tooManyErrors(let limit): "more than \(limit) errors, giving up"
        case .zone(let problem): problem.description
        }
    }

    /// `file:line:column: message`.
    public var description: String { "\(location): \(message)" }
}

/// A loader's note about a file that still loads.
public struct ZoneFileWarning: Hashable, Sendable, CustomStringConvertible {
    /// What the loader noticed.
    public enum Reason: Hashable, Sendable {
        /// No TTL and no `$TTL`: the SOA MINIMUM is used, as BIND does (it warns likewise).
        case ttlFromSOAMinimum(UInt32)
        /// RFC 2181 §5.2: an RRset has one TTL; the first one given is kept.
        case ttlMismatch(given: UInt32, kept: UInt32)
        /// The same record twice; an RRset is a set (RFC 2181 §5).
        case duplicateRecord
    }

    /// Where it was noticed.
    public var location: SourceLocation
    /// What was noticed.
    public var reason: Reason

    /// `file:line:column: warning: message`.
    public var description: String {
        let message: String
        switch reason {
        case .ttlFromSOAMinimum(let ttl): message = "no TTL specified; using SOA MINIMUM \(ttl)"
        case .ttlMismatch(let given, let kept):
            message = "TTL \(given) differs from the RRset's TTL \(kept); using \(kept)"
        case .duplicateRecord: message = "duplicate record ignored"
        }
        return "\(location): warning: \(message)"
    }
}

/// Every error found in a zone file (in file order, then validation problems), with the warnings.
public struct ZoneFileErrors: Error, Hashable, Sendable, CustomStringConvertible {
    /// The errors, in the order found.
    public var errors: [ZoneFileError]
    /// The warnings, in the order found.
    public var warnings: [ZoneFileWarning]

    /// One error per line.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Bounds on what a zone file may make the loader do (STYLE.md §5).
public struct ZoneFileLimits: Hashable, Sendable {
    /// Bytes in one physical line.
    public var lineLengthMax: Int
    /// Records over the file and everything it includes.
    public var recordCountMax: Int
    /// Nesting of `$INCLUDE`; also what stops an include cycle.
    public var includeDepthMax: Int
    /// Errors collected before the loader gives up.
    public var errorCountMax: Int

    /// The defaults suit any real zone; tests lower them.
    public init(lineLengthMax: Int = 16_384, recordCountMax: Int = 1_000_000, includeDepthMax: Int = 8,
                errorCountMax: Int = 100) {
        self.lineLengthMax = lineLengthMax
        self.recordCountMax = recordCountMax
        self.includeDepthMax = includeDepthMax
        self.errorCountMax = errorCountMax
    }
}
