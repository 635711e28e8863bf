import DNSWire

/// An RRset: the records of one owner, class and type (RFC 2181 §5), sharing one TTL (§5.2).
///
/// RDATA keep the order they were added in and hold no duplicates (RFC 2181 §5: an RRset is a set),
/// so printing and answering are deterministic without sorting.
public struct RRset: Hashable, Sendable {
    /// The owner name, with the case it was given.
    public var owner: DNSName
    /// The TYPE shared by every RDATA.
    public let type: RRType
    /// The CLASS, the zone's class.
    public var `class`: DNSClass
    /// The one TTL of the RRset, in seconds (RFC 2181 §5.2).
    public var ttl: UInt32
    /// The RDATA in insertion order, free of duplicates.
    public private(set) var rdatas: RDataList

    /// An RRset of `rdatas`, which must all be of `type`; duplicates are dropped.
    public init(owner: DNSName, type: RRType, class: DNSClass = .in, ttl: UInt32, rdatas: some Sequence<RData>) {
        self.owner = owner
        self.type = type
        self.class = `class`
        self.ttl = ttl
        self.rdatas = RDataList()
        for rdata in rdatas where !self.rdatas.contains(rdata) {
            precondition(rdata.type == type, "RDATA of another type in an RRset")
            self.rdatas.append(rdata)
        }
    }

    /// The records, in RDATA order.
    public var records: [ResourceRecord] {
        rdatas.map { ResourceRecord(name: owner, class: `class`, ttl: ttl, rdata: $0) }
    }

    /// True when no RDATA is left (an empty RRset is never stored in a zone).
    public var isEmpty: Bool { rdatas.isEmpty }

    /// Adds `rdata`; false when it is already there.
    public mutating func insert(_ rdata: RData) -> Bool {
        precondition(rdata.type == type, "RDATA of another type in an RRset")
        guard !rdatas.contains(rdata) else { return false }
        rdatas.append(rdata)
        return true
    }

    /// Removes `rdata`; false when it was not there.
    public mutating func remove(_ rdata: RData) -> Bool {
        guard let index = rdatas.firstIndex(of: rdata) else { return false }
        rdatas.remove(at: index)
        return true
    }

    /// The same data under another owner: wildcard synthesis (RFC 4592 §3.3.1) answers with the QNAME.
    public func withOwner(_ newOwner: DNSName) -> RRset {
        var copy = self
        copy.owner = newOwner
        return copy
    }
}

/// All RRsets of one owner name, sorted by type. A node with no RRsets is never stored: an empty
/// non-terminal (RFC 4592 §2.2.2) exists only through the names below it.
public struct ZoneNode: Hashable, Sendable {
    /// The node's owner name.
    public let owner: DNSName
    /// The RRsets at this name, sorted by type code. Most names of a DynDNS zone hold one RRset
    /// (an A), which is kept inline: no allocation, and a lookup touches one cache line less.
    public internal(set) var rrsets: InlineList<RRset>

    init(owner: DNSName, rrsets: InlineList<RRset>) {
        self.owner = owner
        self.rrsets = rrsets
    }

    /// The RRset of `type` at this name.
    public func rrset(_ type: RRType) -> RRset? {
        position(of: type).map { rrsets[$0] }
    }

    /// The position of the RRset of `type` in `rrsets`. Reads the types in place, so that a lookup
    /// copies (and retains) only the RRset it answers with.
    @inline(__always)
    func position(of type: RRType) -> Int? {
        switch rrsets.storage {
        case .none: return nil
        case .one(let rrset): return rrset.type == type ? 0 : nil
        case .many(let array): return array.firstIndex { $0.type == type }
        }
    }

    /// The types present, ascending.
    public var types: [RRType] { rrsets.map(\.type) }

    /// The position of `type` in `rrsets`, or where it would go.
    func typeIndex(_ type: RRType) -> (index: Int, found: Bool) {
        for (index, rrset) in rrsets.enumerated() where rrset.type >= type { return (index, rrset.type == type) }
        return (rrsets.count, false)
    }
}

/// The RDATA of an RRset.
public typealias RDataList = InlineList<RData>

/// A list that holds one element inline and more in an array. Most RRsets of a DynDNS zone hold
/// one record and most lookups answer with one RRset, and a zone holds millions of them, so the
/// single case saves an allocation each.
@frozen
public struct InlineList<Element: Hashable & Sendable>: RandomAccessCollection, Hashable, Sendable,
    ExpressibleByArrayLiteral
{
    @usableFromInline
    enum Storage: Hashable, Sendable {
        case none
        case one(Element)
        case many([Element])
    }

    @usableFromInline var storage: Storage = .none

    @inlinable public init() {}

    @inlinable public init(arrayLiteral elements: Element...) {
        for element in elements { append(element) }
    }

    /// A list of one element.
    @inlinable public init(one element: Element) {
        storage = .one(element)
    }

    @inlinable public init(_ elements: some Sequence<Element>) {
        for element in elements { append(element) }
    }

    @inlinable public var startIndex: Int { 0 }

    @inlinable public var endIndex: Int {
        switch storage {
        case .none: 0
        case .one: 1
        case .many(let array): array.count
        }
    }

    @inlinable public subscript(position: Int) -> Element {
        get {
            switch storage {
            case .none: preconditionFailure("index out of range")
            case .one(let element):
                precondition(position == 0, "index out of range")
                return element
            case .many(let array): return array[position]
            }
        }
        // In place: the storage is taken out while the element is yielded, so no copy is made.
        _modify {
            switch storage {
            case .none: preconditionFailure("index out of range")
            case .one(var element):
                precondition(position == 0, "index out of range")
                storage = .none
                defer { storage = .one(element) }
                yield &element
            case .many(var array):
                storage = .none
                defer { storage = .many(array) }
                yield &array[position]
            }
        }
    }

    /// Inserts `element` at `index`; the list stays in its canonical form.
    @inlinable public mutating func insert(_ element: Element, at index: Int) {
        precondition(index >= 0 && index <= endIndex, "index out of range")
        switch storage {
        case .none: storage = .one(element)
        case .one(let first): storage = .many(index == 0 ? [element, first] : [first, element])
        case .many(var array):
            storage = .none
            array.insert(element, at: index)
            storage = .many(array)
        }
    }

    @inlinable public mutating func append(_ element: Element) {
        switch storage {
        case .none: storage = .one(element)
        case .one(let first): storage = .many([first, element])
        case .many(var array):
            storage = .none
            array.append(element)
            storage = .many(array)
        }
    }

    /// Removes and returns the element at `index`; the list stays in its canonical form (one
    /// element inline).
    @discardableResult
    @inlinable public mutating func remove(at index: Int) -> Element {
        var array = Array(self)
        let removed = array.remove(at: index)
        storage = .none
        for element in array { append(element) }
        return removed
    }
}
