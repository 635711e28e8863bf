import DNSWire
import Determinism

/// A table entry plus whether its expiry has been reported yet.
struct StoredBlock {
    var entry: DynBlockEntry
    var expiryReported = false
}

/// The proposed entry of one insertion.
struct BlockProposal {
    var reason: String
    var action: DynBlockAction
    var until: Instant
    var warning: Bool
    var group: String?
}

/// dnsdist's `addOrRefreshBlock`/`addOrRefreshBlockSMT` decision, shared by both tables. Returns the
/// event kind, or nil when the table is left as it was.
func refreshDecision(existing: DynBlockEntry?, proposal: BlockProposal, now: Instant) -> (DynBlockEvent.Kind, UInt64)? {
    guard let existing else { return (.inserted, 0) }
    var wasWarning = false
    if proposal.warning && !existing.warning {
        // A warning never overrides a real block (even an expired one not purged yet, as in dnsdist).
        return nil
    } else if !proposal.warning && existing.warning {
        wasWarning = true
    } else if proposal.until < existing.until {
        // The existing entry lasts longer.
        return nil
    }
    guard now < existing.until else { return (.inserted, 0) }
    return (wasWarning ? .upgradedFromWarning : .refreshed, existing.blockedQueries)
}

/// Client blocks (dnsdist's NMG): a hash table per masked key, probed once per distinct mask shape
/// present, most specific shape first, so a lookup finds the most specific entry as dnsdist's
/// `NetmaskTree` does.
struct ClientBlockTable {
    struct Shape: Equatable {
        var v6: Bool
        var prefixLength: UInt8
        var portBits: UInt8
        var count: Int

        var specificity: Int { Int(prefixLength) + Int(portBits) }
    }

    private(set) var blocks: [StoredBlock] = []
    /// IPv4 keys packed into one word (no hashing of the full key); IPv6 keys by the standard hasher.
    private var v4Index = UInt64Map<Int>()
    private var v6Index: [ClientKey: Int] = [:]
    private var shapes: [Shape] = []

    var isEmpty: Bool { blocks.isEmpty }
    var count: Int { blocks.count }

    /// The slot of the most specific entry covering this client, expired or not.
    @inline(__always)
    func lookup(_ address: IPAddress, port: UInt16) -> Int? {
        switch address {
        case .v4(let v4):
            for shape in shapes where !shape.v6 {
                let prefix = Int(shape.prefixLength)
                let mask: UInt32 = prefix == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefix)
                let bits = prefix == 32 ? Int(shape.portBits) : 0
                let range = bits == 0 ? 0 : port >> UInt16(16 - bits)
                let packed = Self.pack(v4.value & mask, prefix: shape.prefixLength, portBits: UInt8(bits), portRange: range)
                if let slot = v4Index[packed] { return slot }
            }
        case .v6:
            for shape in shapes where shape.v6 {
                let key = ClientKey(address: address, v6Mask: Int(shape.prefixLength))
                if let slot = v6Index[key] { return slot }
            }
        }
        return nil
    }

    /// An IPv4 key in one word: address, prefix length, port bits and port range (59 bits).
    @inline(__always)
    static func pack(_ address: UInt32, prefix: UInt8, portBits: UInt8, portRange: UInt16) -> UInt64 {
        UInt64(address) << 32 | UInt64(portRange) << 16 | UInt64(portBits) << 8 | UInt64(prefix)
    }

    private static func pack(_ key: ClientKey) -> UInt64? {
        guard case .v4(let address) = key.address else { return nil }
        return pack(address.value, prefix: key.prefixLength, portBits: key.portBits, portRange: key.portRange)
    }

    func slot(of key: ClientKey) -> Int? {
        if let packed = Self.pack(key) { return v4Index[packed] }
        return v6Index[key]
    }

    private mutating func setSlot(_ slot: Int, for key: ClientKey) {
        if let packed = Self.pack(key) { v4Index[packed] = slot } else { v6Index[key] = slot }
    }

    mutating func recordHit(at slot: Int) { blocks[slot].entry.blockedQueries += 1 }

    /// Inserts or refreshes `key`; returns the event when the table changed.
    mutating func addOrRefresh(_ key: ClientKey, _ proposal: BlockProposal, now: Instant) -> DynBlockEvent? {
        let slot = slot(of: key)
        let existing = slot.map { blocks[$0].entry }
        guard let (kind, carried) = refreshDecision(existing: existing, proposal: proposal, now: now) else { return nil }
        let entry = DynBlockEntry(
            key: .client(key), reason: proposal.reason, action: proposal.action, until: proposal.until,
            warning: proposal.warning, blockedQueries: carried, group: proposal.group
        )
        if let slot {
            blocks[slot] = StoredBlock(entry: entry)
        } else {
            setSlot(blocks.count, for: key)
            blocks.append(StoredBlock(entry: entry))
            addShape(of: key)
        }
        return DynBlockEvent(
            kind: kind, at: now, key: .client(key), reason: proposal.reason, action: proposal.action,
            until: proposal.until, warning: proposal.warning, group: proposal.group
        )
    }

    mutating func markExpiryReported(at slot: Int) { blocks[slot].expiryReported = true }

    /// Removes every entry with `until ≤ now`.
    mutating func purge(now: Instant) {
        guard blocks.contains(where: { !(now < $0.entry.until) }) else { return }
        let kept = blocks.filter { now < $0.entry.until }
        removeAll()
        for block in kept {
            guard case .client(let key) = block.entry.key else { continue }
            setSlot(blocks.count, for: key)
            blocks.append(block)
            addShape(of: key)
        }
    }

    mutating func removeAll() {
        blocks.removeAll()
        v4Index.removeAll()
        v6Index.removeAll()
        shapes.removeAll()
    }

    private mutating func addShape(of key: ClientKey) {
        let v6: Bool
        switch key.address {
        case .v4: v6 = false
        case .v6: v6 = true
        }
        if let existing = shapes.firstIndex(where: {
            $0.v6 == v6 && $0.prefixLength == key.prefixLength && $0.portBits == key.portBits
        }) {
            shapes[existing].count += 1
            return
        }
        let shape = Shape(v6: v6, prefixLength: key.prefixLength, portBits: key.portBits, count: 1)
        let position = shapes.firstIndex { $0.specificity < shape.specificity } ?? shapes.endIndex
        shapes.insert(shape, at: position)
    }
}

