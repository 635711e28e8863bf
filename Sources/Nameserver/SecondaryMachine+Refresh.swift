import DNSWire
import DNSZone
import Determinism

extension SecondaryMachine {
    /// Starts a check of zone `index`: an SOA query, or a transfer at once when there is no copy.
    mutating func startCheck(_ index: Int, now: Instant, actions: inout [SecondaryAction<Address>]) {
        guard case .idle = zones[index].phase else { return }
        zones[index][.refresh] = nil
        zones[index][.retry] = nil
        guard copy(of: zones[index].origin) != nil else {
            startTransfer(index, request: .axfr, now: now, actions: &actions)
            return
        }
        sendSOAQuery(index, attempt: 1, now: now, actions: &actions)
    }

    /// A NOTIFY or an operator: check at once when idle, else once more after the current work.
    mutating func checkNowOrLater(_ index: Int, now: Instant, actions: inout [SecondaryAction<Address>]) {
        if case .idle = zones[index].phase {
            startCheck(index, now: now, actions: &actions)
        } else {
            zones[index].notifyPending = true
        }
    }

    private mutating func sendSOAQuery(_ index: Int, attempt: Int, now: Instant, actions: inout [SecondaryAction<Address>]) {
        let id = UInt16(truncatingIfNeeded: random.next())
        zones[index].phase = .checking(queryID: id, attempt: attempt)
        zones[index][.soaQueryTimeout] = now + config.soaQueryTimeout
        guard let bytes = try? NotifyMessage.soaQuery(id: id, zone: zones[index].origin).wire() else {
            preconditionFailure("an SOA query for a zone origin always encodes")
        }
        stats.soaQueries &+= 1
        actions.append(.sendUDP(bytes, to: config.primary))
        actions.append(.trace(.soaQuerySent(zone: zones[index].origin, attempt: attempt)))
    }

    mutating func soaQueryTimedOut(_ index: Int, now: Instant, actions: inout [SecondaryAction<Address>]) {
        guard case .checking(_, let attempt) = zones[index].phase else { return }
        if attempt < config.soaQueryAttemptsMax {
            sendSOAQuery(index, attempt: attempt + 1, now: now, actions: &actions)
        } else {
            refreshFailed(index, .soaTimeout, now: now, actions: &actions)
        }
    }

    /// A response on port 53: the answer to one of our SOA queries, or dropped.
    mutating func soaResponse(_ bytes: [UInt8], from: Address, now: Instant, actions: inout [SecondaryAction<Address>]) {
        guard from.isSameHost(as: config.primary), let message = try? Message(wire: bytes),
            let index = zones.firstIndex(where: {
                if case .checking(let id, _) = $0.phase { return id == message.id }
                return false
            }),
            message.question == Question(name: zones[index].origin, type: .soa)
        else {
            stats.unmatchedResponses &+= 1
            return
        }
        zones[index][.soaQueryTimeout] = nil
        let origin = zones[index].origin
        guard message.rcode == .noError,
            let soa = message.answers.first(where: { $0.name == origin && $0.type == .soa })?.soaData
        else {
            refreshFailed(index, .soaAnswer(message.rcode), now: now, actions: &actions)
            return
        }
        let ours = copy(of: origin)?.soa?.serial
        actions.append(.trace(.soaChecked(zone: origin, primarySerial: soa.serial, ourSerial: ours)))
        guard let ours else {
            startTransfer(index, request: .axfr, now: now, actions: &actions)
            return
        }
        if SerialNumber(soa.serial).isGreater(than: SerialNumber(ours)) {
            let request: ZoneTransferReceiver.Request =
                config.transferRequest == .ixfrThenAXFR ? .ixfr(from: SerialNumber(ours)) : .axfr
            startTransfer(index, request: request, now: now, actions: &actions)
        } else {
            // Equal, or older (PowerDNS's `axfr-lower-serial` off): our copy stands.
            refreshSucceeded(index, now: now, actions: &actions)
        }
    }

