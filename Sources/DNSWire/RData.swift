/// The typed RDATA of a resource record.
///
/// Every type the product serves or inspects is typed; any other type is kept as opaque octets and
/// printed in RFC 3597 `\# len hex` form, so every message round-trips byte for byte. The large
/// payloads are `indirect` so that the common records (A, AAAA, names, MX, SRV, TXT) keep RData at
/// 48 bytes (41 used: an inline `DNSName` beside a preference or port, and the case): a zone of a
/// million records holds a million of them.
public enum RData: Hashable, Sendable {
    case a(IPv4Address)
    case aaaa(IPv6Address)
    case ns(DNSName)
    case cname(DNSName)
    case ptr(DNSName)
    indirect case soa(SOA)
    case mx(preference: UInt16, exchange: DNSName)
    /// One or more character-strings (RFC 1035 §3.3.14).
    case txt([[UInt8]])
    case srv(SRV)
    indirect case caa(CAA)
    indirect case svcb(SVCB)
    indirect case https(SVCB)
    indirect case ds(DS)
    indirect case dnskey(DNSKEY)
    indirect case rrsig(RRSIG)
    indirect case nsec(NSEC)
    indirect case nsec3(NSEC3)
    indirect case tsig(TSIG)
    /// RDATA of a type we do not type (RFC 3597).
    case unknown(RRType, [UInt8])
    /// Zero-length RDATA of class ANY or NONE in an UPDATE (RFC 2136 §2.4, §2.5).
    case empty(RRType)

    /// The TYPE this RDATA belongs to.
    public var type: RRType {
        switch self {
        case .a: .a
        case .aaaa: .aaaa
        case .ns: .ns
        case .cname: .cname
        case .ptr: .ptr
        case .soa: .soa
        case .mx: .mx
        case .txt: .txt
        case .srv: .srv
        case .caa: .caa
        case .svcb: .svcb
        case .https: .https
        case .ds: .ds
        case .dnskey: .dnskey
        case .rrsig: .rrsig
        case .nsec: .nsec
        case .nsec3: .nsec3
        case .tsig: .tsig
        case .unknown(let type, _): type
        case .empty(let type): type
        }
    }
}

/// SOA RDATA (RFC 1035 §3.3.13). The serial follows RFC 1982 arithmetic (`SerialNumber`).
public struct SOA: Hashable, Sendable {
    public var mname: DNSName
    public var rname: DNSName
    public var serial: UInt32
    public var refresh: UInt32
    public var retry: UInt32
    public var expire: UInt32
    /// The negative-caching TTL since RFC 2308 §4.
    public var minimum: UInt32

    public init(
        mname: DNSName, rname: DNSName, serial: UInt32, refresh: UInt32, retry: UInt32, expire: UInt32,
        minimum: UInt32
    ) {
        self.mname = mname
        self.rname = rname
        self.serial = serial
        self.refresh = refresh
        self.retry = retry
        self.expire = expire
        self.minimum = minimum
    }
}

/// SRV RDATA (RFC 2782). The target is never compressed on encode.
public struct SRV: Hashable, Sendable {
    public var priority: UInt16
    public var weight: UInt16
    public var port: UInt16
    public var target: DNSName

    public init(priority: UInt16, weight: UInt16, port: UInt16, target: DNSName) {
        self.priority = priority
        self.weight = weight
        self.port = port
        self.target = target
    }
}

/// CAA RDATA (RFC 8659 §4.1).
public struct CAA: Hashable, Sendable {
    public var flags: UInt8
    public var tag: [UInt8]
    public var value: [UInt8]

    public init(flags: UInt8, tag: [UInt8], value: [UInt8]) {
        self.flags = flags
        self.tag = tag
        self.value = value
    }
}

/// SVCB and HTTPS RDATA (RFC 9460 §2.2): SvcParams kept as (key, value octets) in wire order.
public struct SVCB: Hashable, Sendable {
    public var priority: UInt16
    public var target: DNSName
    public var params: [SVCParam]

    public init(priority: UInt16, target: DNSName, params: [SVCParam]) {
        self.priority = priority
        self.target = target
        self.params = params
    }
}

