import DNSWire
import DNSZone
import Determinism

extension PrimaryMachine {
    /// A committed change: replace the zone, journal the diff, NOTIFY per policy.
    mutating func commit(
        _ origin: DNSName, zone newZone: Zone, diff: ZoneDiff?, now: Instant, actions: inout [PrimaryAction<Address>]
    ) {
        precondition(newZone.origin == origin, "zoneChanged for \(origin) carries another zone")
        guard let newSOA = newZone.soa else { preconditionFailure("a committed zone has an SOA: \(origin)") }
        let index = zoneStateIndex(origin)
        let note: JournalNote
        if let old = server.zones.zone(named: origin), let oldSOA = old.soa {
            note = journal(index: index, old: oldSOA.serial, new: newSOA.serial,
                           change: diff ?? (try? ZoneDiff(from: old, to: newZone)), actions: &actions)
        } else {
            zoneStates[index].journal.removeAll()
            note = .newZone
        }
        _ = server.zones.replace(newZone)
        committed(origin, serial: newSOA.serial, note: note, now: now, actions: &actions)
    }

    /// Journals a change from serial `old` to `new` when it is a forward step that `change`
    /// describes; otherwise the journal restarts (and a serial that did not increase is traced).
    private mutating func journal(index: Int, old: UInt32, new: UInt32, change: ZoneDiff?,
                                  actions: inout [PrimaryAction<Address>]) -> JournalNote {
        let oldSerial = SerialNumber(old)
        let newSerial = SerialNumber(new)
        if !newSerial.isGreater(than: oldSerial) {
            actions.append(.trace(.serialNotIncreased(zone: zoneStates[index].origin, old: old, new: new)))
        }
        guard let change, change.oldSerial == oldSerial, change.newSerial == newSerial, newSerial.isGreater(than: oldSerial)
        else {
            zoneStates[index].journal.removeAll()
            return .restarted
        }
        switch zoneStates[index].journal.append(change) {
        case .appended: return .appended
        case .restarted: return .restarted
        }
    }

    /// What every commit ends with: the count, the trace, and the NOTIFY per policy.
    private mutating func committed(_ origin: DNSName, serial: UInt32, note: JournalNote, now: Instant,
                                    actions: inout [PrimaryAction<Address>]) {
        stats.commits &+= 1
        actions.append(.trace(.zoneCommitted(zone: origin, serial: serial, journal: note)))
        if config.notify == .onCommit { queueNotify(origin, serial: serial, now: now, actions: &actions) }
    }

    /// The state of `origin`, created for a zone seen the first time.
    mutating func zoneStateIndex(_ origin: DNSName) -> Int {
        if let index = zoneStates.firstIndex(where: { $0.origin == origin }) { return index }
        zoneStates.append(PrimaryZoneState(origin: origin, journal: makeJournal(origin), notifiedSerial: nil))
        return zoneStates.count - 1
    }

    /// Queues a NOTIFY of `origin` at `serial` to every secondary, replacing older ones, and sends.
    mutating func queueNotify(_ origin: DNSName, serial: UInt32, now: Instant, actions: inout [PrimaryAction<Address>]) {
        zoneStates[zoneStateIndex(origin)].notifiedSerial = serial
        for secondary in config.secondaries {
            pendingNotifies.removeAll { $0.zone == origin && $0.to == secondary }
            let id = UInt16(truncatingIfNeeded: random.next())
            pendingNotifies.append(PendingNotify(zone: origin, serial: serial, to: secondary, id: id, attempts: 0, next: now))
        }
        sendDueNotifies(now: now, actions: &actions)
    }

    /// Sends every NOTIFY that is due, gives up on those whose sends ran out, re-arms the timer.
    mutating func sendDueNotifies(now: Instant, actions: inout [PrimaryAction<Address>]) {
        var kept: [PendingNotify<Address>] = []
        kept.reserveCapacity(pendingNotifies.count)
        for var pending in pendingNotifies {
            guard pending.next <= now else {
                kept.append(pending)
                continue
            }
            if pending.attempts >= config.notifyRetry.attemptsMax {
                stats.notifiesAbandoned &+= 1
                actions.append(.trace(.notifyAbandoned(zone: pending.zone, to: pending.to, attempts: pending.attempts)))
                continue
            }
            pending.attempts += 1
            pending.next = now + config.notifyRetry.delay(afterAttempt: pending.attempts)
            let soa = server.zones.zone(named: pending.zone)?.soaRecord
            if let bytes = try? NotifyMessage.make(id: pending.id, zone: pending.zone, soa: soa).wire() {
                stats.notifiesSent &+= 1
                actions.append(.sendUDP(bytes, to: pending.to))
                actions.append(.trace(.notifySent(zone: pending.zone, serial: pending.serial, to: pending.to,
                                                  attempt: pending.attempts)))
            }
            kept.append(pending)
        }
        pendingNotifies = kept
        rearmNotifyRetry()
    }

    mutating func rearmNotifyRetry() {
        timers[PrimaryTimer.notifyRetry.rawValue] = pendingNotifies.map(\.next).min()
    }

