import DNSWire
import DNSZone
import Determinism

extension SecondaryMachine {
    /// Opens a connection to the primary for a transfer of zone `index`.
    mutating func startTransfer(
        _ index: Int, request: ZoneTransferReceiver.Request, now: Instant, actions: inout [SecondaryAction<Address>]
    ) {
        let tag = nextTag
        nextTag += 1
        zones[index].phase = .transferring(TransferAttempt(tag: tag, request: request))
        zones[index][.soaQueryTimeout] = nil
        zones[index][.transferTimeout] = now + config.transferIdleTimeout
        actions.append(.connectTCP(to: config.primary, tag: tag))
        actions.append(.trace(.transferStarted(zone: zones[index].origin, type: Self.type(of: request))))
    }

    static func type(of request: ZoneTransferReceiver.Request) -> RRType {
        if case .axfr = request { return .axfr }
        return .ixfr
    }

    /// The zone whose transfer uses connection `tag`.
    private func transferIndex(tag: UInt64) -> Int? {
        zones.firstIndex {
            if case .transferring(let attempt) = $0.phase { return attempt.tag == tag }
            return false
        }
    }

    mutating func transferConnected(tag: UInt64, now: Instant, actions: inout [SecondaryAction<Address>]) {
        guard let index = transferIndex(tag: tag), case .transferring(var attempt) = zones[index].phase else {
            actions.append(.closeTCP(.opened(tag)))  // a transfer given up meanwhile
            return
        }
        attempt.connected = true
        sendTransferQuery(index, attempt: &attempt, now: now, actions: &actions)
    }

    /// Sends the query for `attempt.request` on its connection with a fresh receiver.
    private mutating func sendTransferQuery(
        _ index: Int, attempt: inout TransferAttempt, now: Instant, actions: inout [SecondaryAction<Address>]
    ) {
        let origin = zones[index].origin
        let id = UInt16(truncatingIfNeeded: random.next())
        let query = ZoneTransferReceiver.query(id: id, origin: origin, request: attempt.request,
                                               currentSOA: copy(of: origin)?.soaRecord)
        attempt.receiver = ZoneTransferReceiver(origin: origin, queryID: id, request: attempt.request, limits: config.receiveLimits)
        zones[index].phase = .transferring(attempt)
        zones[index][.transferTimeout] = now + config.transferIdleTimeout
        guard let bytes = try? query.wire() else { preconditionFailure("a transfer query always encodes") }
        actions.append(.sendTCP(bytes, on: .opened(attempt.tag)))
    }

    mutating func transferClosed(tag: UInt64, now: Instant, actions: inout [SecondaryAction<Address>]) {
        guard let index = transferIndex(tag: tag), case .transferring(let attempt) = zones[index].phase else { return }
        let reason: RefreshFailure
        if let receiver = attempt.receiver, receiver.recordCount > 0 {
            reason = .transfer(.incomplete(recordsReceived: receiver.recordCount))
        } else {
            reason = .connectionClosed
        }
        refreshFailed(index, reason, now: now, actions: &actions, closing: false)
    }

    mutating func transferMessage(_ bytes: [UInt8], tag: UInt64, now: Instant, actions: inout [SecondaryAction<Address>]) {
        guard let index = transferIndex(tag: tag), case .transferring(var attempt) = zones[index].phase,
            var receiver = attempt.receiver
        else {
            stats.unmatchedResponses &+= 1
            return
        }
        zones[index][.transferTimeout] = now + config.transferIdleTimeout
        let result: ZoneTransferResult?
        do {
            result = try receiver.receive(bytes)
        } catch {
            if case .ixfr = attempt.request, case .rcode(let rcode) = error {
                // RFC 1995 §4 leaves a server free to refuse IXFR; BIND and PowerDNS then ask AXFR.
                actions.append(.trace(.ixfrFellBack(zone: zones[index].origin, reason: "IXFR answered \(rcode)")))
                attempt.request = .axfr
                sendTransferQuery(index, attempt: &attempt, now: now, actions: &actions)
                return
            }
            refreshFailed(index, .transfer(error), now: now, actions: &actions)
            return
        }
        attempt.receiver = receiver
        zones[index].phase = .transferring(attempt)
        guard let result else { return }
        transferCompleted(index, result: result, attempt: &attempt, now: now, actions: &actions)
    }

