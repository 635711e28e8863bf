import Determinism

/// What a scheduled event does. Kept small (a tag and two 32-bit operands plus a 64-bit one) so the
/// heap moves little memory; payloads live in host-owned tables indexed by these operands.
public enum SimEvent: Sendable, Equatable {
    /// A packet from the in-flight table reaches its destination node.
    case deliver(slot: UInt32)
    /// A machine's timer; `incarnation` discards timers armed before a crash.
    case timer(node: UInt32, incarnation: UInt32, token: UInt64)
    /// A core of `node` becomes free and the next queued input may start.
    case coreFree(node: UInt32, incarnation: UInt32)
    /// Fault `index` of the schedule starts (or, with `ending`, ends).
    case fault(index: UInt32, ending: Bool)
    /// A TCP connection event (see `TCPModel`).
    case tcp(connection: UInt32, step: UInt32)
    /// A node that joins the running cluster starts (see `NodeConfig.startsAt`).
    case start(node: UInt32)
    /// The end of the run.
    case stop
}

/// A min-heap of events ordered by (instant, sequence): ties go to insertion order, never to
/// identity or hash (STYLE.md §4.5).
public struct EventQueue: Sendable {
    struct Entry: Sendable {
        var at: UInt64
        var sequence: UInt64
        var event: SimEvent
    }

    private var heap: [Entry] = []
    private var nextSequence: UInt64 = 0

    public init(capacity: Int = 1024) { heap.reserveCapacity(capacity) }

    public var count: Int { heap.count }
    public var isEmpty: Bool { heap.isEmpty }
    /// The instant of the earliest event.
    public var nextInstant: Instant? { heap.first.map { Instant(nanoseconds: $0.at) } }

    public mutating func schedule(_ event: SimEvent, at instant: Instant) {
        heap.append(Entry(at: instant.nanoseconds, sequence: nextSequence, event: event))
        nextSequence &+= 1
        siftUp(heap.count - 1)
    }

    /// Removes and returns the earliest event.
    public mutating func pop() -> (Instant, SimEvent)? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
        return (Instant(nanoseconds: first.at), first.event)
    }

    @inline(__always)
    private func less(_ a: Entry, _ b: Entry) -> Bool {
        a.at < b.at || (a.at == b.at && a.sequence < b.sequence)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        let entry = heap[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(entry, heap[parent]) else { break }
            heap[child] = heap[parent]
            child = parent
        }
        heap[child] = entry
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let entry = heap[parent]
        let count = heap.count
        while true {
            var child = 2 * parent + 1
            guard child < count else { break }
            if child + 1 < count && less(heap[child + 1], heap[child]) { child += 1 }
            guard less(heap[child], entry) else { break }
            heap[parent] = heap[child]
            parent = child
        }
        heap[parent] = entry
    }
}
