import DNSWire
import Determinism

/// Address changes: which customers a process applies to, when, and what they get.
///
/// Selection happens once at start-up from the process's own stream (a share in parts per million,
/// drawn customer by customer in index order, or an explicit list). Daily processes also draw each
/// customer's fixed offset in [0, spread) then, so a customer reconnects at the same time every
/// day, like an ISP's disconnect 24 hours after the last connect. Exponential processes draw each
/// gap when the previous change fires.
extension UpdaterFleet {
    static let dayNanoseconds: UInt64 = 86_400 * 1_000_000_000

    mutating func scheduleFirstChanges(process: Int) {
        let settings = config.ipChanges[process]
        var selected = Array(repeating: settings.customers == nil, count: customers.count)
        if let chosen = settings.customers {
            for index in chosen where index >= 0 && index < customers.count { selected[index] = true }
        }
        if case .daily = settings.schedule { dailyOffsets[process] = Array(repeating: 0, count: customers.count) }
        for customer in customers.indices where selected[customer] {
            if settings.customers == nil && settings.sharePartsPerMillion < 1_000_000
                && !changeRandoms[process].chance(partsPerMillion: settings.sharePartsPerMillion)
            {
                continue
            }
            if case .daily(_, let spread) = settings.schedule, spread.nanoseconds > 0 {
                dailyOffsets[process][customer] = changeRandoms[process].below(UInt64(spread.nanoseconds))
            }
            scheduleChange(process: process, customer: customer, from: config.startAt.nanoseconds)
        }
    }

    /// Schedules the customer's next change by `process` at or after `from` (nothing past `stopAt`).
    private mutating func scheduleChange(process: Int, customer: Int, from: UInt64) {
        let at: UInt64
        switch config.ipChanges[process].schedule {
        case .daily(let secondOfDay, _):
            let phase = UInt64(secondOfDay) * 1_000_000_000 &+ dailyOffsets[process][customer]
            at = nextWallClockMark(from: from, period: Self.dayNanoseconds, phase: phase)
        case .exponential(let mean):
            let gap = changeRandoms[process].exponential(mean: Double(max(1, mean.nanoseconds)))
            at = from &+ max(1, UInt64(min(gap, 1e18)))
        }
        guard at < config.stopAt.nanoseconds else { return }
        heap.insert(at: at, .change(process: process, customer: UInt32(customer)))
    }

    /// A change of `customer` by `process` is due (scheduled for `at`).
    mutating func applyChange(process: Int, customer: Int, at: UInt64, now: Instant, actions: inout [Action]) {
        let (oldV4, oldV6) = currentAddresses(customer: customer)
        let scope = config.ipChanges[process].scope
        if scope != .v6Prefix { takeNewAddress(customer: customer) }
        if scope != .v4, customers[customer].v6Prefix != nil, let pool = config.v6PrefixPool {
            customers[customer].v6Prefix = pool.prefix(prefixesHandedOut).high
            prefixesHandedOut &+= 1
        }
        let (newV4, newV6) = currentAddresses(customer: customer)
        scheduleChange(process: process, customer: customer, from: at &+ 1)
        guard newV4 != oldV4 || newV6 != oldV6 else { return }
        ipChanges.append(FleetIPChange(customer: customer, at: Instant(nanoseconds: at), oldV4: oldV4, newV4: newV4,
                                       oldV6: oldV6, newV6: newV6))
        addressesChanged(customer: customer, now: now, actions: &actions)
    }

    /// Hands the customer the oldest free pool address and frees its old one (at the back of the
    /// queue, so it is the last to be handed out again).
    private mutating func takeNewAddress(customer: Int) {
        guard freeHead < freeAddresses.count else { return }
        let old = customers[customer].v4Index
        customers[customer].v4Index = freeAddresses[freeHead]
        freeHead += 1
        freeAddresses.append(old)
        if freeHead > 4096 && freeHead * 2 > freeAddresses.count {
            freeAddresses.removeFirst(freeHead)
            freeHead = 0
        }
        assert(customers[customer].v4Index != old, "a change hands out a different address")
    }
}