    /// A NOTIFY response: the pending NOTIFY with the same host, ID and zone is done, whatever
    /// the RCODE (RFC 1996 §4.7; PowerDNS's `removeIf`).
    mutating func notifyResponse(_ bytes: [UInt8], from: Address, actions: inout [PrimaryAction<Address>]) {
        guard let message = try? Message(wire: bytes) else {
            stats.unmatchedResponses &+= 1
            return
        }
        let zone = message.question?.name
        guard let index = pendingNotifies.firstIndex(where: {
            $0.id == message.id && $0.to.isSameHost(as: from) && (zone == nil || $0.zone == zone)
        }) else {
            stats.unmatchedResponses &+= 1
            actions.append(.trace(.notifyResponseUnmatched(from: from, id: message.id)))
            return
        }
        let done = pendingNotifies.remove(at: index)
        stats.notifiesAcknowledged &+= 1
        actions.append(.trace(.notifyAcknowledged(zone: done.zone, by: done.to, rcode: message.rcode)))
        rearmNotifyRetry()
    }

    /// PowerDNS's `masterUpdateCheck`: NOTIFY the zones whose serial moved since the last tick.
    mutating func notifyCycle(now: Instant, actions: inout [PrimaryAction<Address>]) {
        guard case .periodic(let interval) = config.notify else { return }
        timers[PrimaryTimer.notifyCycle.rawValue] = now + interval
        for zone in server.zones.zones {
            guard let serial = zone.soa?.serial else { continue }
            let index = zoneStateIndex(zone.origin)
            if zoneStates[index].notifiedSerial != serial { queueNotify(zone.origin, serial: serial, now: now, actions: &actions) }
        }
    }
}

extension PrimaryMachine {
    /// A datagram on port 53: a NOTIFY response, or the query path (SOA checks included).
    mutating func datagram(_ bytes: [UInt8], from: Address, now: Instant, actions: inout [PrimaryAction<Address>]) {
        if HeaderPeek.isResponse(bytes) && HeaderPeek.opcode(bytes) == .notify {
            notifyResponse(bytes, from: from, actions: &actions)
            return
        }
        let reply = server.reply(to: bytes, over: .udp, now: now)
        for message in ReplyEncoding.messages(for: reply, over: .udp, transfer: { transferAnswer($0, udpLimit: $1) }) {
            actions.append(.sendUDP(message, to: from))
        }
    }

    /// A message on an accepted TCP connection: the query path, transfers answered in full.
    mutating func tcpMessage(_ bytes: [UInt8], on connection: TCPConnection, now: Instant, actions: inout [PrimaryAction<Address>]) {
        switch server.reply(to: bytes, over: .tcp, now: now) {
        case .response(let response): actions.append(.sendTCP(response, on: connection))
        case .none: break
        case .transfer(let request):
            let answer = transferAnswer(request, udpLimit: nil)
            for message in ReplyEncoding.encode(answer) { actions.append(.sendTCP(message, on: connection)) }
            actions.append(.trace(.transferServed(zone: request.zone, type: request.type, style: answer.style,
                                                  rcode: answer.rcode, records: answer.recordCount,
                                                  messages: answer.messages.count)))
        }
    }

    private mutating func transferAnswer(_ request: TransferRequest, udpLimit: Int?) -> TransferAnswer {
        guard let zone = server.zones.zone(named: request.zone) else {
            return ZoneTransferResponder.error(request.query, .notAuth)
        }
        let journal = zoneStates.first { $0.origin == request.zone }?.journal
        let answer = if let udpLimit {
            ZoneTransferResponder.answerOverUDP(request, zone: zone, journal: journal, policy: config.transfer, limit: udpLimit)
        } else {
            ZoneTransferResponder.answer(request, zone: zone, journal: journal, policy: config.transfer)
        }
        stats.transfersServed &+= 1
        stats.transferRecordsSent &+= UInt64(answer.recordCount)
        return answer
    }
}

extension PrimaryMachine {
    /// A change committed to the primary's database by another writer (the web server), applied
    /// to the served copy in place: the same as `zoneChanged` with the zone after `diff`, without
    /// copying the zone (a copy per change would cost the zone's size per update). False, with the
    /// served copy unchanged, when the difference does not start from the served version.
    public mutating func applyCommitted(_ diff: ZoneDiff, now: Instant, actions: inout [PrimaryAction<Address>]) -> Bool {
        let origin = diff.origin
        guard var zone = server.zones.remove(origin: origin) else { return false }
        guard let oldSOA = zone.soa, oldSOA.serial == diff.oldSerial.rawValue else {
            _ = server.zones.replace(zone)
            return false
        }
        do {
            try diff.apply(to: &zone)
        } catch {
            _ = server.zones.replace(zone)
            return false
        }
        let note = journal(index: zoneStateIndex(origin), old: oldSOA.serial, new: diff.newSerial.rawValue, change: diff,
                           actions: &actions)
        _ = server.zones.replace(zone)
        committed(origin, serial: diff.newSerial.rawValue, note: note, now: now, actions: &actions)
        return true
    }
}
