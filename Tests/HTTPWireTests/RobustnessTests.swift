import Determinism
import HTTPWire
import Testing

/// Seeded random and mutated input never traps any decoder; the seed is in the test name so a
/// failure reproduces.
@Suite struct RobustnessTests {
    static let seeds = [
        crlf(
            "GET /nic/update?hostname=a.example.org&myip=192.0.2.1 HTTP/1.1\nHost: x\nAuthorization: Basic dXNlcjpwYXNz\n\n"
        ),
        crlf("POST /a%20b HTTP/1.1\nContent-Length: 5\nContent-Type: application/x-www-form-urlencoded\n\na=b+c"),
        crlf("POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n3;x=y\nabc\n0\nT: 1\n\n"),
        crlf("GET http://h/p?q=%C3%A9 HTTP/1.0\n\n"),
    ]

    @Test func randomAndMutatedRequestsNeverTrap() {
        var random = SeededRandom(seed: 6, label: "http-robustness")
        let limits = HTTPLimits(maxRequestLineBytes: 256, maxHeaderBytes: 512, maxHeaderCount: 8, maxBodyBytes: 256)
        var parsedCount = 0
        for round in 0..<2000 {
            var bytes: [UInt8]
            if round % 4 == 0 {
                bytes = random.bytes(random.int(in: 0...300))
            } else {
                bytes = Self.seeds[Int(random.below(UInt64(Self.seeds.count)))]
                for _ in 0..<random.int(in: 1...6) { mutate(&bytes, &random) }
            }
            var parser = HTTPRequestParser(limits: limits)
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + random.int(in: 1...40))
                parser.append(bytes[offset..<end])
                offset = end
                do {
                    while let request = try parser.nextRequest() {
                        parsedCount += 1
                        _ = request.credentials
                        _ = try? request.bodyFormItems()
                        _ = request.serialized()
                    }
                } catch {
                    #expect([400, 413, 414, 431, 501, 505].contains(error.status))
                    break
                }
            }
            var responses = HTTPResponseParser(limits: limits)
            responses.append(bytes)
            _ = try? responses.nextResponse()
            _ = try? responses.finish()
            _ = try? JSON.parse(bytes, maxDepth: 8)
            _ = try? FormEncoding.decode(String(decoding: bytes, as: UTF8.self))
            _ = Base64.decode(String(decoding: bytes, as: UTF8.self))
            _ = HTTPCredentials.parse(authorization: String(decoding: bytes, as: UTF8.self))
        }
        #expect(parsedCount > 100, "mutations should leave many requests valid")
    }

    @Test func randomJSONMutationsNeverTrap() throws {
        var random = SeededRandom(seed: 8, label: "json-robustness")
        let base = Array(#"{"a":[1,-2.5e3,"x\u00e9\n",true,null,{"b":{}}],"c":"\ud83d\ude00"}"#.utf8)
        #expect(try JSON.parse(base)["a"]?.arrayValue?.count == 6)
        for _ in 0..<2000 {
            var bytes = base
            for _ in 0..<random.int(in: 1...4) { mutate(&bytes, &random) }
            if let value = try? JSON.parse(bytes) {
                #expect(try JSON.parse(value.serialized) == value)
            }
        }
    }

    private func mutate(_ bytes: inout [UInt8], _ random: inout SeededRandom) {
        let interesting: [UInt8] = [
            0, 0x0D, 0x0A, 0x20, 0x09, 0x25, 0x2B, 0x3A, 0x3B, 0x22, 0x5C, 0x7B, 0x5D, 0xFF, 0x30,
        ]
        let position = bytes.isEmpty ? 0 : Int(random.below(UInt64(bytes.count)))
        switch random.below(5) {
        case 0 where !bytes.isEmpty: bytes.remove(at: position)
        case 1: bytes.insert(random.element(of: interesting) ?? 0, at: position)
        case 2 where !bytes.isEmpty: bytes[position] = UInt8(truncatingIfNeeded: random.next())
        case 3 where !bytes.isEmpty:
            let end = min(bytes.count, position + random.int(in: 1...20))
            bytes.insert(contentsOf: bytes[position..<end], at: position)
        default: bytes.append(contentsOf: crlf("\n"))
        }
    }
}
