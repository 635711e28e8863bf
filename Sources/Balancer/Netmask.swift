import DNSWire

/// An address prefix, as dnsdist's `Netmask`: IPv4 /0–32 or IPv6 /0–128. The address is stored
/// masked, so two netmasks naming the same prefix are equal.
public struct Netmask: Hashable, Comparable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    public let address: IPAddress
    public let prefixLength: UInt8

    /// `prefixLength` is clamped to the family's width.
    public init(_ address: IPAddress, prefixLength: Int) {
        let width = address.bitWidth
        let length = max(0, min(prefixLength, width))
        self.address = address.masked(to: length)
        self.prefixLength = UInt8(length)
    }

    /// Parses `192.0.2.0/24`, `2001:db8::/32`, or a bare address (a host prefix).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let address = IPAddress(String(parts[0])) else { return nil }
        var length = address.bitWidth
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), parsed >= 0, parsed <= address.bitWidth else { return nil }
            length = parsed
        }
        self.init(address, prefixLength: length)
    }

    public func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.bitWidth == address.bitWidth else { return false }
        return candidate.masked(to: Int(prefixLength)) == address
    }

    public var description: String { "\(address)/\(prefixLength)" }

    public static func < (lhs: Netmask, rhs: Netmask) -> Bool {
        (lhs.address, lhs.prefixLength) < (rhs.address, rhs.prefixLength)
    }
}

/// A set of netmasks (dnsdist's `NetmaskGroup`). `mostSpecificMatch` answers with the longest
/// prefix that contains an address, which is how include and exclude lists are arbitrated.
public struct NetmaskGroup: Sendable, Equatable {
    /// Kept sorted by prefix length, longest first, so the first hit is the most specific.
    public private(set) var masks: [Netmask]

    public init(_ masks: [Netmask] = []) {
        self.masks = []
        for mask in masks { add(mask) }
    }

    public var isEmpty: Bool { masks.isEmpty }

    public mutating func add(_ mask: Netmask) {
        guard !masks.contains(mask) else { return }
        let index = masks.firstIndex { $0.prefixLength < mask.prefixLength } ?? masks.endIndex
        masks.insert(mask, at: index)
    }

    public mutating func remove(_ mask: Netmask) {
        masks.removeAll { $0 == mask }
    }

    public func contains(_ address: IPAddress) -> Bool { mostSpecificMatch(address) != nil }

    public func mostSpecificMatch(_ address: IPAddress) -> Netmask? {
        masks.first { $0.contains(address) }
    }
}

/// A client aggregated the way dnsdist's rate rules and dynamic blocks see it
/// (`AddressAndPortRange`): the source address cut to a prefix, and for IPv4 optionally the top
/// `portBits` bits of the source port, so that clients behind one CGNAT address can be told apart.
/// Hashable with the standard hasher for lookups; never iterate a collection of these unsorted.
public struct ClientKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: UInt8
    /// The kept port bits (already shifted down), 0 when `portBits` is 0.
    public let portRange: UInt16
    public let portBits: UInt8

    public init(address: IPAddress, port: UInt16 = 0, v4Mask: Int = 32, v6Mask: Int = 128, portBits: Int = 0) {
        switch address {
        case .v4:
            let length = max(0, min(v4Mask, 32))
            self.address = address.masked(to: length)
            self.prefixLength = UInt8(length)
            // dnsdist only applies port bits to a full /32.
            let bits = length == 32 ? max(0, min(portBits, 16)) : 0
            self.portBits = UInt8(bits)
            self.portRange = bits == 0 ? 0 : port >> UInt16(16 - bits)
        case .v6:
            let length = max(0, min(v6Mask, 128))
            self.address = address.masked(to: length)
            self.prefixLength = UInt8(length)
            self.portBits = 0
            self.portRange = 0
        }
    }

    public var netmask: Netmask { Netmask(address, prefixLength: Int(prefixLength)) }

    public var description: String {
        portBits == 0 ? "\(address)/\(prefixLength)" : "\(address):\(portRange)/\(portBits)"
    }

    public static func < (lhs: ClientKey, rhs: ClientKey) -> Bool {
        (lhs.address, lhs.prefixLength, lhs.portBits, lhs.portRange)
            < (rhs.address, rhs.prefixLength, rhs.portBits, rhs.portRange)
    }
}

extension IPAddress {
    /// 32 for IPv4, 128 for IPv6.
    public var bitWidth: Int {
        switch self {
        case .v4: 32
        case .v6: 128
        }
    }

    /// The address with every bit after the first `prefixLength` cleared.
    public func masked(to prefixLength: Int) -> IPAddress {
        switch self {
        case .v4(let address):
            let length = max(0, min(prefixLength, 32))
            let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << UInt32(32 - length)
            return .v4(IPv4Address(address.value & mask))
        case .v6(let address):
            let length = max(0, min(prefixLength, 128))
            let highMask: UInt64 = length >= 64 ? ~0 : (length == 0 ? 0 : ~UInt64(0) << UInt64(64 - length))
            let lowMask: UInt64 = length <= 64 ? 0 : (length == 128 ? ~0 : ~UInt64(0) << UInt64(128 - length))
            return .v6(IPv6Address(high: address.high & highMask, low: address.low & lowMask))
        }
    }
}
