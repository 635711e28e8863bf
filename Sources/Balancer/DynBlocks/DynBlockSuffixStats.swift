import DNSWire
import Determinism

/// Per-suffix counters over one window of the response ring (our counterpart of dnsdist's
/// `StatNode` tree), limited to the depths the visitor looks at plus one level below for counting
/// distinct children. Nodes are found by a case-folded digest of the suffix's wire bytes (probing on
/// the rare collision), so a name is allocated only when its node is created.
struct SuffixStats {
    struct Node {
        var name: DNSName
        var labels: Int
        var parent: Int
        var queries = 0
        var noErrors = 0
        var nxDomains = 0
        var servFails = 0
        var cacheHits = 0
        var bytes: UInt64 = 0
        var children = 0
    }

    let visitor: SuffixMatchVisitor
    private(set) var nodes: [Node] = []
    private var slots = UInt64Map<Int>(minimumCapacity: 256)
    private var offsets: [Int] = []

    init(visitor: SuffixMatchVisitor) {
        self.visitor = visitor
        offsets.reserveCapacity(128)
    }

    mutating func submit(_ qname: DNSName, rcode: RCode, size: UInt32, cacheHit: Bool) {
        offsets.removeAll(keepingCapacity: true)
        qname.withWireBytes { wire in
            var offset = 0
            while wire[offset] != 0 {
                offsets.append(offset)
                offset += 1 + Int(wire[offset])
            }
        }
        let total = offsets.count
        guard total >= visitor.minimumLabels else { return }
        let deepest = min(total, visitor.maximumLabels + 1)
        var parent = -1
        for labels in visitor.minimumLabels...deepest {
            let offset = offsets[total - labels]
            let node = findOrCreate(qname, labels: labels, offset: offset, parent: parent)
            if labels <= visitor.maximumLabels {
                nodes[node].queries += 1
                nodes[node].bytes += UInt64(size)
                if cacheHit { nodes[node].cacheHits += 1 }
                switch rcode {
                case .noError: nodes[node].noErrors += 1
                case .nxDomain: nodes[node].nxDomains += 1
                case .servFail: nodes[node].servFails += 1
                default: break
                }
            }
            parent = node
        }
    }

    private mutating func findOrCreate(_ qname: DNSName, labels: Int, offset: Int, parent: Int) -> Int {
        var key = qname.withWireBytes { suffixDigest($0, from: offset) }
        while let slot = slots[key] {
            let same = qname.withWireBytes { wire in
                nodes[slot].name.withWireBytes { suffixEquals(wire, from: offset, $0) }
            }
            if same { return slot }
            key &+= 1
        }
        let slot = nodes.count
        nodes.append(Node(name: qname.suffix(labelCount: labels), labels: labels, parent: parent))
        slots[key] = slot
        if parent >= 0 { nodes[parent].children += 1 }
        return slot
    }

    /// Whether a node passes every threshold of the visitor over a window of `seconds`.
    func qualifies(_ node: Node, seconds: Int) -> Bool {
        guard node.labels >= visitor.minimumLabels, node.labels <= visitor.maximumLabels, node.queries > 0 else {
            return false
        }
        let queries = Double(node.queries)
        guard queries > visitor.minimumQueryRate * Double(seconds) else { return false }
        guard node.children >= visitor.minimumDistinctChildren else { return false }
        if let ratio = visitor.failureRatio, Double(node.nxDomains + node.servFails) < ratio * queries { return false }
        if let ratio = visitor.maximumCacheHitRatio, Double(node.cacheHits) > ratio * queries { return false }
        if let perChild = visitor.maximumQueriesPerChild {
            guard node.children > 0, queries <= perChild * Double(node.children) else { return false }
        }
        return true
    }

    /// The suffixes to block, lowercased, in canonical order.
    func selected(seconds: Int) -> [DNSName] {
        let qualifying = nodes.map { qualifies($0, seconds: seconds) }
        var chosen: [DNSName] = []
        switch visitor.selection {
        case .deepest:
            var hasQualifyingDescendant = [Bool](repeating: false, count: nodes.count)
            for index in nodes.indices where qualifying[index] {
                var ancestor = nodes[index].parent
                while ancestor >= 0 && !hasQualifyingDescendant[ancestor] {
                    hasQualifyingDescendant[ancestor] = true
                    ancestor = nodes[ancestor].parent
                }
            }
            for index in nodes.indices where qualifying[index] && !hasQualifyingDescendant[index] {
                chosen.append(nodes[index].name.lowercased)
            }
        case .shallowest:
            for index in nodes.indices where qualifying[index] {
                var ancestor = nodes[index].parent
                var covered = false
                while ancestor >= 0 {
                    if qualifying[ancestor] { covered = true; break }
                    ancestor = nodes[ancestor].parent
                }
                if !covered { chosen.append(nodes[index].name.lowercased) }
            }
        }
        return chosen.sorted()
    }
}
