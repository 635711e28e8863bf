import HTTPWire

/// `text` with every "\n" turned into CRLF, as bytes.
func crlf(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    for byte in text.utf8 {
        if byte == UInt8(ascii: "\n") { out.append(UInt8(ascii: "\r")) }
        out.append(byte)
    }
    return out
}

/// Every request `bytes` yields when fed in pieces of `step` bytes, or the error that stopped it.
func requests(from bytes: [UInt8], step: Int = Int.max, limits: HTTPLimits = .standard)
    -> (requests: [HTTPRequest], error: HTTPParseError?)
{
    var parser = HTTPRequestParser(limits: limits)
    var found: [HTTPRequest] = []
    var offset = 0
    repeat {
        let end = offset + min(step, bytes.count - offset)
        parser.append(bytes[offset..<end])
        offset = end
        do {
            while let request = try parser.nextRequest() { found.append(request) }
        } catch {
            return (found, error)
        }
    } while offset < bytes.count
    return (found, nil)
}

/// The error parsing `bytes` as one request throws, nil if it parses.
func parseError(_ bytes: [UInt8], limits: HTTPLimits = .standard) -> HTTPParseError? {
    do {
        _ = try HTTPRequestParser.parse(bytes, limits: limits)
        return nil
    } catch {
        return error
    }
}
