import DNSWire
import Determinism

/// A fleet of customers' update clients and the address changes that drive them (sans-IO).
///
/// Theory of operation. One machine stands for N customers, each a router or host with an IPv4
/// address from the node's `addressPool` (its connections' source address), maybe an IPv6 /64, a
/// hostname, a token, and one update client model (`UpdaterModel`: ddclient, inadyn, FRITZ!Box,
/// cron). Two kinds of timed work drive it, both kept in one min-heap ordered by (instant,
/// sequence), so a wake-up costs O(log N) per due item and never scans the customers:
///
/// - Address changes (`IPChangeProcess`): each selected customer gets a new IPv4 address (the
///   oldest free pool address) and/or a new /64 at its instants — daily at a wall-clock hour plus a
///   fixed per-customer offset, or with exponential gaps. A change takes effect at its instant and
///   is recorded in `ipChanges`; a FRITZ!Box reacts at once (it updates on every reconnect), the
///   other clients notice at their next check.
/// - Client timers: one per customer (a generation number retires superseded ones): ddclient's and
///   inadyn's periodic checks, cron's wall-clock ticks, the FRITZ!Box's retry back-off.
///
/// A client sends at most one request at a time, one per connection: `connectTCP` from its current
/// pool address to a random server, the request bytes on `tcpConnected`, the whole response in one
/// `tcpReceived` (then `closeTCP`). A connection that closes before it opened is retried on the next
/// server until every server was tried; a close after it opened, no server left, or no response
/// within the model's timeout is a failure (`network`, `timeout`). Requests of one round (inadyn's
/// and the FRITZ!Box's separate IPv4 and IPv6 requests) go one after the other. Every request is
/// recorded in `requests` with its outcome; each model judges the outcome its own way
/// (`UpdaterFleet+Models.swift`) and counters per model sum them up.
///
/// Determinism: all draws come from `SeededRandom` streams labelled `updaters:<name>` (client timers
/// and server choice) and `updaters:<name>:changes:<k>` (process k's selection, offsets and gaps);
/// nothing iterates a hash table.
public struct UpdaterFleet: Sendable {
    public let config: UpdaterFleetConfig
    var random: SeededRandom
    var changeRandoms: [SeededRandom]
    var customers: [CustomerState]
    var heap: DeadlineHeap<Timer>
    /// Free IPv4 pool indexes, oldest first (a FIFO with a moving head).
    var freeAddresses: [UInt32]
    var freeHead = 0
    var prefixesHandedOut: UInt64 = 0
    /// Per daily process: each customer's fixed offset after the hour, in nanoseconds.
    var dailyOffsets: [[UInt64]]
    var inFlight = UInt64Map<InFlight>(minimumCapacity: 1024)
    var nextTag: UInt64 = 1
    /// Every address change, in time order.
    public internal(set) var ipChanges: [FleetIPChange] = []
    /// Every update request, in the order they were started.
    public internal(set) var requests: [FleetRequest] = []
    /// Counters per model (indexes as `config.models`).
    public internal(set) var counters: [FleetModelCounters]

    /// What the machine asks its host to do.
    public enum Action: Sendable, Equatable {
        /// Open a connection from pool address `client` to server `server`.
        case connectTCP(client: UInt32, server: Int, tag: UInt64)
        case sendTCP(tag: UInt64, bytes: [UInt8])
        case closeTCP(tag: UInt64)
    }

    enum Timer: Sendable {
        case client(customer: UInt32, generation: UInt32)
        case change(process: Int, customer: UInt32)
        case timeout(request: Int)
    }

    struct CustomerState: Sendable {
        var v4Index: UInt32
        var v6Prefix: UInt64?
        var v6InterfaceID: UInt64
        /// The client's cache: the values its last successful update set.
        var cachedV4: IPv4Address?
        var cachedV6: IPv6Address?
        var lastSuccess: UInt64
        /// When the last update was attempted (ddclient's `atime`).
        var attemptAt: UInt64 = 0
        /// The last update failed (ddclient's cached status is not `good`).
        var failing = false
        var exited = false
        var timerGeneration: UInt32 = 0
        /// Fixed per-customer phase (cron's offset after the minute mark).
        var phase: UInt64 = 0
        /// The request in flight (index into `requests`), or -1.
        var inFlightRequest = -1
        var inFlightTag: UInt64 = 0
        /// Families still to send in this round, and those that failed in it.
        var pending: FleetFamilies = []
        var roundFailed: FleetFamilies = []
        /// A temporary error ended this round (inadyn's `error_update_period`).
        var roundTemporary = false
        /// The round repeats a failed update.
        var roundIsRetry = false
        var retries = 0
    }

