/// The EDNS(0) OPT pseudo-record of a message (RFC 6891 §6), held apart from the additional section.
public struct EDNS: Hashable, Sendable {
    /// Requestor's UDP payload size (the OPT CLASS field).
    public var udpPayloadSize: UInt16
    public var version: UInt8
    /// The 16 flag bits of the OPT TTL field; bit 15 is DO (RFC 3225).
    public var flags: UInt16
    public var options: [EDNSOption]

    public init(udpPayloadSize: UInt16 = 1232, version: UInt8 = 0, dnssecOK: Bool = false, options: [EDNSOption] = []) {
        self.udpPayloadSize = udpPayloadSize
        self.version = version
        self.flags = dnssecOK ? 0x8000 : 0
        self.options = options
    }

    public var dnssecOK: Bool {
        get { flags & 0x8000 != 0 }
        set { flags = newValue ? flags | 0x8000 : flags & 0x7FFF }
    }

    /// The client subnet option, if any (RFC 7871).
    public var clientSubnet: ClientSubnet? {
        for case .clientSubnet(let subnet) in options { return subnet }
        return nil
    }

    /// The cookie option, if any (RFC 7873).
    public var cookie: Cookie? {
        for case .cookie(let cookie) in options { return cookie }
        return nil
    }
}

/// One EDNS option (RFC 6891 §6.1.2).
public enum EDNSOption: Hashable, Sendable {
    case clientSubnet(ClientSubnet)
    case cookie(Cookie)
    /// Padding (RFC 7830); the octets are kept as received (they should be zero).
    case padding([UInt8])
    case unknown(code: UInt16, data: [UInt8])

    public static let clientSubnetCode: UInt16 = 8
    public static let cookieCode: UInt16 = 10
    public static let paddingCode: UInt16 = 12

    public var code: UInt16 {
        switch self {
        case .clientSubnet: Self.clientSubnetCode
        case .cookie: Self.cookieCode
        case .padding: Self.paddingCode
        case .unknown(let code, _): code
        }
    }

    /// The option's data octets (without code and length).
    public var data: [UInt8] {
        switch self {
        case .clientSubnet(let subnet):
            [UInt8(subnet.family >> 8), UInt8(subnet.family & 0xFF), subnet.sourcePrefixLength,
             subnet.scopePrefixLength] + subnet.address
        case .cookie(let cookie): cookie.client + cookie.server
        case .padding(let bytes): bytes
        case .unknown(_, let data): data
        }
    }

    /// Decodes one option's `size` data octets from `reader`; errors are reported at the data's start.
    /// The parts are read straight from the message, without a copy of the whole data first.
    static func decode(code: UInt16, size: Int, from reader: inout WireReader) throws(DNSDecodeError) -> EDNSOption {
        let offset = reader.offset
        guard size <= reader.remaining else { throw DNSDecodeError(.truncated, at: offset) }
        switch code {
        case clientSubnetCode:
            // RFC 7871 §6: family, two prefix lengths, then ceil(source prefix / 8) address octets.
            guard size >= 4 else { throw DNSDecodeError(.invalidEDNSOption(code), at: offset) }
            let family = try reader.readUInt16()
            let source = try reader.readUInt8()
            let scope = try reader.readUInt8()
            let maxPrefix = family == 1 ? 32 : (family == 2 ? 128 : Int.max)
            guard Int(source) <= maxPrefix, Int(scope) <= maxPrefix, size - 4 == (Int(source) + 7) / 8 else {
                throw DNSDecodeError(.invalidEDNSOption(code), at: offset)
            }
            return .clientSubnet(ClientSubnet(family: family, sourcePrefixLength: source, scopePrefixLength: scope,
                                              address: try reader.readBytes(size - 4)))
        case cookieCode:
            // RFC 7873 §4: client cookie 8 octets, server cookie absent or 8 to 32 octets.
            guard size == 8 || (size >= 16 && size <= 40) else {
                throw DNSDecodeError(.invalidEDNSOption(code), at: offset)
            }
            return .cookie(Cookie(client: try reader.readBytes(8), server: try reader.readBytes(size - 8)))
        case paddingCode: return .padding(try reader.readBytes(size))
        default: return .unknown(code: code, data: try reader.readBytes(size))
        }
    }
}

/// EDNS Client Subnet (RFC 7871 §6). `address` holds exactly ceil(sourcePrefixLength / 8) octets.
public struct ClientSubnet: Hashable, Sendable {
    /// Address family: 1 IPv4, 2 IPv6 (IANA address family numbers).
    public var family: UInt16
    public var sourcePrefixLength: UInt8
    public var scopePrefixLength: UInt8
    public var address: [UInt8]

    public init(family: UInt16, sourcePrefixLength: UInt8, scopePrefixLength: UInt8, address: [UInt8]) {
        self.family = family
        self.sourcePrefixLength = sourcePrefixLength
        self.scopePrefixLength = scopePrefixLength
        self.address = address
    }
}

/// DNS Cookie (RFC 7873 §4): an 8-octet client cookie and an optional 8-32 octet server cookie.
public struct Cookie: Hashable, Sendable {
    public var client: [UInt8]
    public var server: [UInt8]

    public init(client: [UInt8], server: [UInt8] = []) {
        precondition(client.count == 8, "client cookie is 8 octets")
        precondition(server.isEmpty || (server.count >= 8 && server.count <= 32), "server cookie is 8-32 octets")
        self.client = client
        self.server = server
    }
}
