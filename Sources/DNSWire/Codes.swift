/// A resource record TYPE (RFC 1035 §3.2.2, IANA registry). Unknown values print as `TYPE123`
/// (RFC 3597 §5).
public struct RRType: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = RRType(1)
    public static let ns = RRType(2)
    public static let cname = RRType(5)
    public static let soa = RRType(6)
    public static let ptr = RRType(12)
    public static let mx = RRType(15)
    public static let txt = RRType(16)
    public static let aaaa = RRType(28)
    public static let srv = RRType(33)
    public static let opt = RRType(41)
    public static let ds = RRType(43)
    public static let rrsig = RRType(46)
    public static let nsec = RRType(47)
    public static let dnskey = RRType(48)
    public static let nsec3 = RRType(50)
    public static let svcb = RRType(64)
    public static let https = RRType(65)
    public static let tsig = RRType(250)
    public static let ixfr = RRType(251)
    public static let axfr = RRType(252)
    public static let any = RRType(255)
    public static let caa = RRType(257)

    /// Mnemonics of the IANA "Resource Record (RR) TYPEs" registry.
    static let mnemonics: [UInt16: String] = [
        1: "A", 2: "NS", 3: "MD", 4: "MF", 5: "CNAME", 6: "SOA", 7: "MB", 8: "MG", 9: "MR", 10: "NULL",
        11: "WKS", 12: "PTR", 13: "HINFO", 14: "MINFO", 15: "MX", 16: "TXT", 17: "RP", 18: "AFSDB",
        19: "X25", 20: "ISDN", 21: "RT", 22: "NSAP", 23: "NSAP-PTR", 24: "SIG", 25: "KEY", 26: "PX",
        27: "GPOS", 28: "AAAA", 29: "LOC", 30: "NXT", 33: "SRV", 35: "NAPTR", 36: "KX", 37: "CERT", 38: "A6",
        39: "DNAME", 41: "OPT", 42: "APL", 43: "DS", 44: "SSHFP", 45: "IPSECKEY", 46: "RRSIG", 47: "NSEC",
        48: "DNSKEY", 49: "DHCID", 50: "NSEC3", 51: "NSEC3PARAM", 52: "TLSA", 53: "SMIMEA", 55: "HIP",
        56: "NINFO", 59: "CDS", 60: "CDNSKEY", 61: "OPENPGPKEY", 62: "CSYNC", 63: "ZONEMD", 64: "SVCB",
        65: "HTTPS", 66: "DSYNC", 67: "HHIT", 68: "BRID", 99: "SPF", 103: "UNSPEC", 104: "NID", 105: "L32",
        106: "L64", 107: "LP", 108: "EUI48", 109: "EUI64", 128: "NXNAME", 249: "TKEY", 250: "TSIG",
        251: "IXFR", 252: "AXFR", 253: "MAILB", 254: "MAILA", 255: "ANY", 256: "URI", 257: "CAA", 258: "AVC",
        260: "AMTRELAY", 261: "RESINFO", 262: "WALLET", 32768: "TA", 32769: "DLV",
    ]

    static let valuesByMnemonic: [String: RRType] = Dictionary(
        uniqueKeysWithValues: mnemonics.map { ($0.value, RRType($0.key)) })

    public var description: String { Self.mnemonics[rawValue] ?? "TYPE\(rawValue)" }

    /// Parses a mnemonic (any case) or `TYPEnnn`.
    public init?(mnemonic text: some StringProtocol) {
        let upper = text.uppercased()
        if let type = Self.valuesByMnemonic[upper] {
            self = type
            return
        }
        guard upper.hasPrefix("TYPE"), let value = UInt16(upper.dropFirst(4)) else { return nil }
        self.init(value)
    }

    public static func < (lhs: RRType, rhs: RRType) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Meta-types and QTYPEs that never appear as stored data (RFC 6895 §3.1).
    public var isMetaType: Bool { rawValue == 41 || (rawValue >= 128 && rawValue <= 255) }
}

/// A record CLASS (RFC 1035 §3.2.4; NONE and ANY from RFC 2136). Unknown values print `CLASSnnn`.
public struct DNSClass: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let `in` = DNSClass(1)
    public static let ch = DNSClass(3)
    public static let hs = DNSClass(4)
    public static let none = DNSClass(254)
    public static let any = DNSClass(255)

    public var description: String {
        switch rawValue {
        case 1: "IN"
        case 3: "CH"
        case 4: "HS"
        case 254: "NONE"
        case 255: "ANY"
        default: "CLASS\(rawValue)"
        }
    }

    public init?(mnemonic text: some StringProtocol) {
        switch text.uppercased() {
        case "IN": self = .in
        case "CH": self = .ch
        case "HS": self = .hs
        case "NONE": self = .none
        case "ANY": self = .any
        case let upper where upper.hasPrefix("CLASS"):
            guard let value = UInt16(upper.dropFirst(5)) else { return nil }
            self.init(value)
        default: return nil
        }
    }
}

