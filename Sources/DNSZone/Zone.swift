import DNSWire

/// The data of one zone: its origin and the RRsets below it, held in canonical name order.
///
/// Nodes are an array sorted by owner in the canonical order of RFC 4034 §6.1 and RRsets inside a
/// node are sorted by type, so iteration, printing and transfers are deterministic (STYLE.md §4.3)
/// and a name's subtree is a contiguous run starting at the name. Exact lookups go through a hash
/// index of owner -> position (kept in step with the array); ordered questions (the insertion point,
/// empty non-terminals) are binary searches.
/// A zone accepts only data at or below its origin, in its class; structural rules (one SOA, apex NS,
/// CNAME alone) are checked by `validate()` so that a zone can be built record by record.
public struct Zone: Hashable, Sendable {
    /// The apex: the name of the zone.
    public let origin: DNSName
    /// The zone's class; every record has it.
    public let `class`: DNSClass
    /// The nodes with data, in canonical order of owner (RFC 4034 §6.1).
    public private(set) var nodes: [ZoneNode]
    /// Position of each owner in `nodes`: only looked up, never iterated (STYLE.md §4.3).
    private var positions = NameIndex()
    /// The origin's label count, used by every lookup.
    let originLabelCount: Int

    /// An empty zone.
    public init(origin: DNSName, class: DNSClass = .in) {
        self.origin = origin
        self.class = `class`
        self.nodes = []
        originLabelCount = origin.labelCount
    }

    public static func == (lhs: Zone, rhs: Zone) -> Bool {
        lhs.origin == rhs.origin && lhs.class == rhs.class && lhs.nodes == rhs.nodes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(origin)
        hasher.combine(self.class)
        hasher.combine(nodes)
    }

    /// The position the name index gives for `name` (no binary-search fallback): for tests.
    func indexedPosition(of name: DNSName) -> Int? { positions.find(name, digest: name.foldedDigest, nodes: nodes) }

    /// Inserts a node at `index` and shifts the positions after it.
    private mutating func insertNode(_ node: ZoneNode, at index: Int) {
        nodes.insert(node, at: index)
        // From the end down, so that no two entries ever hold the same position during the shift.
        for later in stride(from: nodes.count - 1, to: index, by: -1) {
            positions.move(digest: nodes[later].owner.foldedDigest, from: later - 1, to: later)
        }
        positions.insert(digest: node.owner.foldedDigest, position: index)
    }

    /// Removes the node at `index` and shifts the positions after it.
    private mutating func removeNode(at index: Int) {
        let removed = nodes.remove(at: index)
        positions.remove(digest: removed.owner.foldedDigest, position: index)
        for later in index..<nodes.count {
            positions.move(digest: nodes[later].owner.foldedDigest, from: later + 1, to: later)
        }
    }

    /// A zone holding `records`; duplicates are dropped and a differing TTL takes the RRset's first.
    public init(origin: DNSName, class: DNSClass = .in, records: [ResourceRecord]) throws(ZoneError) {
        self.init(origin: origin, class: `class`)
        for index in Self.canonicalOrder(records) { _ = try add(records[index]) }
    }

    /// Indices of `records` sorted by owner (canonical order), type, then position: adding records
    /// in this order appends to the node array instead of inserting, so a bulk load is O(n log n).
    /// Ties keep their position, so "the first TTL wins" still means the first in the input.
    public static func canonicalOrder(_ records: [ResourceRecord]) -> [Int] {
        records.indices.sorted { left, right in
            let order = DNSName.canonicalCompare(records[left].name, records[right].name)
            if order != 0 { return order < 0 }
            if records[left].type != records[right].type { return records[left].type < records[right].type }
            return left < right
        }
    }

    /// What `add` did with a record.
    public enum AddOutcome: Hashable, Sendable {
        case added
        /// The RRset already held this RDATA (RFC 2181 §5).
        case duplicate
        /// The record's TTL differed from its RRset's; the RRset keeps `kept` (RFC 2181 §5.2).
        case ttlMismatch(kept: UInt32)
    }

