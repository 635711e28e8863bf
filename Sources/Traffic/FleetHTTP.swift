/// The few HTTP/1.x pieces the update clients need: a request written byte for byte as a client
/// writes it, Basic credentials, and the status and body of a whole response.
enum FleetHTTP {
    /// `GET <target> <version>`, the headers in order, an empty line; no body.
    static func request(method: String = "GET", target: String, version: String = "HTTP/1.1",
                        headers: [(String, String)]) -> [UInt8] {
        var text = "\(method) \(target) \(version)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// RFC 4648 §4 base64 with padding.
    static func base64(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            var chunk = UInt32(bytes[index]) << 16
            if count > 1 { chunk |= UInt32(bytes[index + 1]) << 8 }
            if count > 2 { chunk |= UInt32(bytes[index + 2]) }
            for position in 0..<4 {
                if position <= count {
                    out.append(alphabet[Int(chunk >> (18 - 6 * UInt32(position)) & 0x3F)])
                } else {
                    out.append(UInt8(ascii: "="))
                }
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The status and body of a whole HTTP/1.x response (the body is everything after the header
    /// block, cut to `Content-Length` when given); nil when the status line is not one.
    static func parseResponse(_ bytes: [UInt8]) -> (status: Int, body: [UInt8])? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headerEnd = -1
        if bytes.count >= 4 {
            for index in 0...(bytes.count - 4) where bytes[index..<(index + 4)].elementsEqual(separator) {
                headerEnd = index
                break
            }
        }
        guard headerEnd >= 0 else { return nil }
        let head = String(decoding: bytes[0..<headerEnd], as: UTF8.self)
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusParts = lines[0].split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), statusParts[1].count == 3,
            let status = Int(statusParts[1])
        else { return nil }
        var body = Array(bytes[(headerEnd + 4)...])
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "content-length",
                let length = Int(parts[1].trimmingPrefix(" ")), length >= 0, length < body.count
            {
                body = Array(body[0..<length])
            }
        }
        return (status, body)
    }
}
