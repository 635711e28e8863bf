/// A capture's link-layer header type (the `LINKTYPE_*` registry used by pcap and pcapng files).
///
/// A struct rather than an enum so that any value read from a file, or reported by libpcap's
/// `pcap_datalink`, can be carried without loss; the decoder counts unsupported ones.
public struct LinkType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The registry number, as stored in a pcap header or a pcapng Interface Description Block.
    public let rawValue: UInt32

    /// Wraps a registry number.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// BSD loopback: a 4-byte address family in the capturing host's byte order (`DLT_NULL`).
    public static let null = LinkType(rawValue: 0)
    /// Ethernet II, with optional 802.1Q / 802.1ad VLAN tags.
    public static let ethernet = LinkType(rawValue: 1)
    /// PPP (RFC 1661), with or without the RFC 1662 HDLC-like address and control bytes.
    public static let ppp = LinkType(rawValue: 9)
    /// Raw IP as `DLT_RAW` is numbered on most platforms (12); files normally use ``raw`` instead.
    public static let rawLegacy = LinkType(rawValue: 12)
    /// Raw IPv4 or IPv6, told apart by the version nibble (`LINKTYPE_RAW`).
    public static let raw = LinkType(rawValue: 101)
    /// OpenBSD loopback: like ``null`` but the family is in network byte order.
    public static let loop = LinkType(rawValue: 108)
    /// Linux cooked capture v1 (`LINKTYPE_LINUX_SLL`), a 16-byte pseudo-header.
    public static let linuxCooked = LinkType(rawValue: 113)
    /// Raw IPv4 only.
    public static let ipv4 = LinkType(rawValue: 228)
    /// Raw IPv6 only.
    public static let ipv6 = LinkType(rawValue: 229)
    /// Linux cooked capture v2 (`LINKTYPE_LINUX_SLL2`), a 20-byte pseudo-header.
    public static let linuxCookedV2 = LinkType(rawValue: 276)

    /// The registry name for the supported types, the number otherwise.
    public var description: String {
        switch self {
        case .null: "NULL"
        case .ethernet: "ETHERNET"
        case .ppp: "PPP"
        case .rawLegacy, .raw: "RAW"
        case .loop: "LOOP"
        case .linuxCooked: "LINUX_SLL"
        case .ipv4: "IPV4"
        case .ipv6: "IPV6"
        case .linuxCookedV2: "LINUX_SLL2"
        default: "LINKTYPE(\(rawValue))"
        }
    }
}
