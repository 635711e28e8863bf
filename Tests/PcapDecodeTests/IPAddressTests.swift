// IPAddress: bytes round trip and text forms.

import PcapDecode
import Testing

@Suite("IPAddress")
struct IPAddressTests {
    @Test("IPv4 from a value and from bytes")
    func ipv4() throws {
        let address = try #require(IPAddress(bytes: [192, 0, 2, 1]))
        #expect(address == IPAddress(ipv4: 0xC000_0201))
        #expect(address.bytes == [192, 0, 2, 1])
        #expect(address.description == "192.0.2.1")
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
    }

    @Test(
        "IPv6 text is RFC 5952 canonical",
        arguments: [
            ("20010db8000000000000000000000001", "2001:db8::1"),
            ("00000000000000000000000000000000", "::"),
            ("00000000000000000000000000000001", "::1"),
            ("20010db8000000010000000000000000", "2001:db8:0:1::"),
            ("20010db8000000010001000000000001", "2001:db8:0:1:1::1"),
            ("20010db8000000000001000000000000", "2001:db8:0:0:1::"),  // the longest run wins
            ("20010db8000000000001000000000001", "2001:db8::1:0:0:1"),  // a tie goes to the first
            ("20010db8000100010001000100010001", "2001:db8:1:1:1:1:1:1"),
        ])
    func ipv6Text(hex: String, text: String) throws {
        let bytes = stride(from: 0, to: hex.count, by: 2).map { offset -> UInt8 in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16) ?? 0
        }
        let address = try #require(IPAddress(bytes: bytes))
        #expect(address.family == .ipv6)
        #expect(address.description == text)
        #expect(address.bytes == bytes)
    }
}
