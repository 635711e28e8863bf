import DNSWire

/// A structural problem of a zone's data, found by `Zone.validate()`.
public struct ZoneProblem: Hashable, Sendable, CustomStringConvertible {
    /// Which rule the data breaks.
    public enum Reason: Hashable, Sendable {
        /// No SOA at the apex (RFC 1035 §5.2: exactly one SOA, at the top of the zone).
        case missingSOA
        /// More than one SOA record at the apex (RFC 1035 §5.2, RFC 2181 §6.1).
        case multipleSOA
        /// An SOA below the apex: a zone has one SOA, at its origin (RFC 1035 §5.2).
        case soaNotAtApex
        /// No NS RRset at the apex (RFC 1034 §4.2.1: the apex lists the zone's name servers).
        case missingApexNS
        /// A CNAME beside other data (RFC 1034 §3.6.2, RFC 2181 §10.1); RRSIG and NSEC may coexist.
        case cnameAndOtherData
        /// More than one CNAME record at a name (RFC 1034 §3.6.2, RFC 2181 §10.1).
        case multipleCNAME
        /// Data at or below a delegation that is neither the delegation's NS, DS nor glue address
        /// records; it is occluded, never served (RFC 1034 §4.2.1, RFC 2181 §6).
        case occludedData(cut: DNSName)
    }

    /// The owner name of the offending data.
    public var owner: DNSName
    /// The type of the offending RRset (SOA or NS for a missing apex record).
    public var type: RRType
    /// The rule broken.
    public var reason: Reason

    /// A problem of `type` data at `owner`.
    public init(owner: DNSName, type: RRType, reason: Reason) {
        self.owner = owner
        self.type = type
        self.reason = reason
    }

    /// The rule broken, in words.
    public var message: String {
        switch reason {
        case .missingSOA: "the zone has no SOA record at its apex"
        case .multipleSOA: "more than one SOA record at the apex"
        case .soaNotAtApex: "SOA record below the apex"
        case .missingApexNS: "the zone has no NS records at its apex"
        case .cnameAndOtherData: "CNAME and other data at the same name"
        case .multipleCNAME: "more than one CNAME record at a name"
        case .occludedData(let cut): "\(type) data below the delegation at \(cut) is not glue"
        }
    }

    /// `owner TYPE: message`.
    public var description: String { "\(owner) \(type): \(message)" }
}

extension Zone {
    /// Types that may share a name with a CNAME (RFC 2181 §10.1 allows the DNSSEC records).
    static let cnameCompanions: [RRType] = [.cname, .rrsig, .nsec]
    /// Types that may sit at a delegation point: the cut's NS, the parent-side DS, glue, DNSSEC.
    static let delegationTypes: [RRType] = [.ns, .ds, .a, .aaaa, .rrsig, .nsec]

    /// Every structural problem, in canonical order of owner then type (deterministic).
    public func validate() -> [ZoneProblem] {
        var problems: [ZoneProblem] = []
        let apex = node(at: origin)
        if apex?.rrset(.soa) == nil { problems.append(ZoneProblem(owner: origin, type: .soa, reason: .missingSOA)) }
        if apex?.rrset(.ns) == nil { problems.append(ZoneProblem(owner: origin, type: .ns, reason: .missingApexNS)) }
        var cut: DNSName?
        for node in nodes {
            if let current = cut, node.owner.isSubdomain(of: current) {
                // RFC 1034 §4.2.1: below a cut only glue (address records) belongs to this zone's file.
                for rrset in node.rrsets where rrset.type != .a && rrset.type != .aaaa {
                    let reason = ZoneProblem.Reason.occludedData(cut: current)
                    problems.append(ZoneProblem(owner: node.owner, type: rrset.type, reason: reason))
                }
                continue
            }
            cut = nil
            if node.owner != origin, node.rrset(.ns) != nil {
                cut = node.owner
                for rrset in node.rrsets where !Self.delegationTypes.contains(rrset.type) {
                    problems.append(ZoneProblem(owner: node.owner, type: rrset.type,
                                                reason: .occludedData(cut: node.owner)))
                }
            }
            problems += Self.nodeProblems(node, isApex: node.owner == origin)
        }
        return problems
    }

    private static func nodeProblems(_ node: ZoneNode, isApex: Bool) -> [ZoneProblem] {
        var problems: [ZoneProblem] = []
        if let soa = node.rrset(.soa) {
            if !isApex {
                problems.append(ZoneProblem(owner: node.owner, type: .soa, reason: .soaNotAtApex))
            } else if soa.rdatas.count > 1 {
                problems.append(ZoneProblem(owner: node.owner, type: .soa, reason: .multipleSOA))
            }
        }
        if let cname = node.rrset(.cname) {
            if cname.rdatas.count > 1 {
                problems.append(ZoneProblem(owner: node.owner, type: .cname, reason: .multipleCNAME))
            }
            for rrset in node.rrsets where !cnameCompanions.contains(rrset.type) {
                problems.append(ZoneProblem(owner: node.owner, type: rrset.type, reason: .cnameAndOtherData))
            }
        }
        return problems
    }
}
