import DNSWire
import Determinism

/// The discrete-event host: owns virtual time, the network, the nodes' machines and the faults.
///
/// One thread, one event queue ordered by (instant, sequence). A run is a pure function of the
/// configuration, the machines' initial state and the seed: nothing here reads a clock, a global
/// random generator or the environment.
public struct Simulator<Host: NodeHost> {
    public private(set) var now: Instant = .zero
    public var topology: Topology
    /// The machines, dispatched by node ID.
    public var host: Host
    var runtimes: [NodeRuntime] = []
    var queue = EventQueue(capacity: 4096)
    public var trace: Trace
    /// Packets and TCP segments in flight, indexed by the `deliver` event's slot.
    var inFlight: [InFlight?] = []
    var freeSlots: [UInt32] = []
    var actions: [NodeAction] = []
    var connections: [Connection] = []
    var freeConnections: [UInt32] = []
    var faults: [SimFault] = []
    public internal(set) var faultLog: [FaultRecord] = []
    public private(set) var eventsProcessed: UInt64 = 0
    /// Random stream of the TCP model (retransmission draws).
    var tcpRandom: SeededRandom
    /// The hoster's edge filter in front of a node, by node index (nil: none).
    var edgeFilters: [EdgeFilter?] = []
    /// Record every delivery in `wireRecords` (for `--pcap-out`; costs memory in long runs).
    public var recordsWire = false
    /// What reached its receiver, in delivery order, while `recordsWire` is on.
    public var wireRecords: [WireRecord] = []

    public init(host: Host, topology: Topology, seed: UInt64, recordTrace: Bool = false) {
        self.host = host
        self.topology = topology
        self.trace = Trace(recording: recordTrace)
        self.tcpRandom = SeededRandom(seed: seed, label: "tcp")
    }

    /// Adds a node (its machine is the host's, under the returned ID). Nodes start when the run starts.
    public mutating func addNode(config: NodeConfig) -> NodeID {
        runtimes.append(NodeRuntime(config: config))
        return NodeID(runtimes.count - 1)
    }

    /// Puts the hoster's edge filter in front of `node`: datagrams and connection attempts to it
    /// pass the filter on arrival.
    public mutating func setEdgeFilter(_ config: EdgeFilterConfig, for node: NodeID) {
        let index = Int(node.index)
        if edgeFilters.count <= index { edgeFilters.append(contentsOf: repeatElement(nil, count: index + 1 - edgeFilters.count)) }
        edgeFilters[index] = EdgeFilter(config: config)
    }

    /// What the edge filter in front of `node` did; nil when there is none.
    public func edgeFilterStats(of node: NodeID) -> EdgeFilterStats? {
        let index = Int(node.index)
        return index < edgeFilters.count ? edgeFilters[index]?.stats : nil
    }

    /// True when the edge filter in front of `node` (if any) lets the packet through; counts the drop otherwise.
    mutating func edgeAdmits(_ node: UInt32, from source: Endpoint, datagram: Bool, size: Int) -> Bool {
        guard Int(node) < edgeFilters.count, edgeFilters[Int(node)] != nil else { return true }
        // Only what crosses the hoster's border is filtered: traffic from the node's own site
        // (its backends, the internal network) never passes the edge.
        guard runtimes[Int(source.node.index)].config.site != runtimes[Int(node)].config.site else { return true }
        let key = UInt64(source.node.index) << 32 | UInt64(source.addressIndex)
        let verdict = edgeFilters[Int(node)]!.admit(source: key, port: source.port, datagram: datagram, now: now.nanoseconds)
        guard verdict == .pass else {
            drop(node, reason: .edgeFilter, size: size)
            return false
        }
        return true
    }

    public func config(of node: NodeID) -> NodeConfig { runtimes[Int(node.index)].config }
    public func counters(of node: NodeID) -> NodeCounters { runtimes[Int(node.index)].counters }
    public var nodeCount: Int { runtimes.count }

    /// The address an endpoint stands for.
    public func address(of endpoint: Endpoint) -> IPAddress {
        let addresses = runtimes[Int(endpoint.node.index)].config.addresses
        return addresses[Int(endpoint.addressIndex) % addresses.count]
    }

    /// Schedules the faults; they start and end as events in the trace.
    public mutating func scheduleFaults(_ plan: [SimFault]) {
        for fault in plan {
            let index = UInt32(faults.count)
            faults.append(fault)
            queue.schedule(.fault(index: index, ending: false), at: fault.at)
            if let end = fault.end { queue.schedule(.fault(index: index, ending: true), at: end) }
        }
    }

    /// Runs until `end` (inclusive of events at `end`) or until nothing is left to do.
    /// `progress` is called every `progressEvery` events with the current instant.
    public mutating func run(until end: Instant, progressEvery: UInt64 = 0, progress: (Instant, UInt64) -> Void = { _, _ in }) {
        if eventsProcessed == 0 && now == .zero { startAll() }
        while let next = queue.nextInstant, next <= end {
            guard let (instant, event) = queue.pop() else { break }
            now = instant
            eventsProcessed &+= 1
            dispatch(event)
            if progressEvery > 0 && eventsProcessed % progressEvery == 0 { progress(now, eventsProcessed) }
        }
        if now < end { now = end }
    }

    private mutating func startAll() {
        for index in runtimes.indices {
            if let startsAt = runtimes[index].config.startsAt, startsAt > .zero {
                runtimes[index].up = false
                queue.schedule(.start(node: UInt32(index)), at: startsAt)
            } else {
                invoke(UInt32(index), .started, costed: false)
            }
        }
    }