    /// Adds one record to its RRset.
    public mutating func add(_ record: ResourceRecord) throws(ZoneError) -> AddOutcome {
        try check(owner: record.name, class: record.class, rdata: record.rdata)
        let (nodeIndex, nodeFound) = searchIndex(record.name)
        guard nodeFound else {
            let rrset = RRset(owner: record.name, type: record.type, class: record.class, ttl: record.ttl,
                              rdatas: [record.rdata])
            assert(nodeIndex == 0 || nodes[nodeIndex - 1].owner < record.name, "node order broken")
            insertNode(ZoneNode(owner: record.name, rrsets: [rrset]), at: nodeIndex)
            return .added
        }
        let (typeIndex, typeFound) = nodes[nodeIndex].typeIndex(record.type)
        guard typeFound else {
            let rrset = RRset(owner: nodes[nodeIndex].owner, type: record.type, class: record.class,
                              ttl: record.ttl, rdatas: [record.rdata])
            nodes[nodeIndex].rrsets.insert(rrset, at: typeIndex)
            return .added
        }
        guard nodes[nodeIndex].rrsets[typeIndex].insert(record.rdata) else { return .duplicate }
        let kept = nodes[nodeIndex].rrsets[typeIndex].ttl
        return kept == record.ttl ? .added : .ttlMismatch(kept: kept)
    }

    /// Replaces (or creates) the RRset at its owner and type; an empty RRset removes it.
    public mutating func setRRset(_ rrset: RRset) throws(ZoneError) {
        for rdata in rrset.rdatas { try check(owner: rrset.owner, class: rrset.class, rdata: rdata) }
        _ = removeRRset(owner: rrset.owner, type: rrset.type)
        guard !rrset.isEmpty else { return }
        let (nodeIndex, nodeFound) = searchIndex(rrset.owner)
        if !nodeFound { insertNode(ZoneNode(owner: rrset.owner, rrsets: []), at: nodeIndex) }
        let (typeIndex, _) = nodes[nodeIndex].typeIndex(rrset.type)
        nodes[nodeIndex].rrsets.insert(rrset, at: typeIndex)
    }

    /// Removes and returns the RRset at `owner` and `type`; a node left empty is removed too.
    public mutating func removeRRset(owner: DNSName, type: RRType) -> RRset? {
        let (nodeIndex, nodeFound) = searchIndex(owner)
        guard nodeFound else { return nil }
        let (typeIndex, typeFound) = nodes[nodeIndex].typeIndex(type)
        guard typeFound else { return nil }
        let removed = nodes[nodeIndex].rrsets.remove(at: typeIndex)
        if nodes[nodeIndex].rrsets.isEmpty { removeNode(at: nodeIndex) }
        return removed
    }

    /// Removes one record; false when it was not in the zone. An emptied RRset or node goes too.
    public mutating func remove(_ record: ResourceRecord) -> Bool {
        let (nodeIndex, nodeFound) = searchIndex(record.name)
        guard nodeFound else { return false }
        let (typeIndex, typeFound) = nodes[nodeIndex].typeIndex(record.type)
        guard typeFound, nodes[nodeIndex].rrsets[typeIndex].remove(record.rdata) else { return false }
        if nodes[nodeIndex].rrsets[typeIndex].isEmpty { nodes[nodeIndex].rrsets.remove(at: typeIndex) }
        if nodes[nodeIndex].rrsets.isEmpty { removeNode(at: nodeIndex) }
        return true
    }

    /// Replaces one record of an RRset by another of the same owner and type in place, the RRset
    /// taking `new`'s TTL: what an update of one address does, without emptying (and so removing
    /// and re-inserting) the node. False, with the zone unchanged, when `old` is not in the zone or
    /// `new` is already there.
    public mutating func replaceRecord(_ old: ResourceRecord, with new: ResourceRecord) throws(ZoneError) -> Bool {
        precondition(old.name == new.name && old.type == new.type, "a record is replaced by one of its RRset")
        try check(owner: new.name, class: new.class, rdata: new.rdata)
        let (nodeIndex, nodeFound) = searchIndex(old.name)
        guard nodeFound else { return false }
        let (typeIndex, typeFound) = nodes[nodeIndex].typeIndex(old.type)
        guard typeFound, nodes[nodeIndex].rrsets[typeIndex].rdatas.contains(old.rdata),
              !nodes[nodeIndex].rrsets[typeIndex].rdatas.contains(new.rdata)
        else { return false }
        _ = nodes[nodeIndex].rrsets[typeIndex].remove(old.rdata)
        _ = nodes[nodeIndex].rrsets[typeIndex].insert(new.rdata)
        nodes[nodeIndex].rrsets[typeIndex].ttl = new.ttl
        return true
    }