/// Suffix blocks (dnsdist's SMT). Entries are found by a case-folded digest of each suffix of the
/// qname, computed in place over the name's wire bytes, so a lookup allocates nothing; only suffix
/// lengths that some entry has are probed, and the first hit from the left is the most specific.
struct SuffixBlockTable {
    private(set) var blocks: [StoredBlock] = []
    private var names: [DNSName] = []
    private var firstByDigest = UInt64Map<Int>()
    private var nextWithDigest: [Int] = []
    /// Entries per label count (0...127).
    private var perLabelCount = [Int](repeating: 0, count: 128)

    var isEmpty: Bool { blocks.isEmpty }
    var count: Int { blocks.count }

    /// The slot of the most specific entry covering `qname`, expired or not.
    func lookup(_ qname: DNSName) -> Int? {
        qname.withWireBytes { lookup(wire: $0) }
    }

    /// `lookup` on a qname's wire octets wherever they are kept.
    func lookup(wire: UnsafeBufferPointer<UInt8>) -> Int? {
        var total = 0
        var offset = 0
        while wire[offset] != 0 {
            total += 1
            offset += 1 + Int(wire[offset])
        }
        offset = 0
        var remaining = total
        while true {
            if perLabelCount[remaining] > 0, let slot = find(wire, from: offset) { return slot }
            if remaining == 0 { return nil }
            offset += 1 + Int(wire[offset])
            remaining -= 1
        }
    }

    func slot(of name: DNSName) -> Int? {
        name.withWireBytes { find($0, from: 0) }
    }

    private func find(_ wire: UnsafeBufferPointer<UInt8>, from offset: Int) -> Int? {
        var slot = firstByDigest[suffixDigest(wire, from: offset)] ?? -1
        while slot >= 0 {
            if names[slot].withWireBytes({ suffixEquals(wire, from: offset, $0) }) { return slot }
            slot = nextWithDigest[slot]
        }
        return nil
    }

    mutating func recordHit(at slot: Int) { blocks[slot].entry.blockedQueries += 1 }

    mutating func markExpiryReported(at slot: Int) { blocks[slot].expiryReported = true }

    /// Inserts or refreshes the block for `name` (stored lowercased, as dnsdist does).
    mutating func addOrRefresh(_ name: DNSName, _ proposal: BlockProposal, now: Instant) -> DynBlockEvent? {
        let name = name.lowercased
        let slot = slot(of: name)
        let existing = slot.map { blocks[$0].entry }
        guard let (kind, carried) = refreshDecision(existing: existing, proposal: proposal, now: now) else { return nil }
        let entry = DynBlockEntry(
            key: .suffix(name), reason: proposal.reason, action: proposal.action, until: proposal.until,
            warning: proposal.warning, blockedQueries: carried, group: proposal.group
        )
        if let slot {
            blocks[slot] = StoredBlock(entry: entry)
        } else {
            append(StoredBlock(entry: entry), name: name)
        }
        return DynBlockEvent(
            kind: kind, at: now, key: .suffix(name), reason: proposal.reason, action: proposal.action,
            until: proposal.until, warning: proposal.warning, group: proposal.group
        )
    }

    mutating func purge(now: Instant) {
        guard blocks.contains(where: { !(now < $0.entry.until) }) else { return }
        let kept = zip(blocks, names).filter { now < $0.0.entry.until }
        removeAll()
        for (block, name) in kept { append(block, name: name) }
    }

    mutating func removeAll() {
        blocks.removeAll()
        names.removeAll()
        nextWithDigest.removeAll()
        firstByDigest.removeAll()
        perLabelCount = [Int](repeating: 0, count: 128)
    }

    private mutating func append(_ block: StoredBlock, name: DNSName) {
        let digest = name.withWireBytes { suffixDigest($0, from: 0) }
        nextWithDigest.append(firstByDigest[digest] ?? -1)
        firstByDigest[digest] = blocks.count
        blocks.append(block)
        names.append(name)
        perLabelCount[name.labelCount] += 1
    }
}

@inline(__always)
func foldCase(_ byte: UInt8) -> UInt8 {
    byte &- 0x41 < 26 ? byte | 0x20 : byte
}

/// FNV-1a over the case-folded wire bytes from `offset` to the end of the name.
@inline(__always)
func suffixDigest(_ wire: UnsafeBufferPointer<UInt8>, from offset: Int) -> UInt64 {
    var state: UInt64 = 0xCBF2_9CE4_8422_2325
    var index = offset
    while index < wire.count {
        state = (state ^ UInt64(foldCase(wire[index]))) &* 0x0000_0100_0000_01B3
        index += 1
    }
    return state ^ (state >> 29)
}

/// True when the wire bytes from `offset` equal `other` case-insensitively.
@inline(__always)
func suffixEquals(_ wire: UnsafeBufferPointer<UInt8>, from offset: Int, _ other: UnsafeBufferPointer<UInt8>) -> Bool {
    guard wire.count - offset == other.count else { return false }
    for index in 0..<other.count where wire[offset + index] != other[index] {
        if foldCase(wire[offset + index]) != foldCase(other[index]) { return false }
    }
    return true
}