    private mutating func dispatch(_ event: SimEvent) {
        switch event {
        case .deliver(let slot): deliver(slot: slot)
        case .timer(let node, let incarnation, let token): fireTimer(node: node, incarnation: incarnation, token: token)
        case .coreFree(let node, let incarnation): coreFreed(node: node, incarnation: incarnation)
        case .fault(let index, let ending): applyFault(Int(index), ending: ending)
        case .tcp(let connection, let step): tcpStep(connection: connection, step: step)
        case .start(let node):
            runtimes[Int(node)].up = true
            runtimes[Int(node)].coreFree = [UInt64](repeating: now.nanoseconds, count: runtimes[Int(node)].config.cores)
            trace.record(.restarted, at: now, UInt64(node))
            invoke(node, .started, costed: false)
        case .stop: break
        }
    }

    private mutating func fireTimer(node: UInt32, incarnation: UInt32, token: UInt64) {
        let index = Int(node)
        guard runtimes[index].up, runtimes[index].incarnation == incarnation else { return }
        if runtimes[index].hungUntil > now.nanoseconds {
            queue.schedule(.timer(node: node, incarnation: incarnation, token: token),
                           at: Instant(nanoseconds: runtimes[index].hungUntil))
            return
        }
        trace.record(.timer, at: now, UInt64(node), token)
        invoke(node, .timer(token: token), costed: false)
    }

    // MARK: - Datagrams

    /// Sends a datagram now (or `after` from now): routes it and schedules its delivery.
    mutating func transmit(_ datagram: Datagram, after departure: Int64) {
        let source = Int(datagram.source.node.index)
        let destination = Int(datagram.destination.node.index)
        runtimes[source].counters.sent &+= 1
        guard destination < runtimes.count,
            runtimes[source].config.networks & runtimes[destination].config.networks != 0
        else {
            drop(datagram.destination.node.index, reason: .noRoute, size: datagram.payload.count)
            return
        }
        let verdict = topology.route(from: runtimes[source].config.site, to: runtimes[destination].config.site)
        if let reason = verdict.dropReason {
            drop(UInt32(destination), reason: reason, size: datagram.payload.count)
            return
        }
        let departAt = now.nanoseconds &+ UInt64(max(0, departure))
        schedule(.datagram(datagram), at: departAt &+ UInt64(verdict.delay))
        if let duplicate = verdict.duplicateDelay {
            schedule(.datagram(datagram), at: departAt &+ UInt64(duplicate))
        }
    }

    mutating func schedule(_ packet: InFlight, at instant: UInt64) {
        let slot: UInt32
        if let free = freeSlots.popLast() {
            slot = free
            inFlight[Int(slot)] = packet
        } else {
            slot = UInt32(inFlight.count)
            inFlight.append(packet)
        }
        queue.schedule(.deliver(slot: slot), at: Instant(nanoseconds: instant))
    }

    private mutating func deliver(slot: UInt32) {
        // take() moves the packet out without a retain/release pair.
        guard let packet = inFlight[Int(slot)].take() else { return }
        freeSlots.append(slot)
        switch packet {
        case .datagram(let datagram):
            let node = datagram.destination.node.index
            guard edgeAdmits(node, from: datagram.source, datagram: true, size: datagram.payload.count),
                accepts(node, size: datagram.payload.count) else { return }
            trace.record(.delivered, at: now, UInt64(datagram.source.node.index) << 32 | UInt64(node),
                         UInt64(datagram.source.port) << 16 | UInt64(datagram.destination.port), Trace.hash(datagram.payload))
            if trace.recording {
                let line = "\(now) udp \(address(of: datagram.source)):\(datagram.source.port) > \(address(of: datagram.destination)):\(datagram.destination.port) \(datagram.payload.count)B"
                trace.note(line)
            }
            tapDatagram(datagram)
            offer(node, .datagram(datagram))
        case .segment(let connection, let toServer, let bytes):
            deliverSegment(connection: connection, toServer: toServer, bytes: bytes)
        }
    }

    /// True when `node` is up and not hung; otherwise counts the drop.
    mutating func accepts(_ node: UInt32, size: Int) -> Bool {
        if !runtimes[Int(node)].up {
            drop(node, reason: .nodeDown, size: size)
            return false
        }
        if runtimes[Int(node)].hungUntil > now.nanoseconds {
            drop(node, reason: .nodeHung, size: size)
            return false
        }
        return true
    }

    mutating func drop(_ node: UInt32, reason: DropReason, size: Int) {
        if Int(node) < runtimes.count { runtimes[Int(node)].counters.dropped[reason, default: 0] &+= 1 }
        trace.record(.dropped, at: now, UInt64(node), UInt64(size), UInt64(reason.hashCode))
        if trace.recording {
            let line = "\(now) drop \(reason.rawValue) at node\(node) \(size)B"
            trace.note(line)
        }
    }
}

extension DropReason {
    /// A stable small number for the trace digest.
    var hashCode: UInt8 {
        switch self {
        case .loss: 1
        case .partition: 2
        case .noRoute: 3
        case .nodeDown: 4
        case .nodeHung: 5
        case .queueFull: 6
        case .connectionRefused: 7
        case .edgeFilter: 8
        }
    }
}

/// What the in-flight table holds.
enum InFlight {
    case datagram(Datagram)
    case segment(connection: UInt32, toServer: Bool, bytes: [UInt8])
}
