import DNSWire
import DNSZone
import Determinism
import Nameserver
import SimNet
import Storage

/// The primary's side of the web server's pushes (`ZoneChangePush`) and the periodic check that
/// catches commits whose push was lost.
extension PrimaryNode {
    /// OPCODE UPDATE in the header's second octet (RFC 1035 §4.1.1, RFC 2136 §2.2).
    static func isUpdate(_ payload: [UInt8]) -> Bool {
        payload.count >= 12 && (payload[2] >> 3) & 0x0F == 5 && payload[2] & 0x80 == 0
    }

    /// Applies a push to the served copy (the database already holds it) and acknowledges it; a
    /// push that does not start from the served serial reloads the zone from the database.
    mutating func receivedPush(_ datagram: Datagram, now: Instant, actions: inout [NodeAction]) {
        guard let message = try? Message(wire: datagram.payload), let push = ZoneChangePush.decode(message) else {
            pushesRejected += 1
            return
        }
        var rcode = RCode.noError
        switch preparedDiff(push) {
        case .apply(let diff):
            if machine.applyCommitted(diff, now: now, actions: &output) { pushesApplied += 1 } else { reload(push.origin, now: now) }
        case .reload: reload(push.origin, now: now)
        case .stale: break
        case .unknownZone: rcode = .notAuth
        }
        let response = ZoneChangePush.response(to: message, rcode: rcode)
        if let bytes = try? response.wire() {
            actions.append(.send(Datagram(source: port53, destination: datagram.source, payload: bytes)))
        }
    }

    enum PushPlan {
        case apply(ZoneDiff), reload, stale, unknownZone
    }

    /// What to do with a push, decided without holding on to the served zone (so the machine can
    /// change it in place): apply it, reload from the database (it skips a version), or nothing
    /// (already served).
    func preparedDiff(_ push: ZoneChangePush.Decoded) -> PushPlan {
        guard let zone = machine.server.zones.zone(named: push.origin), let soa = zone.soaRRset, let served = zone.soa else {
            return .unknownZone
        }
        guard served.serial == push.oldSerial else {
            let newer = SerialNumber(served.serial).isLess(than: SerialNumber(push.newSOA.soaSerial ?? served.serial))
            return newer ? .reload : .stale
        }
        var decoded = push
        decoded.removed = push.removed.map { record in
            var withTTL = record
            withTTL.ttl = zone.rrset(at: record.name, type: record.type)?.ttl ?? 0
            return withTTL
        }
        return .apply(decoded.diff(oldSOA: ResourceRecord(name: push.origin, ttl: soa.ttl, rdata: .soa(served))))
    }

    /// Compares every served zone's serial with the database and reloads the ones that moved.
    mutating func reconcile(now: Instant) {
        guard let stored = try? store.zones() else {
            storageFailures += 1
            return
        }
        for info in stored where info.kind == .master {
            guard let zone = machine.server.zones.zone(named: info.origin), let served = zone.soa,
                  let stored = (try? store.serial(of: info.origin)) ?? nil, stored != served.serial
            else { continue }
            reload(info.origin, now: now)
        }
    }

    /// Loads the zone from the database and hands the machine the difference to its served copy.
    mutating func reload(_ origin: DNSName, now: Instant) {
        guard let fresh = try? store.loadZone(origin), let zone = machine.server.zones.zone(named: origin) else {
            storageFailures += 1
            return
        }
        let diff = try? ZoneDiff(from: zone, to: fresh)
        machine.handle(.zoneChanged(origin: origin, newZone: fresh, diff: diff), now: now, actions: &output)
        zonesReloaded += 1
    }
}

extension ResourceRecord {
    /// The serial of an SOA record.
    var soaSerial: UInt32? {
        if case .soa(let soa) = rdata { soa.serial } else { nil }
    }
}