    struct InFlight: Sendable {
        var customer: UInt32
        var request: Int
        var bytes: [UInt8]
        var connected = false
        var serversTried = 1
    }

    public init(config: UpdaterFleetConfig, seed: UInt64) {
        self.config = config
        random = SeededRandom(seed: seed, label: "updaters:\(config.name)")
        changeRandoms = config.ipChanges.indices.map { SeededRandom(seed: seed, label: "updaters:\(config.name):changes:\($0)") }
        counters = Array(repeating: FleetModelCounters(), count: config.models.count)
        heap = DeadlineHeap(minimumCapacity: config.customers.count * (1 + config.ipChanges.count))
        dailyOffsets = Array(repeating: [], count: config.ipChanges.count)
        var used = Array(repeating: false, count: config.addressPool.count)
        customers = config.customers.map { customer in
            used[Int(customer.addressIndex)] = true
            return CustomerState(v4Index: customer.addressIndex, v6Prefix: customer.v6Prefix?.high,
                                 v6InterfaceID: customer.v6InterfaceID, lastSuccess: config.startAt.nanoseconds)
        }
        freeAddresses = used.indices.filter { !used[$0] }.map { UInt32($0) }
        for index in customers.indices {
            if config.cachesStartSynced {
                let (v4, v6) = currentAddresses(customer: index)
                customers[index].cachedV4 = v4
                customers[index].cachedV6 = v6
            }
            scheduleFirstCheck(customer: index)
        }
        for process in config.ipChanges.indices { scheduleFirstChanges(process: process) }
    }

    /// The customer's current IPv4 address and IPv6 address (prefix plus interface identifier).
    public func currentAddresses(customer: Int) -> (IPv4Address, IPv6Address?) {
        let state = customers[customer]
        let v6 = state.v6Prefix.map { IPv6Address(high: $0, low: state.v6InterfaceID) }
        return (config.addressPool[Int(state.v4Index)], v6)
    }

    /// The customer's current pool index (its connections' source address).
    public func addressIndex(customer: Int) -> UInt32 { customers[customer].v4Index }

    /// True when the customer's client has stopped updating for good.
    public func hasExited(customer: Int) -> Bool { customers[customer].exited }

    /// The next instant the host must wake the machine.
    public var nextDeadline: Instant? { heap.first.map { Instant(nanoseconds: $0) } }

    /// Handles everything due at `now`: address changes, client checks and retries, timeouts.
    public mutating func wake(now: Instant, actions: inout [Action]) {
        while let entry = heap.popDue(now: now.nanoseconds) {
            switch entry.payload {
            case .client(let customer, let generation):
                guard customers[Int(customer)].timerGeneration == generation else { continue }
                clientTimerFired(customer: Int(customer), at: entry.at, now: now, actions: &actions)
            case .change(let process, let customer):
                applyChange(process: process, customer: Int(customer), at: entry.at, now: now, actions: &actions)
            case .timeout(let request):
                timeoutFired(request: request, now: now, actions: &actions)
            }
        }
    }

    /// Arms the customer's client timer at `at` (superseding any armed one); nothing past `stopAt`.
    mutating func setClientTimer(customer: Int, at: UInt64) {
        customers[customer].timerGeneration &+= 1
        guard at < config.stopAt.nanoseconds else { return }
        heap.insert(at: at, .client(customer: UInt32(customer), generation: customers[customer].timerGeneration))
    }

    /// Retires the customer's client timer.
    mutating func cancelClientTimer(customer: Int) { customers[customer].timerGeneration &+= 1 }

    func model(of customer: Int) -> UpdaterModel { config.models[config.customers[customer].model] }

    /// The first instant at or after `instant` whose wall-clock time is `phase` past a multiple of
    /// `period` (cron's minute marks, a daily hour), with wall time = `epochSeconds` + instant.
    func nextWallClockMark(from instant: UInt64, period: UInt64, phase: UInt64) -> UInt64 {
        precondition(period > 0, "a wall-clock period")
        let wall = config.epochSeconds &* 1_000_000_000 &+ instant
        let offset = (phase % period &+ period &- wall % period) % period
        let mark = instant &+ offset
        assert((config.epochSeconds &* 1_000_000_000 &+ mark) % period == phase % period, "mark on the phase")
        return mark
    }
}
