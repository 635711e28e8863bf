import DNSWire

/// What one zone holds for a QNAME and QTYPE: step 3 of the algorithm of RFC 1034 §4.3.2 inside a
/// zone, with wildcards per RFC 4592. `ZoneSet.answer` turns a chain of these into a response.
public enum ZoneMatch: Hashable, Sendable {
    /// RRsets answering the question (owners rewritten to the QNAME when synthesized from a wildcard).
    case answer(InlineList<RRset>, wildcard: Bool)
    /// A CNAME at the QNAME (or synthesized from a wildcard) that the resolver follows (step 3a).
    case cname(RRset, wildcard: Bool)
    /// The QNAME is at or below a zone cut: the NS RRset of the cut (step 3b).
    case referral(RRset)
    /// The name exists (possibly as an empty non-terminal) but has no data of the type (RFC 2308 §2.2).
    case noData
    /// The name does not exist and no wildcard covers it (RFC 2308 §2.1, step 3c).
    case nxDomain
}

/// How to answer QTYPE ANY.
public enum AnyQueryPolicy: Hashable, Sendable {
    /// Every RRset at the name (RFC 1034 §3.7.1, §4.3.2): the classic behaviour.
    case allRRsets
    /// One RRset, the one with the lowest type code (RFC 8482 §4.1): the default, since a full
    /// answer is an amplification tool and RFC 8482 lets an authority answer with a subset.
    case minimal
}

extension Zone {
    /// Matches `name` (which must be at or below the origin) against this zone's data.
    ///
    /// Walking down from the apex: a cut on the way is a referral, except that DS at the cut itself is
    /// parent-side data answered here (RFC 4035 §3.1.4.1). The deepest existing name on the way is the
    /// closest encloser (RFC 4592 §3.3.1); a name that exists only as an empty non-terminal blocks
    /// wildcard synthesis and answers NODATA (RFC 4592 §2.2.2).
    public func match(_ name: DNSName, type: RRType, anyPolicy: AnyQueryPolicy = .minimal) -> ZoneMatch {
        assert(name.isSubdomain(of: origin), "match outside the zone")
        let apexLabels = originLabelCount
        let total = name.labelCount
        var encloserLabels = apexLabels
        // The node of the deepest ancestor found on the way down (the QNAME's own node when it exists).
        var deepestFound: Int?
        // Read before the nodes are: an opaque call between reads of a node makes the compiler copy it.
        let nsType = RRType.ns
        let dsWanted = type == .ds
        if total > apexLabels {
            for count in (apexLabels + 1)...total {
                // The QNAME itself is searched as given: no suffix copy on the common path.
                let (index, found) = count == total ? searchIndex(name) : searchIndex(name.suffix(labelCount: count))
                if found {
                    if let ns = nodes[index].position(of: nsType), !(count == total && dsWanted) {
                        return .referral(nodes[index].rrsets[ns])
                    }
                    deepestFound = count == total ? index : nil
                } else if !nodeIsBelow(index, suffixOf: name, labelCount: count, total: total) {
                    break
                }
                encloserLabels = count
            }
        }
        if encloserLabels == total {
            if let index = deepestFound { return answer(at: index, type: type, owner: nil, anyPolicy: anyPolicy) }
            let (index, found) = searchIndex(name)
            guard found else { return .noData }
            return answer(at: index, type: type, owner: nil, anyPolicy: anyPolicy)
        }
        return wildcardMatch(name, encloser: name.suffix(labelCount: encloserLabels), type: type, anyPolicy: anyPolicy)
    }

    /// True when the node at `index` lies at or below the suffix of `name` with `count` of its `total`
    /// labels: that suffix is an empty non-terminal (RFC 4592 §2.2.2).
    private func nodeIsBelow(_ index: Int, suffixOf name: DNSName, labelCount count: Int, total: Int) -> Bool {
        guard index < nodes.count else { return false }
        if count == total { return nodes[index].owner.isSubdomain(of: name) }
        return nodes[index].owner.isSubdomain(of: name.suffix(labelCount: count))
    }

    /// RFC 4592 §3.3.1: the source of synthesis is `*.<closest encloser>`.
    private func wildcardMatch(
        _ name: DNSName, encloser: DNSName, type: RRType, anyPolicy: AnyQueryPolicy
    ) -> ZoneMatch {
        guard let source = try? encloser.prepending([UInt8(ascii: "*")]) else { return .nxDomain }
        let (index, found) = searchIndex(source)
        if found { return answer(at: index, type: type, owner: name, anyPolicy: anyPolicy) }
        // A wildcard that exists only as an empty non-terminal synthesizes nothing: NODATA.
        return nameExists(source) ? .noData : .nxDomain
    }

    /// RFC 1034 §4.3.2 step 3a at the node at `index`; `owner` rewrites synthesized RRsets (RFC 4592
    /// §3.3.1). The node is read in place: only the RRset answered is copied.
    private func answer(at index: Int, type: RRType, owner: DNSName?, anyPolicy: AnyQueryPolicy) -> ZoneMatch {
        // Read before the node is (see `match`).
        let anyType = RRType.any
        let cnameType = RRType.cname
        if type == anyType { return anyAnswer(at: index, owner: owner, anyPolicy: anyPolicy) }
        // Each RRset goes straight into the result (a local variable in between is one more copy).
        if let position = nodes[index].position(of: type) {
            guard let owner else { return .answer(InlineList(one: nodes[index].rrsets[position]), wildcard: false) }
            return .answer(InlineList(one: nodes[index].rrsets[position].withOwner(owner)), wildcard: true)
        }
        if let position = nodes[index].position(of: cnameType) {
            guard let owner else { return .cname(nodes[index].rrsets[position], wildcard: false) }
            return .cname(nodes[index].rrsets[position].withOwner(owner), wildcard: true)
        }
        return .noData
    }

    /// QTYPE ANY at the node at `index` (RFC 8482 §4.1 or RFC 1034 §3.7.1, per `anyPolicy`).
    private func anyAnswer(at index: Int, owner: DNSName?, anyPolicy: AnyQueryPolicy) -> ZoneMatch {
        let rrsets = nodes[index].rrsets
        guard let first = rrsets.first else { return .noData }
        let chosen = anyPolicy == .allRRsets ? rrsets : InlineList(one: first)
        guard let owner else { return .answer(chosen, wildcard: false) }
        return .answer(InlineList(chosen.map { $0.withOwner(owner) }), wildcard: true)
    }

    /// The negative-answer SOA for the authority section: TTL = min(SOA TTL, SOA MINIMUM) (RFC 2308 §3).
    public var negativeSOA: RRset? {
        guard let rrset = soaRRset, let soa else { return nil }
        var negative = rrset
        negative.ttl = min(rrset.ttl, soa.minimum)
        return negative
    }

    /// Address RRsets (A, AAAA) of `name` in this zone, authoritative or glue.
    func addressRRsets(of name: DNSName) -> [RRset] {
        guard let node = node(at: name) else { return [] }
        return [node.rrset(.a), node.rrset(.aaaa)].compactMap { $0 }
    }
}