    /// The closing SOA arrived: install the copy (or fall back to AXFR), close, re-arm.
    private mutating func transferCompleted(
        _ index: Int, result: ZoneTransferResult, attempt: inout TransferAttempt, now: Instant,
        actions: inout [SecondaryAction<Address>]
    ) {
        let origin = zones[index].origin
        let records = attempt.receiver?.recordCount ?? 0
        switch result {
        case .wholeZone(let zone, let style):
            install(zone, index: index)
            zones[index].journal.removeAll()
            if style == .axfr { stats.transfersAXFR &+= 1 } else { stats.transfersIXFRFullZone &+= 1 }
            actions.append(.persist(zone, diffs: []))
            finishTransfer(index, serial: zone.soa?.serial ?? 0, style: style, records: records, attempt: attempt, now: now,
                           actions: &actions)
        case .incremental(let diffs):
            switch applyDiffs(diffs, index: index) {
            case .success(let zone):
                stats.transfersIXFRIncremental &+= 1
                actions.append(.persist(zone, diffs: diffs))
                finishTransfer(index, serial: zone.soa?.serial ?? 0, style: .ixfrIncremental, records: records,
                               attempt: attempt, now: now, actions: &actions)
            case .failure(let error):
                fallBackToAXFR(index, reason: "\(error)", attempt: &attempt, now: now, actions: &actions)
            }
        case .upToDate(let soa):
            guard let ours = copy(of: origin)?.soa?.serial, !soa.soaSerial.isGreater(than: SerialNumber(ours)) else {
                fallBackToAXFR(index, reason: "newer SOA alone", attempt: &attempt, now: now, actions: &actions)
                return
            }
            actions.append(.closeTCP(.opened(attempt.tag)))
            refreshSucceeded(index, now: now, actions: &actions)
        }
    }

    private mutating func fallBackToAXFR(
        _ index: Int, reason: String, attempt: inout TransferAttempt, now: Instant, actions: inout [SecondaryAction<Address>]
    ) {
        guard case .ixfr = attempt.request else {
            refreshFailed(index, .transfer(.incomplete(recordsReceived: attempt.receiver?.recordCount ?? 0)), now: now,
                          actions: &actions)
            return
        }
        actions.append(.trace(.ixfrFellBack(zone: zones[index].origin, reason: reason)))
        attempt.request = .axfr
        sendTransferQuery(index, attempt: &attempt, now: now, actions: &actions)
    }

    private mutating func finishTransfer(
        _ index: Int, serial: UInt32, style: TransferStyle, records: Int, attempt: TransferAttempt, now: Instant,
        actions: inout [SecondaryAction<Address>]
    ) {
        actions.append(.closeTCP(.opened(attempt.tag)))
        actions.append(.trace(.transferCompleted(zone: zones[index].origin, serial: serial, style: style, records: records)))
        refreshSucceeded(index, now: now, actions: &actions)
    }

    /// Replaces the served copy (the packet cache empties with it).
    private mutating func install(_ zone: Zone, index: Int) {
        precondition(zone.origin == zones[index].origin, "a transfer installs its own zone")
        _ = server.zones.replace(zone)
    }

    /// Applies the diffs in place. On failure the copy stays at the last version that applied
    /// (a real version of the zone, older than the primary's) and the journal keeps up with it.
    private mutating func applyDiffs(_ diffs: [ZoneDiff], index: Int) -> Result<Zone, ZoneDiffError> {
        let origin = zones[index].origin
        guard var zone = server.zones.remove(origin: origin) else { return .failure(.missingSOA(origin)) }
        defer { _ = server.zones.replace(zone) }
        for diff in diffs {
            do {
                try diff.apply(to: &zone)
            } catch {
                return .failure(error)
            }
            _ = zones[index].journal.append(diff)
        }
        return .success(zone)
    }
}
