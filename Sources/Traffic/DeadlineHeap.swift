/// A binary min-heap of deadlines ordered by (instant, sequence number): ties go to the order of
/// insertion, so the order of work never depends on anything but the inputs (STYLE.md §4.5).
struct DeadlineHeap<Payload: Sendable>: Sendable {
    struct Entry: Sendable {
        var at: UInt64
        var sequence: UInt64
        var payload: Payload
    }

    private var entries: [Entry] = []
    private var nextSequence: UInt64 = 0

    init(minimumCapacity: Int = 0) { entries.reserveCapacity(minimumCapacity) }

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    /// The earliest instant, if any.
    var first: UInt64? { entries.first?.at }

    mutating func insert(at: UInt64, _ payload: Payload) {
        entries.append(Entry(at: at, sequence: nextSequence, payload: payload))
        nextSequence &+= 1
        siftUp(entries.count - 1)
    }

    /// Removes and returns the earliest entry when it is due at `now` or before.
    mutating func popDue(now: UInt64) -> Entry? {
        guard let head = entries.first, head.at <= now else { return nil }
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            siftDown(0)
        }
        return head
    }

    private static func precedes(_ left: Entry, _ right: Entry) -> Bool {
        left.at != right.at ? left.at < right.at : left.sequence < right.sequence
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.precedes(entries[child], entries[parent]) else { return }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < entries.count else { return }
            var smallest = left
            if left + 1 < entries.count && Self.precedes(entries[left + 1], entries[left]) { smallest = left + 1 }
            guard Self.precedes(entries[smallest], entries[parent]) else { return }
            entries.swapAt(smallest, parent)
            parent = smallest
        }
    }
}
