import DNSWire
import DNSZone
import Determinism
import Nameserver
import Testing

/// NOTIFY on both sides (RFC 1996).
@Suite struct RFC1996_NotifyTests {
    static func primary(_ notify: NotifyPolicy = .onCommit, secondaries: [TestAddress] = [.secondary(0), .secondary(1)]) -> Primary {
        let config = PrimaryConfig(secondaries: secondaries, notify: notify, notifyOnStart: false)
        guard let zones = try? ZoneSet([exampleZone(serial: 1)]) else { fatalError("zone set") }
        return Primary(zones: zones, config: config, random: SeededRandom(seed: 11))
    }

    static func notifies(_ actions: [PrimaryAction<TestAddress>]) -> [(TestAddress, Message)] {
        actions.compactMap {
            if case .sendUDP(let bytes, let to) = $0 { return (to, decode(bytes)) }
            return nil
        }
    }

    /// §3.7, §4.1: OPCODE NOTIFY, AA, QNAME the zone, QTYPE SOA, the new SOA as a hint; one per secondary.
    @Test func commitNotifiesEverySecondary() throws {
        var primary = Self.primary()
        let actions = primary.handle(.zoneChanged(origin: origin, newZone: changed(exampleZone(serial: 1)), diff: nil), now: .s(5))
        let sent = Self.notifies(actions)
        #expect(sent.map(\.0) == [.secondary(0), .secondary(1)])
        for (_, message) in sent {
            #expect(message.opcode == .notify && message.flags == .aa)
            #expect(message.questions == [Question(name: origin, type: .soa)])
            #expect(message.answers == [soaRecord(serial: 2)])
        }
        #expect(Set(sent.map(\.1.id)).count == 2, "each NOTIFY has its own ID")
        #expect(primary.nextDeadline == .s(5 + 3))
    }

    /// §3.6 with PowerDNS's schedule: resent 3, 5, 9 and 17 s apart, given up after five sends.
    @Test func unansweredNotifyIsRetriedWithBackoffThenAbandoned() throws {
        var primary = Self.primary(secondaries: [.secondary(0)])
        var sendTimes: [Instant] = []
        var ids: Set<UInt16> = []
        var abandoned = false
        var actions = primary.handle(.zoneChanged(origin: origin, newZone: changed(exampleZone(serial: 1)), diff: nil), now: .zero)
        var now = Instant.zero
        while true {
            for (_, message) in Self.notifies(actions) {
                sendTimes.append(now)
                ids.insert(message.id)
            }
            abandoned = abandoned || traces(actions).contains {
                if case .notifyAbandoned(_, .secondary(0), 5) = $0 { return true }
                return false
            }
            guard let next = primary.nextDeadline else { break }
            now = next
            actions = primary.handle(.timerFired, now: now)
        }
        #expect(sendTimes == [.s(0), .s(3), .s(8), .s(17), .s(34)])
        #expect(ids.count == 1, "retransmissions keep the ID")
        #expect(abandoned && now == .s(34 + 33))
    }

    /// §4.7: a response with the NOTIFY's ID from that host ends the retries; others do not.
    @Test func matchingResponseStopsRetries() throws {
        var primary = Self.primary(secondaries: [.secondary(0)])
        let actions = primary.handle(.zoneChanged(origin: origin, newZone: changed(exampleZone(serial: 1)), diff: nil), now: .zero)
        let notify = try #require(Self.notifies(actions).first?.1)
        let response = try NotifyMessage.response(to: notify, rcode: .noError).wire()
        var wrongID = NotifyMessage.response(to: notify, rcode: .noError)
        wrongID.id &+= 1
        let stray = primary.handle(.datagramReceived(try wrongID.wire(), from: .secondary(0)), now: .ms(1))
        #expect(traces(stray) == [.notifyResponseUnmatched(from: .secondary(0), id: wrongID.id)])
        _ = primary.handle(.datagramReceived(response, from: .secondary(1)), now: .ms(1))
        #expect(primary.nextDeadline != nil, "a response from another host does not count")
        let done = primary.handle(.datagramReceived(response, from: .secondary(0)), now: .ms(2))
        #expect(traces(done) == [.notifyAcknowledged(zone: origin, by: .secondary(0), rcode: .noError)])
        #expect(primary.nextDeadline == nil)
    }

    @Test func newerChangeReplacesAPendingNotify() throws {
        var primary = Self.primary(secondaries: [.secondary(0)])
        let v2 = changed(exampleZone(serial: 1))
        let first = primary.handle(.zoneChanged(origin: origin, newZone: v2, diff: nil), now: .zero)
        let second = primary.handle(.zoneChanged(origin: origin, newZone: changed(v2), diff: nil), now: .s(1))
        let oldID = try #require(Self.notifies(first).first?.1.id)
        let newNotify = try #require(Self.notifies(second).first?.1)
        #expect(newNotify.answers == [soaRecord(serial: 3)])
        // Only the newer NOTIFY is retried.
        let retry = primary.handle(.timerFired, now: .s(4))
        #expect(Self.notifies(retry).map(\.1.id) == [newNotify.id])
        #expect(oldID != newNotify.id || Self.notifies(retry).count == 1)
    }

