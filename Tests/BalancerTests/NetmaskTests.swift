import DNSWire
import Testing

@testable import Balancer

@Suite struct NetmaskTests {
    @Test func parsesAndMasks() throws {
        let mask = try #require(Netmask("192.0.2.77/24"))
        #expect(mask.description == "192.0.2.0/24")
        #expect(mask.contains(try #require(IPAddress("192.0.2.200"))))
        #expect(!mask.contains(try #require(IPAddress("192.0.3.1"))))
        #expect(!mask.contains(try #require(IPAddress("::1"))))
        #expect(Netmask("10.0.0.1")?.prefixLength == 32)
        #expect(Netmask("2001:db8::/32")?.contains(IPAddress("2001:db8:ffff::1")!) == true)
        #expect(Netmask("10.0.0.0/33") == nil)
        #expect(Netmask("nonsense") == nil)
    }

    @Test func groupPrefersMostSpecific() throws {
        let group = NetmaskGroup([Netmask("10.0.0.0/8")!, Netmask("10.1.0.0/16")!])
        #expect(group.mostSpecificMatch(IPAddress("10.1.2.3")!)?.prefixLength == 16)
        #expect(group.mostSpecificMatch(IPAddress("10.2.2.3")!)?.prefixLength == 8)
        #expect(!group.contains(IPAddress("11.0.0.1")!))
    }

    @Test func clientKeyMasksAndPortBits() throws {
        let address = try #require(IPAddress("198.51.100.7"))
        #expect(ClientKey(address: address, v4Mask: 24).description == "198.51.100.0/24")
        let a = ClientKey(address: address, port: 0x8001, portBits: 2)
        let b = ClientKey(address: address, port: 0x4001, portBits: 2)
        #expect(a != b)
        #expect(a.portRange == 2 && b.portRange == 1)
        let v6 = ClientKey(address: IPAddress("2001:db8:1:2:3::9")!, v6Mask: 64)
        #expect(v6.address == IPAddress("2001:db8:1:2::"))
    }
}
