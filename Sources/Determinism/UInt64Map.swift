/// A hash map from `UInt64` keys, by open addressing with linear probing and a fixed
/// multiplicative hash: no per-process seed (so even its layout is the same in every run) and no
/// SipHash cost on hot paths such as outstanding-query tables. It offers no iteration: callers
/// that need order keep it themselves (STYLE.md §4.3).
@frozen
public struct UInt64Map<Value> {
    @usableFromInline var keys: [UInt64]
    @usableFromInline var values: [Value?]
    @usableFromInline var used: [Bool]
    @usableFromInline var stored = 0
    /// Entries in the map.
    @inlinable public var count: Int { stored }
    @usableFromInline var mask: Int

    @inlinable
    public init(minimumCapacity: Int = 16) {
        var capacity = 16
        while capacity < minimumCapacity * 2 { capacity <<= 1 }
        keys = [UInt64](repeating: 0, count: capacity)
        values = [Value?](repeating: nil, count: capacity)
        used = [Bool](repeating: false, count: capacity)
        mask = capacity - 1
    }

    @inlinable public var isEmpty: Bool { count == 0 }

    @inlinable @inline(__always)
    func home(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// The slot holding `key`, or nil.
    @inlinable @inline(__always)
    func find(_ key: UInt64) -> Int? {
        var slot = home(key)
        while used[slot] {
            if keys[slot] == key { return slot }
            slot = (slot + 1) & mask
        }
        return nil
    }

    @inlinable
    public subscript(key: UInt64) -> Value? {
        get {
            guard let slot = find(key) else { return nil }
            return values[slot]
        }
        set {
            if let newValue {
                insert(key, newValue)
            } else {
                _ = removeValue(forKey: key)
            }
        }
    }

    @inlinable
    mutating func insert(_ key: UInt64, _ value: Value) {
        if let slot = find(key) {
            values[slot] = value
            return
        }
        if (stored + 1) * 4 > keys.count * 3 { grow() }
        var slot = home(key)
        while used[slot] { slot = (slot + 1) & mask }
        used[slot] = true
        keys[slot] = key
        values[slot] = value
        stored += 1
    }

    /// Removes `key` by backward-shift deletion, so no tombstones accumulate.
    @inlinable @discardableResult
    public mutating func removeValue(forKey key: UInt64) -> Value? {
        guard var hole = find(key) else { return nil }
        let removed = values[hole]
        var next = (hole + 1) & mask
        while used[next] {
            let ideal = home(keys[next])
            // Move the entry back into the hole when the hole lies on its probe path.
            if (next - ideal) & mask >= (next - hole) & mask {
                keys[hole] = keys[next]
                values[hole] = values[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        used[hole] = false
        values[hole] = nil
        stored -= 1
        return removed
    }

    @inlinable
    public mutating func removeAll() {
        for index in used.indices where used[index] {
            used[index] = false
            values[index] = nil
        }
        stored = 0
    }

    @inlinable
    mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        let oldUsed = used
        let capacity = keys.count * 2
        keys = [UInt64](repeating: 0, count: capacity)
        values = [Value?](repeating: nil, count: capacity)
        used = [Bool](repeating: false, count: capacity)
        mask = capacity - 1
        stored = 0
        for index in oldUsed.indices where oldUsed[index] {
            if let value = oldValues[index] { insert(oldKeys[index], value) }
        }
    }
}

extension UInt64Map: Sendable where Value: Sendable {}