/// A 4-bit OPCODE (RFC 1035 §4.1.1, NOTIFY RFC 1996, UPDATE RFC 2136, DSO RFC 8490).
public struct Opcode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) {
        precondition(rawValue < 16, "opcode is 4 bits")
        self.rawValue = rawValue
    }

    public static let query = Opcode(rawValue: 0)
    public static let iquery = Opcode(rawValue: 1)
    public static let status = Opcode(rawValue: 2)
    public static let notify = Opcode(rawValue: 4)
    public static let update = Opcode(rawValue: 5)
    public static let dso = Opcode(rawValue: 6)

    public var description: String {
        switch rawValue {
        case 0: "QUERY"
        case 1: "IQUERY"
        case 2: "STATUS"
        case 4: "NOTIFY"
        case 5: "UPDATE"
        case 6: "DSO"
        default: "OPCODE\(rawValue)"
        }
    }
}

/// A 12-bit RCODE: the low 4 bits travel in the header, the upper 8 in the OPT record (RFC 6891 §6.1.3).
public struct RCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) {
        precondition(rawValue < 4096, "RCODE is 12 bits")
        self.rawValue = rawValue
    }

    public static let noError = RCode(rawValue: 0)
    public static let formErr = RCode(rawValue: 1)
    public static let servFail = RCode(rawValue: 2)
    public static let nxDomain = RCode(rawValue: 3)
    public static let notImp = RCode(rawValue: 4)
    public static let refused = RCode(rawValue: 5)
    public static let yxDomain = RCode(rawValue: 6)
    public static let yxRRSet = RCode(rawValue: 7)
    public static let nxRRSet = RCode(rawValue: 8)
    public static let notAuth = RCode(rawValue: 9)
    public static let notZone = RCode(rawValue: 10)
    public static let dsoTypeNI = RCode(rawValue: 11)
    /// BADVERS in OPT (RFC 6891), BADSIG in TSIG (RFC 8945): the same value 16.
    public static let badVers = RCode(rawValue: 16)
    public static let badKey = RCode(rawValue: 17)
    public static let badTime = RCode(rawValue: 18)
    public static let badMode = RCode(rawValue: 19)
    public static let badName = RCode(rawValue: 20)
    public static let badAlg = RCode(rawValue: 21)
    public static let badTrunc = RCode(rawValue: 22)
    public static let badCookie = RCode(rawValue: 23)

    static let names: [UInt16: String] = [
        0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED",
        6: "YXDOMAIN", 7: "YXRRSET", 8: "NXRRSET", 9: "NOTAUTH", 10: "NOTZONE", 11: "DSOTYPENI",
        16: "BADVERS", 17: "BADKEY", 18: "BADTIME", 19: "BADMODE", 20: "BADNAME", 21: "BADALG",
        22: "BADTRUNC", 23: "BADCOOKIE",
    ]

    /// The mnemonic, or the number for an unassigned value (as dnspython prints it).
    public var description: String { Self.names[rawValue] ?? String(rawValue) }
}

/// Header flag bits (RFC 1035 §4.1.1, AD/CD RFC 4035 §3.2). The Z bit is kept so that bytes round-trip.
public struct HeaderFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue & Self.mask }

    public static let qr = HeaderFlags(rawValue: 0x8000)
    public static let aa = HeaderFlags(rawValue: 0x0400)
    public static let tc = HeaderFlags(rawValue: 0x0200)
    public static let rd = HeaderFlags(rawValue: 0x0100)
    public static let ra = HeaderFlags(rawValue: 0x0080)
    public static let z = HeaderFlags(rawValue: 0x0040)
    public static let ad = HeaderFlags(rawValue: 0x0020)
    public static let cd = HeaderFlags(rawValue: 0x0010)

    /// The bits of the second header word that are flags (not OPCODE, not RCODE).
    public static let mask: UInt16 = 0x87F0

    /// Flag mnemonics in header order, as dig and dnspython print them.
    public var mnemonics: [String] {
        var names: [String] = []
        let table: [(HeaderFlags, String)] = [
            (.qr, "QR"), (.aa, "AA"), (.tc, "TC"), (.rd, "RD"), (.ra, "RA"), (.z, "Z"), (.ad, "AD"), (.cd, "CD"),
        ]
        for (flag, name) in table where contains(flag) { names.append(name) }
        return names
    }
}
