import Determinism

/// A fault for the simulator, with sites and nodes resolved to IDs.
public struct SimFault: Sendable {
    public enum Kind: Sendable {
        case crash(NodeID)
        case hang(NodeID)
        case slow(NodeID, factor: Int64)
        case partition(SiteID, SiteID, oneWay: Bool)
        case degrade(SiteID, SiteID, extraDelay: SimDuration, lossPartsPerMillion: UInt32)
        case clockSkew(NodeID, offset: SimDuration)
    }

    public var at: Instant
    /// When it is repaired; nil lasts to the end of the run.
    public var end: Instant?
    public var kind: Kind
    /// Human-readable text for reports, e.g. "crash ns2".
    public var label: String

    public init(at: Instant, end: Instant?, kind: Kind, label: String) {
        self.at = at
        self.end = end
        self.kind = kind
        self.label = label
    }
}

/// A fault as it happened, for the report.
public struct FaultRecord: Sendable, Equatable {
    public var label: String
    public var started: Instant
    public var ended: Instant?
}

extension Simulator {
    mutating func applyFault(_ index: Int, ending: Bool) {
        let fault = faults[index]
        trace.record(ending ? .faultEnded : .faultStarted, at: now, UInt64(index))
        if trace.recording {
            let line = "\(now) fault \(ending ? "ends" : "starts"): \(fault.label)"
            trace.note(line)
        }
        if ending {
            if let record = faultLog.lastIndex(where: { $0.label == fault.label && $0.ended == nil }) {
                faultLog[record].ended = now
            }
        } else {
            faultLog.append(FaultRecord(label: fault.label, started: now, ended: nil))
        }
        switch fault.kind {
        case .crash(let node): ending ? restartNode(node) : crashNode(node)
        case .hang(let node):
            let index = Int(node.index)
            runtimes[index].hangDepth += ending ? -1 : 1
            runtimes[index].hungUntil = runtimes[index].hangDepth > 0 ? (fault.end?.nanoseconds ?? .max) : 0
        case .slow(let node, let factor):
            runtimes[Int(node.index)].slowFactor = ending ? 1 : max(1, factor)
        case .partition(let a, let b, let oneWay):
            let delta = ending ? -1 : 1
            topology.changePartition(from: a, to: b, by: delta)
            if !oneWay { topology.changePartition(from: b, to: a, by: delta) }
        case .degrade(let a, let b, let extraDelay, let loss):
            let sign: Int64 = ending ? -1 : 1
            topology.changeDegradation(a, b, delay: sign * extraDelay.nanoseconds, lossPartsPerMillion: sign * Int64(loss))
        case .clockSkew(let node, let offset):
            runtimes[Int(node.index)].skew = ending ? 0 : offset.nanoseconds
        }
    }

    /// Memory is lost, disk is kept: pending inputs, timers and connections of the node vanish.
    mutating func crashNode(_ node: NodeID) {
        let index = Int(node.index)
        guard runtimes[index].up else { return }
        runtimes[index].up = false
        runtimes[index].incarnation &+= 1
        runtimes[index].clearQueue()
        runtimes[index].coreFreeScheduled = false
        resetConnections(of: node)
    }

    mutating func restartNode(_ node: NodeID) {
        let index = Int(node.index)
        guard !runtimes[index].up else { return }
        runtimes[index].up = true
        runtimes[index].coreFree = [UInt64](repeating: now.nanoseconds, count: runtimes[index].config.cores)
        host.restart(node: node)
        trace.record(.restarted, at: now, UInt64(index))
        invoke(node.index, .started, costed: false)
    }
}

extension Simulator {
    /// A fault the host applies itself between slices of the run (a database lost or damaged),
    /// logged and traced like the scheduled ones. The `stopping` nodes crash (memory lost) and stay
    /// down until `endHostFault` restarts them.
    public mutating func beginHostFault(_ label: String, stopping nodes: [NodeID]) {
        trace.record(.faultStarted, at: now, UInt64(faults.count + faultLog.count))
        if trace.recording { trace.note("\(now) fault starts: \(label)") }
        faultLog.append(FaultRecord(label: label, started: now, ended: nil))
        for node in nodes { crashNode(node) }
    }

    /// Ends the open host fault `label` (if any) and restarts `nodes` (`ClusterHost.restart`, then
    /// `.started`), e.g. after their database was restored.
    public mutating func endHostFault(_ label: String, restarting nodes: [NodeID]) {
        trace.record(.faultEnded, at: now, UInt64(faults.count + faultLog.count))
        if trace.recording { trace.note("\(now) fault ends: \(label)") }
        if let record = faultLog.lastIndex(where: { $0.label == label && $0.ended == nil }) {
            faultLog[record].ended = now
        }
        for node in nodes { restartNode(node) }
    }

    /// True while the node is up (not crashed, started).
    public func isUp(_ node: NodeID) -> Bool { runtimes[Int(node.index)].up }
}
