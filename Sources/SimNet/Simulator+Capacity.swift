import Determinism

/// The capacity model (BRIEF.md §4): each server has cores and a bounded queue; an input waits for
/// a core, costs service time there, and what it produces leaves when the service ends. Beyond the
/// queue bound inputs are dropped, so a flood shows queueing delay first and drops after.
extension Simulator {
    /// Hands an input to a node through its capacity model.
    mutating func offer(_ node: UInt32, _ input: NodeInput) {
        let index = Int(node)
        runtimes[index].counters.received &+= 1
        guard runtimes[index].config.cores > 0 else {
            invoke(node, input, costed: false)
            return
        }
        let core = runtimes[index].earliestCore
        if runtimes[index].coreFree[core] <= now.nanoseconds && runtimes[index].queuedCount == 0 {
            invoke(node, input, costed: true)
            return
        }
        guard runtimes[index].queuedCount < runtimes[index].config.queueLimit else {
            drop(node, reason: .queueFull, size: 0)
            return
        }
        runtimes[index].queue.append(input)
        runtimes[index].counters.queuedPeak = max(runtimes[index].counters.queuedPeak, runtimes[index].queuedCount)
        trace.record(.queued, at: now, UInt64(node), UInt64(runtimes[index].queuedCount))
        scheduleCoreFree(node)
    }

    private mutating func scheduleCoreFree(_ node: UInt32) {
        let index = Int(node)
        guard !runtimes[index].coreFreeScheduled, runtimes[index].queuedCount > 0 else { return }
        runtimes[index].coreFreeScheduled = true
        let at = max(now.nanoseconds, runtimes[index].coreFree[runtimes[index].earliestCore])
        queue.schedule(.coreFree(node: node, incarnation: runtimes[index].incarnation), at: Instant(nanoseconds: at))
    }

    mutating func coreFreed(node: UInt32, incarnation: UInt32) {
        let index = Int(node)
        guard runtimes[index].incarnation == incarnation else { return }
        runtimes[index].coreFreeScheduled = false
        guard runtimes[index].up else { return }
        if runtimes[index].hungUntil > now.nanoseconds {
            runtimes[index].coreFreeScheduled = true
            queue.schedule(.coreFree(node: node, incarnation: incarnation), at: Instant(nanoseconds: runtimes[index].hungUntil))
            return
        }
        while runtimes[index].coreFree[runtimes[index].earliestCore] <= now.nanoseconds,
            let input = runtimes[index].popQueued()
        {
            invoke(node, input, costed: true)
        }
        scheduleCoreFree(node)
    }

    /// Runs the machine on one input now and carries out its actions. With `costed`, the input
    /// occupies a core for its service time and the outputs leave when the service ends.
    mutating func invoke(_ node: UInt32, _ input: NodeInput, costed: Bool) {
        let index = Int(node)
        let local = runtimes[index].localTime(now.nanoseconds)
        actions.removeAll(keepingCapacity: true)
        var batch = actions
        actions = []
        host.handle(node: NodeID(index), input, now: local, actions: &batch)
        runtimes[index].counters.processed &+= 1
        var cost: Int64 = costed ? runtimes[index].config.serviceTime.nanoseconds : 0
        for action in batch {
            if case .cost(let duration) = action, costed { cost = duration.nanoseconds }
        }
        cost *= runtimes[index].slowFactor
        if costed {
            let core = runtimes[index].earliestCore
            runtimes[index].coreFree[core] = max(runtimes[index].coreFree[core], now.nanoseconds) &+ UInt64(cost)
            runtimes[index].counters.busyNanoseconds &+= UInt64(cost)
        }
        trace.record(.processed, at: now, UInt64(node), UInt64(cost))
        for action in batch { perform(action, node: node, after: cost) }
        batch.removeAll(keepingCapacity: true)
        actions = batch
    }

    private mutating func perform(_ action: NodeAction, node: UInt32, after delay: Int64) {
        switch action {
        case .send(let datagram): transmit(datagram, after: delay)
        case .armTimer(let at, let token):
            let instant = max(now.nanoseconds, runtimes[Int(node)].trueTime(at))
            queue.schedule(.timer(node: node, incarnation: runtimes[Int(node)].incarnation, token: token),
                           at: Instant(nanoseconds: instant))
        case .sendAt(let datagram, let at):
            let local = runtimes[Int(node)].localTime(now.nanoseconds)
            transmit(datagram, after: max(delay, (at - local).nanoseconds))
        case .cost: break
        case .tcpConnect(let from, let to, let tag): tcpConnect(from: from, to: to, tag: tag, after: delay)
        case .tcpSend(let connection, let bytes): tcpSend(connection, bytes: bytes, from: node, after: delay)
        case .tcpClose(let connection): tcpClose(connection, from: node, after: delay)
        }
    }
}
