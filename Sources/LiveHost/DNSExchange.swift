import DNSWire
#if canImport(Glibc)
import Glibc
#endif

/// One DNS exchange with a real server over a blocking socket: what `ddnslab pcap send` and the
/// live tests use as a client (one query at a time; no NIO needed).
public enum DNSExchange {
    /// The `sockaddr_in` of `v4`:`port`.
    static func socketAddress(_ v4: IPv4Address, port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = v4.value.bigEndian
        return address
    }

    static func setTimeout(_ socket: Int32, milliseconds: Int) {
        var value = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    static func connect(_ socket: Int32, _ v4: IPv4Address, port: UInt16) -> Bool {
        var address = socketAddress(v4, port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// A socket of `type` connected to `v4`:`port` with `timeoutMs` on each receive, `bytes` sent
    /// on it, then `exchange` reading the answer; the socket is closed afterwards.
    private static func connected(_ type: __socket_type, to v4: IPv4Address, port: UInt16, timeoutMs: Int, sending bytes: [UInt8],
                                  _ exchange: (Int32) -> [UInt8]?) -> [UInt8]? {
        let fd = socket(AF_INET, Int32(type.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        setTimeout(fd, milliseconds: timeoutMs)
        guard connect(fd, v4, port: port), send(fd, bytes, bytes.count, 0) == bytes.count else { return nil }
        return exchange(fd)
    }

    /// One query over UDP; the first datagram with the query's ID, or nil after the timeout.
    public static func udp(_ query: [UInt8], v4: IPv4Address, port: UInt16, timeoutMs: Int) -> [UInt8]? {
        connected(SOCK_DGRAM, to: v4, port: port, timeoutMs: timeoutMs, sending: query) { fd in
            var buffer = [UInt8](repeating: 0, count: 65_535)
            while true {
                let count = recv(fd, &buffer, buffer.count, 0)
                guard count > 0 else { return nil }
                if count >= 2 && query.count >= 2 && buffer[0] == query[0] && buffer[1] == query[1] {
                    return Array(buffer[0..<count])
                }
            }
        }
    }

    /// One query over its own TCP connection (two-octet length prefix both ways).
    public static func tcp(_ query: [UInt8], v4: IPv4Address, port: UInt16, timeoutMs: Int) -> [UInt8]? {
        let framed = [UInt8(query.count >> 8), UInt8(query.count & 0xFF)] + query
        return connected(SOCK_STREAM, to: v4, port: port, timeoutMs: timeoutMs, sending: framed) { fd in
            func read(_ count: Int) -> [UInt8]? {
                var bytes: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: count)
                while bytes.count < count {
                    let got = recv(fd, &buffer, count - bytes.count, 0)
                    guard got > 0 else { return nil }
                    bytes += buffer[0..<got]
                }
                return bytes
            }
            guard let prefix = read(2) else { return nil }
            return read(Int(prefix[0]) << 8 | Int(prefix[1]))
        }
    }

    /// One HTTP/1.1 request over its own TCP connection; every byte the server sends until it
    /// closes or `timeoutMs` passes without data.
    public static func http(_ request: [UInt8], v4: IPv4Address, port: UInt16, timeoutMs: Int) -> [UInt8]? {
        connected(SOCK_STREAM, to: v4, port: port, timeoutMs: timeoutMs, sending: request) { fd in
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 16_384)
            while true {
                let got = recv(fd, &buffer, buffer.count, 0)
                guard got > 0 else { break }
                bytes += buffer[0..<got]
            }
            return bytes.isEmpty ? nil : bytes
        }
    }
}