    private func check(owner: DNSName, class rrClass: DNSClass, rdata: RData) throws(ZoneError) {
        guard owner.isSubdomain(of: origin) else { throw ZoneError.outOfZone(owner) }
        guard rrClass == `class` else { throw ZoneError.classMismatch(rrClass) }
        guard !rdata.type.isMetaType else { throw ZoneError.metaType(rdata.type) }
        if case .empty(let type) = rdata { throw ZoneError.emptyRData(type) }
    }
}

extension Zone {
    /// The node at exactly `name`.
    public func node(at name: DNSName) -> ZoneNode? {
        let (index, found) = searchIndex(name)
        return found ? nodes[index] : nil
    }

    /// The RRset at exactly `name` of `type`.
    public func rrset(at name: DNSName, type: RRType) -> RRset? { node(at: name)?.rrset(type) }

    /// True when `name` owns data or has a descendant that does (an empty non-terminal exists too,
    /// RFC 4592 §2.2.2).
    public func nameExists(_ name: DNSName) -> Bool {
        let (index, found) = searchIndex(name)
        return found || (index < nodes.count && nodes[index].owner.isSubdomain(of: name))
    }

    /// The SOA RRset at the apex.
    public var soaRRset: RRset? { rrset(at: origin, type: .soa) }

    /// The SOA RDATA at the apex.
    public var soa: SOA? {
        guard case .soa(let soa)? = soaRRset?.rdatas.first else { return nil }
        return soa
    }

    /// Every RRset in canonical owner order, then type order.
    public var rrsets: [RRset] { nodes.flatMap(\.rrsets) }

    /// Every record in canonical order.
    public var records: [ResourceRecord] { nodes.flatMap { $0.rrsets.flatMap(\.records) } }

    /// The number of records (RDATA) in the zone.
    public var recordCount: Int { nodes.reduce(0) { $0 + $1.rrsets.reduce(0) { $0 + $1.rdatas.count } } }

    /// The delegation whose cut is at or above `name` (strictly below the apex): the NS RRset of the
    /// highest such cut, or nil when `name` is authoritative data of this zone (RFC 1034 §4.2.1).
    public func delegation(covering name: DNSName) -> RRset? {
        let apexLabels = origin.labelCount
        let total = name.labelCount
        guard name.isSubdomain(of: origin), total > apexLabels else { return nil }
        for count in (apexLabels + 1)...total {
            if let ns = rrset(at: name.suffix(labelCount: count), type: .ns) { return ns }
        }
        return nil
    }

    /// Binary search in canonical order: the index of `name`, or where it would be inserted.
    func searchIndex(_ name: DNSName) -> (index: Int, found: Bool) {
        if let position = positions.find(name, digest: name.foldedDigest, nodes: nodes) { return (position, true) }
        var low = 0
        var high = nodes.count
        while low < high {
            let middle = (low + high) / 2
            let order = DNSName.canonicalCompare(nodes[middle].owner, name)
            if order == 0 { return (middle, true) }
            if order < 0 { low = middle + 1 } else { high = middle }
        }
        return (low, false)
    }
}

/// Why a record cannot be part of a zone. The caller (a zone file, an update) is at fault.
public enum ZoneError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The owner is not at or below the origin (RFC 1034 §4.2.1: a zone holds one subtree).
    case outOfZone(DNSName)
    /// The record's class differs from the zone's.
    case classMismatch(DNSClass)
    /// OPT, TSIG, ANY, AXFR and other meta-types are never stored (RFC 6895 §3.1).
    case metaType(RRType)
    /// Zero-length RDATA of a typed RR is an UPDATE form only (RFC 2136 §2.5).
    case emptyRData(RRType)

    /// The reason, in words.
    public var description: String {
        switch self {
        case .outOfZone(let name): "\(name) is outside the zone"
        case .classMismatch(let rrClass): "class \(rrClass) differs from the zone's class"
        case .metaType(let type): "type \(type) cannot be stored in a zone"
        case .emptyRData(let type): "empty RDATA for \(type) is only valid in UPDATE"
        }
    }
}