    /// PowerDNS `xfr-cycle-interval`: nothing on commit, a NOTIFY at the next tick if the serial moved.
    @Test func periodicPolicyNotifiesAtTheNextTick() throws {
        var primary = Self.primary(.periodic(interval: .seconds(60)))
        _ = primary.handle(.started, now: .zero)
        #expect(primary.nextDeadline == .s(60))
        let commit = primary.handle(.zoneChanged(origin: origin, newZone: changed(exampleZone(serial: 1)), diff: nil), now: .s(10))
        #expect(Self.notifies(commit).isEmpty)
        let tick = primary.handle(.timerFired, now: .s(60))
        #expect(Self.notifies(tick).count == 2)
        for (to, message) in Self.notifies(tick) {
            _ = primary.handle(.datagramReceived(try NotifyMessage.response(to: message, rcode: .noError).wire(), from: to), now: .s(60))
        }
        #expect(primary.nextDeadline == .s(120))
        let quiet = primary.handle(.timerFired, now: .s(120))
        #expect(Self.notifies(quiet).isEmpty, "no change since the last tick")
    }

    @Test func neverPolicySendsNothing() throws {
        var primary = Self.primary(.never)
        _ = primary.handle(.started, now: .zero)
        let actions = primary.handle(.zoneChanged(origin: origin, newZone: changed(exampleZone(serial: 1)), diff: nil), now: .s(1))
        #expect(Self.notifies(actions).isEmpty && primary.nextDeadline == nil)
    }

    @Test func secondaryAddedAtRunTimeIsNotifiedOfLaterChanges() throws {
        var primary = Self.primary(secondaries: [])
        _ = primary.handle(.secondaryAdded(.secondary(5)), now: .zero)
        let actions = primary.handle(.zoneChanged(origin: origin, newZone: changed(exampleZone(serial: 1)), diff: nil), now: .s(1))
        #expect(Self.notifies(actions).map(\.0) == [.secondary(5)])
        _ = primary.handle(.secondaryRemoved(.secondary(5)), now: .s(2))
        #expect(primary.nextDeadline == nil)
    }

    static func secondary(notify: NotifyAcceptance = .fromPrimary) -> Secondary {
        let config = SecondaryConfig(primary: TestAddress.primary, zones: [origin], notify: notify)
        var secondary = Secondary(config: config, storedCopies: [exampleZone(serial: 1)], random: SeededRandom(seed: 5))
        let startup = secondary.handle(.started, now: .zero)
        // Answer the startup check: the copy is current.
        if let query = udpSent(startup, to: .primary).first {
            var answer = query.makeResponse()
            answer.flags.insert(.aa)
            answer.answers = [soaRecord(serial: 1)]
            _ = secondary.handle(.datagramReceived((try? answer.wire()) ?? [], from: .primary), now: .ms(1))
        }
        return secondary
    }

    /// §4.7 then §3.11: the response goes first (same ID, QR, AA, question), then an SOA query.
    @Test func secondaryAnswersThenChecksAtOnce() throws {
        var secondary = Self.secondary()
        let notify = NotifyMessage.make(id: 0xBEEF, zone: origin, soa: soaRecord(serial: 2))
        let actions = secondary.handle(.datagramReceived(try notify.wire(), from: .primary), now: .s(1))
        let sent = udpSent(actions, to: .primary)
        #expect(sent.count == 2)
        #expect(sent[0].id == 0xBEEF && sent[0].opcode == .notify && sent[0].flags.contains(.qr) && sent[0].flags.contains(.aa))
        #expect(sent[0].rcode == .noError && sent[0].questions == notify.questions)
        #expect(sent[1].opcode == .query && sent[1].questions == [Question(name: origin, type: .soa)])
        #expect(traces(actions).first == .notifyReceived(zone: origin, from: .primary, accepted: true))
    }

    /// §3.10: a NOTIFY from a host that is not the primary is refused, and so is one for a zone we
    /// do not hold.
    @Test func secondaryRefusesStrangers() throws {
        var secondary = Self.secondary()
        let notify = try NotifyMessage.make(id: 1, zone: origin, soa: nil).wire()
        let stranger = secondary.handle(.datagramReceived(notify, from: .client(3)), now: .s(1))
        #expect(udpSent(stranger, to: .client(3)).map(\.rcode) == [.refused])
        #expect(udpSent(stranger, to: .primary).isEmpty)
        let other = try NotifyMessage.make(id: 2, zone: name("example.net."), soa: nil).wire()
        let unknown = secondary.handle(.datagramReceived(other, from: .primary), now: .s(1))
        #expect(udpSent(unknown, to: .primary).map(\.rcode) == [.refused])
        var open = Self.secondary(notify: .fromAnyone)
        let accepted = open.handle(.datagramReceived(notify, from: .client(3)), now: .s(1))
        #expect(udpSent(accepted, to: .client(3)).map(\.rcode) == [.noError])
        var deaf = Self.secondary(notify: .ignored)
        let ignored = deaf.handle(.datagramReceived(notify, from: .primary), now: .s(1))
        #expect(udpSent(ignored, to: .primary).map(\.rcode) == [.refused])
    }

    /// A NOTIFY during a check is remembered: one more check follows the current one.
    @Test func notifyDuringACheckQueuesAnotherCheck() throws {
        var secondary = Self.secondary()
        let first = secondary.handle(.datagramReceived(try NotifyMessage.make(id: 1, zone: origin, soa: nil).wire(), from: .primary),
                                     now: .s(1))
        let query = try #require(udpSent(first, to: .primary).last)
        let second = secondary.handle(.datagramReceived(try NotifyMessage.make(id: 2, zone: origin, soa: nil).wire(), from: .primary),
                                      now: .s(1) + .milliseconds(1))
        #expect(udpSent(second, to: .primary).count == 1, "only the NOTIFY response; the check is running")
        var answer = query.makeResponse()
        answer.answers = [soaRecord(serial: 1)]
        let after = secondary.handle(.datagramReceived(try answer.wire(), from: .primary), now: .s(1) + .milliseconds(2))
        let again = udpSent(after, to: .primary)
        #expect(again.count == 1 && again[0].questions == [Question(name: origin, type: .soa)] && again[0].id != query.id)
    }
}