    /// A NOTIFY (RFC 1996 §3.7, §4.7): answer it, then check that zone at once.
    mutating func notifyReceived(_ bytes: [UInt8], from: Address, now: Instant, actions: inout [SecondaryAction<Address>]) {
        guard let message = try? Message(wire: bytes) else {
            if bytes.count >= dnsHeaderLength, let reply = try? Message(
                id: UInt16(bytes[0]) << 8 | UInt16(bytes[1]), flags: .qr, opcode: .notify, rcode: .formErr).wire()
            {
                actions.append(.sendUDP(reply, to: from))
            }
            return
        }
        guard message.questions.count == 1, let question = message.question, question.type == .soa else {
            if let reply = try? NotifyMessage.response(to: message, rcode: .formErr).wire() { actions.append(.sendUDP(reply, to: from)) }
            return
        }
        let index = zones.firstIndex { $0.origin == question.name }
        let accepted = switch config.notify {
        case .fromPrimary: from.isSameHost(as: config.primary)
        case .fromAnyone: true
        case .ignored: false
        }
        guard let index, accepted else {
            stats.notifiesRefused &+= 1
            if let reply = try? NotifyMessage.response(to: message, rcode: .refused).wire() { actions.append(.sendUDP(reply, to: from)) }
            actions.append(.trace(.notifyReceived(zone: question.name, from: from, accepted: false)))
            return
        }
        stats.notifiesAccepted &+= 1
        if let reply = try? NotifyMessage.response(to: message, rcode: .noError).wire() { actions.append(.sendUDP(reply, to: from)) }
        actions.append(.trace(.notifyReceived(zone: question.name, from: from, accepted: true)))
        checkNowOrLater(index, now: now, actions: &actions)
    }

    /// The copy is current: re-arm refresh and expire, serve again if expired, then run a check a
    /// NOTIFY asked for meanwhile.
    mutating func refreshSucceeded(_ index: Int, now: Instant, actions: inout [SecondaryAction<Address>]) {
        zones[index].phase = .idle
        zones[index][.soaQueryTimeout] = nil
        zones[index][.transferTimeout] = nil
        zones[index][.retry] = nil
        guard let soa = copy(of: zones[index].origin)?.soa else { preconditionFailure("a refresh succeeds with a copy") }
        zones[index][.refresh] = now + refreshInterval(soa)
        zones[index][.expire] = now + interval(seconds: soa.expire)
        if zones[index].expired {
            zones[index].expired = false
            actions.append(.trace(.zoneRestored(zone: zones[index].origin, serial: soa.serial)))
        }
        updateServability()
        if zones[index].notifyPending {
            zones[index].notifyPending = false
            startCheck(index, now: now, actions: &actions)
        }
    }

    /// The check or transfer failed: close what is open and retry after RETRY.
    mutating func refreshFailed(
        _ index: Int, _ reason: RefreshFailure, now: Instant, actions: inout [SecondaryAction<Address>], closing: Bool = true
    ) {
        if closing, case .transferring(let attempt) = zones[index].phase { actions.append(.closeTCP(.opened(attempt.tag))) }
        zones[index].phase = .idle
        zones[index].notifyPending = false
        zones[index][.soaQueryTimeout] = nil
        zones[index][.transferTimeout] = nil
        zones[index][.refresh] = nil
        let soa = copy(of: zones[index].origin)?.soa
        zones[index][.retry] = now + (soa.map { interval(seconds: $0.retry) } ?? config.bootstrapRetry)
        stats.refreshFailures &+= 1
        actions.append(.trace(.refreshFailed(zone: zones[index].origin, reason: reason)))
    }

    private func refreshInterval(_ soa: SOA) -> SimDuration {
        switch config.refresh {
        case .soaTimers: interval(seconds: soa.refresh)
        case .fixed(let interval): interval
        }
    }
}