/// One SvcParam: its key and the raw value (RFC 9460 §2.2); presentation depends on the key.
public struct SVCParam: Hashable, Sendable {
    public var key: UInt16
    public var value: [UInt8]

    public init(key: UInt16, value: [UInt8]) {
        self.key = key
        self.value = value
    }
}

/// DS RDATA (RFC 4034 §5.1).
public struct DS: Hashable, Sendable {
    public var keyTag: UInt16
    public var algorithm: UInt8
    public var digestType: UInt8
    public var digest: [UInt8]

    public init(keyTag: UInt16, algorithm: UInt8, digestType: UInt8, digest: [UInt8]) {
        self.keyTag = keyTag
        self.algorithm = algorithm
        self.digestType = digestType
        self.digest = digest
    }
}

/// DNSKEY RDATA (RFC 4034 §2.1).
public struct DNSKEY: Hashable, Sendable {
    public var flags: UInt16
    public var proto: UInt8
    public var algorithm: UInt8
    public var publicKey: [UInt8]

    public init(flags: UInt16, proto: UInt8, algorithm: UInt8, publicKey: [UInt8]) {
        self.flags = flags
        self.proto = proto
        self.algorithm = algorithm
        self.publicKey = publicKey
    }
}

/// RRSIG RDATA (RFC 4034 §3.1). Times are seconds since the epoch modulo 2^32 (RFC 4034 §3.1.5).
public struct RRSIG: Hashable, Sendable {
    public var typeCovered: RRType
    public var algorithm: UInt8
    public var labels: UInt8
    public var originalTTL: UInt32
    public var expiration: UInt32
    public var inception: UInt32
    public var keyTag: UInt16
    public var signer: DNSName
    public var signature: [UInt8]

    public init(
        typeCovered: RRType, algorithm: UInt8, labels: UInt8, originalTTL: UInt32, expiration: UInt32,
        inception: UInt32, keyTag: UInt16, signer: DNSName, signature: [UInt8]
    ) {
        self.typeCovered = typeCovered
        self.algorithm = algorithm
        self.labels = labels
        self.originalTTL = originalTTL
        self.expiration = expiration
        self.inception = inception
        self.keyTag = keyTag
        self.signer = signer
        self.signature = signature
    }
}

/// NSEC RDATA (RFC 4034 §4.1). `types` is sorted and free of duplicates.
public struct NSEC: Hashable, Sendable {
    public var next: DNSName
    public var types: [RRType]

    public init(next: DNSName, types: [RRType]) {
        self.next = next
        self.types = Array(Set(types)).sorted()
    }
}

/// NSEC3 RDATA (RFC 5155 §3.2).
public struct NSEC3: Hashable, Sendable {
    public var hashAlgorithm: UInt8
    public var flags: UInt8
    public var iterations: UInt16
    public var salt: [UInt8]
    public var nextHashedOwner: [UInt8]
    public var types: [RRType]

    public init(
        hashAlgorithm: UInt8, flags: UInt8, iterations: UInt16, salt: [UInt8], nextHashedOwner: [UInt8],
        types: [RRType]
    ) {
        self.hashAlgorithm = hashAlgorithm
        self.flags = flags
        self.iterations = iterations
        self.salt = salt
        self.nextHashedOwner = nextHashedOwner
        self.types = Array(Set(types)).sorted()
    }
}

/// TSIG RDATA (RFC 8945 §4.2). `timeSigned` is a 48-bit count of seconds.
public struct TSIG: Hashable, Sendable {
    public var algorithm: DNSName
    public var timeSigned: UInt64
    public var fudge: UInt16
    public var mac: [UInt8]
    public var originalID: UInt16
    public var error: UInt16
    public var otherData: [UInt8]

    public init(
        algorithm: DNSName, timeSigned: UInt64, fudge: UInt16, mac: [UInt8], originalID: UInt16, error: UInt16,
        otherData: [UInt8]
    ) {
        self.algorithm = algorithm
        self.timeSigned = timeSigned
        self.fudge = fudge
        self.mac = mac
        self.originalID = originalID
        self.error = error
        self.otherData = otherData
    }
}
