/// The framing shared by `HTTPRequestParser` and `HTTPResponseParser` (RFC 9112 §2, §6, §7.1):
/// splits buffered bytes into a head (start line and header lines) and a body, with the bounds of
/// `HTTPLimits`. Lines end in CRLF or, tolerated as nginx does, a bare LF.
///
/// Head scanning resumes where the last call stopped, so feeding a message byte by byte costs
/// linear time. Indices are absolute into `buffer`; the consumed prefix is dropped only between
/// heads (`compact()`), when no scan state refers to it.
struct MessageReader: Sendable {
    let limits: HTTPLimits
    /// What an overlong start line is: 414 for requests, 400 for responses.
    let startLineTooLong: HTTPParseError

    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var scanIndex = 0
    private var lineStart = 0
    private var headLines: [Range<Int>] = []
    private var headerBytes = 0
    private var chunkPhase = ChunkPhase.size
    private var body: [UInt8] = []

    private enum ChunkPhase: Sendable {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailer(bytes: Int)
    }

    /// Longest chunk-size line (size and extensions) accepted.
    static let maxChunkLineBytes = 1024

    init(limits: HTTPLimits, startLineTooLong: HTTPParseError) {
        self.limits = limits
        self.startLineTooLong = startLineTooLong
    }

    mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        buffer.append(contentsOf: bytes)
    }

    /// Bytes received and not yet returned as part of a message (a body in progress counts).
    var unreadByteCount: Int { buffer.count - readIndex + body.count }

    // MARK: Head

    /// The next complete head, or nil if more bytes are needed. Leading empty lines are skipped
    /// (RFC 9112 §2.2).
    mutating func readHead() throws(HTTPParseError) -> RawHead? {
        if headLines.isEmpty && scanIndex == readIndex { compact() }
        while let newline = buffer[scanIndex...].firstIndex(of: LF) {
            var end = newline
            if end > lineStart && buffer[end - 1] == CR { end -= 1 }
            let consumed = newline + 1 - lineStart
            scanIndex = newline + 1
            if headLines.isEmpty {
                if end == lineStart {
                    readIndex = scanIndex
                    lineStart = scanIndex
                    continue
                }
                if end - lineStart > limits.maxRequestLineBytes { throw startLineTooLong }
            } else if end == lineStart {
                return finishHead()
            } else {
                headerBytes += consumed
                if headerBytes > limits.maxHeaderBytes { throw .headersTooLarge }
                if headLines.count > limits.maxHeaderCount { throw .tooManyHeaders }
            }
            headLines.append(lineStart..<end)
            lineStart = scanIndex
        }
        scanIndex = buffer.count
        let pending = buffer.count - lineStart
        if headLines.isEmpty {
            if pending - 1 > limits.maxRequestLineBytes { throw startLineTooLong }
        } else if headerBytes + pending > limits.maxHeaderBytes {
            throw .headersTooLarge
        }
        return nil
    }

    private mutating func finishHead() -> RawHead {
        assert(!headLines.isEmpty, "a head has a start line")
        let head = RawHead(
            startLine: Array(buffer[headLines[0]]),
            headerLines: headLines.dropFirst().map { Array(buffer[$0]) })
        readIndex = scanIndex
        lineStart = scanIndex
        headLines.removeAll(keepingCapacity: true)
        headerBytes = 0
        return head
    }

    /// Drops the consumed prefix of the buffer once it is worth moving the rest.
    private mutating func compact() {
        assert(headLines.isEmpty && scanIndex == readIndex, "no scan state refers to the prefix")
        guard readIndex > 0 else { return }
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 65536)
        } else if readIndex >= 4096 && readIndex * 2 >= buffer.count {
            buffer.removeSubrange(0..<readIndex)
        } else {
            return
        }
        readIndex = 0
        scanIndex = 0
        lineStart = 0
    }

    // MARK: Body

    /// The body framed by `framing` once complete, or nil if more bytes are needed. A
    /// close-delimited body never completes here; see `finishBody()`.
    mutating func readBody(_ framing: BodyFraming) throws(HTTPParseError) -> [UInt8]? {
        assert(headLines.isEmpty, "a body follows a complete head")
        switch framing {
        case .empty:
            return []
        case .length(let count):
            guard buffer.count - readIndex >= count else { return nil }
            let bytes = Array(buffer[readIndex..<readIndex + count])
            consume(count)
            return bytes
        case .chunked:
            return try readChunked()
        case .untilClose:
            body.append(contentsOf: buffer[readIndex...])
            consume(buffer.count - readIndex)
            if body.count > limits.maxBodyBytes { throw .bodyTooLarge }
            return nil
        }
    }

    /// The close-delimited body received so far, at the end of the stream.
    mutating func finishBody() -> [UInt8] {
        body.append(contentsOf: buffer[readIndex...])
        consume(buffer.count - readIndex)
        defer { body = [] }
        return body
    }

    private mutating func consume(_ count: Int) {
        readIndex += count
        scanIndex = readIndex
        lineStart = readIndex
    }

    /// RFC 9112 §7.1: chunk-size [chunk-ext] CRLF chunk-data CRLF … last-chunk trailer-section CRLF.
    private mutating func readChunked() throws(HTTPParseError) -> [UInt8]? {
        while true {
            switch chunkPhase {
            case .size:
                guard let line = try nextBodyLine(maxBytes: Self.maxChunkLineBytes, tooLong: .badChunk) else {
                    return nil
                }
                let size = try Self.chunkSize(line, room: limits.maxBodyBytes - body.count)
                chunkPhase = size == 0 ? .trailer(bytes: 0) : .data(remaining: size)
            case .data(let remaining):
                let available = min(remaining, buffer.count - readIndex)
                body.append(contentsOf: buffer[readIndex..<readIndex + available])
                consume(available)
                guard available == remaining else {
                    chunkPhase = .data(remaining: remaining - available)
                    return nil
                }
                chunkPhase = .dataEnd
            case .dataEnd:
                guard let line = try nextBodyLine(maxBytes: 1, tooLong: .badChunk) else { return nil }
                guard line.isEmpty else { throw .badChunk }
                chunkPhase = .size
            case .trailer(let bytes):
                let room = limits.maxHeaderBytes - bytes
                guard let line = try nextBodyLine(maxBytes: room, tooLong: .headersTooLarge) else { return nil }
                if line.isEmpty {
                    chunkPhase = .size
                    defer { body = [] }
                    return body
                }
                _ = try HeaderSyntax.header(from: line)
                chunkPhase = .trailer(bytes: bytes + line.count + 2)
            }
        }
    }

    /// The next line inside a body (chunk size, chunk end, trailer), without its line ending.
    private mutating func nextBodyLine(maxBytes: Int, tooLong: HTTPParseError) throws(HTTPParseError) -> [UInt8]? {
        guard let newline = buffer[readIndex...].firstIndex(of: LF) else {
            if buffer.count - readIndex - 1 > maxBytes { throw tooLong }
            return nil
        }
        var end = newline
        if end > readIndex && buffer[end - 1] == CR { end -= 1 }
        if end - readIndex > maxBytes { throw tooLong }
        let line = Array(buffer[readIndex..<end])
        consume(newline + 1 - readIndex)
        return line
    }

    /// Parses `1*HEXDIG [ BWS ";" chunk-ext ]`; a size past `room` is 413.
    static func chunkSize(_ line: [UInt8], room: Int) throws(HTTPParseError) -> Int {
        var size = 0
        var index = 0
        while index < line.count, let digit = FormEncoding.hexValue(line[index]) {
            // Checked before the multiplication so that no limit can make it overflow.
            guard room >= Int(digit), size <= (room - Int(digit)) / 16 else { throw .bodyTooLarge }
            size = size * 16 + Int(digit)
            index += 1
        }
        guard index > 0 else { throw .badChunk }
        while index < line.count && (line[index] == SP || line[index] == HT) { index += 1 }
        guard index == line.count || line[index] == UInt8(ascii: ";") else { throw .badChunk }
        try HeaderSyntax.checkFieldBytes(line[index...])
        return size
    }
}

/// A message head as lines without their endings: the start line, then one line per header field.
struct RawHead: Sendable {
    var startLine: [UInt8]
    var headerLines: [[UInt8]]
}

/// How the body of a message is delimited (RFC 9112 §6.3).
enum BodyFraming: Hashable, Sendable {
    case empty
    case length(Int)
    case chunked
    case untilClose
}

extension HTTPParseError {
    static let badChunk = HTTPParseError.malformed("bad chunk")
}

let CR = UInt8(ascii: "\r")
let LF = UInt8(ascii: "\n")
let SP = UInt8(ascii: " ")
let HT = UInt8(ascii: "\t")
