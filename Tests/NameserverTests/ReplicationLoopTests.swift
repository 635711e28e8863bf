import DNSWire
import DNSZone
import Determinism
import Nameserver
import Testing

/// A primary and its secondaries wired through `FakeNetwork` (1 ms each way): NOTIFY (RFC 1996),
/// IXFR (RFC 1995), AXFR (RFC 5936) and the SOA timers (RFC 1034 §4.3.5) working together.
@Suite struct ReplicationLoopTests {
    static func network(
        secondaries: Int = 2, primary: PrimaryConfig<TestAddress>? = nil,
        secondary: SecondaryConfig<TestAddress> = SecondaryConfig(primary: .primary, zones: [origin]),
        zone: Zone = exampleZone(serial: 1)
    ) -> FakeNetwork {
        let config = primary ?? PrimaryConfig(secondaries: (0..<secondaries).map { TestAddress.secondary($0) })
        var network = FakeNetwork(primaryZone: zone, primaryConfig: config, secondaries: secondaries,
                                  secondaryConfig: secondary, secondaryCopies: [zone])
        network.run(for: .seconds(1))  // start-up checks settle
        return network
    }

    @Test func changeReachesEverySecondaryByNotifyAndIXFR() throws {
        var network = Self.network()
        let v2 = changed(exampleZone(serial: 1), add: ["home A 198.51.100.7"])
        let committed = network.now
        network.commit(v2)
        network.run(for: .seconds(1))
        for index in 0..<2 {
            let transfers = network.transfers(index).filter { $0.at >= committed }
            #expect(transfers.map(\.style) == [.ixfrIncremental] && transfers.map(\.serial) == [2])
            #expect(try #require(transfers.first).at - committed <= .milliseconds(50))
            #expect(text(network.copy(index)) == text(v2))
            #expect(network.persisted[index].last?.2.map(\.newSerial) == [SerialNumber(2)])
            #expect(network.ask(index, "home.example.org.", .a).answers.map(\.description)
                    == ["home.example.org. 300 IN A 198.51.100.7"])
        }
        #expect(network.primaryTraces.contains { if case .notifyAcknowledged(_, .secondary(1), .noError) = $0.1 { return true }; return false })
    }

    /// Point 3 of issue 4: IXFR when the journal reaches back, the whole zone when it is too short.
    @Test func journalTooShortForcesAWholeZoneThenIXFRResumes() throws {
        var network = Self.network(primary: PrimaryConfig(secondaries: [.secondary(0), .secondary(1)], journalDiffCountMax: 2))
        network.dropDatagram = { _, to, message in message.opcode == .notify && to == .secondary(0) }
        var zone = exampleZone(serial: 1)
        for step in 1...3 {
            zone = changed(zone, add: ["h\(step) A 198.51.100.\(step)"])
            network.commit(zone)
            network.run(for: .seconds(1))
        }
        #expect(network.transfers(1).map(\.style) == [.ixfrIncremental, .ixfrIncremental, .ixfrIncremental])
        #expect(serial(network.copy(0)) == 1, "secondary 0 missed every NOTIFY")
        // Its refresh (60 s) asks IXFR from serial 1; the journal starts at serial 2.
        network.run(until: .s(62))
        #expect(network.transfers(0).map(\.style) == [.ixfrFullZone])
        #expect(text(network.copy(0)) == text(zone))
        #expect(network.persisted[0].last?.2.isEmpty == true, "a whole zone replaces the stored copy")
        // Now in step again, the next change goes incrementally.
        network.dropDatagram = { _, _, _ in false }
        zone = changed(zone, remove: ["www A 192.0.2.10"])
        network.commit(zone)
        network.run(for: .seconds(1))
        #expect(network.transfers(0).map(\.style) == [.ixfrFullZone, .ixfrIncremental])
        #expect(text(network.copy(0)) == text(zone) && text(network.copy(1)) == text(zone))
    }

    /// The PowerDNS way: no incremental IXFR served, or AXFR asked for outright.
    @Test(arguments: [(IXFRServing.wholeZoneOnly, TransferRequestPolicy.ixfrThenAXFR, TransferStyle.ixfrFullZone),
                      (.incremental, .axfrOnly, .axfr)])
    func powerDNSStyleTransfersMoveTheWholeZone(serving: IXFRServing, request: TransferRequestPolicy, expected: TransferStyle) throws {
        var network = Self.network(
            secondaries: 1, primary: PrimaryConfig(secondaries: [.secondary(0)], transfer: TransferPolicy(ixfr: serving)),
            secondary: SecondaryConfig(primary: .primary, zones: [origin], transferRequest: request))
        let v2 = changed(exampleZone(serial: 1), add: ["home A 198.51.100.7"])
        network.commit(v2)
        network.run(for: .seconds(1))
        #expect(network.transfers(0).map(\.style) == [expected])
        #expect(text(network.copy(0)) == text(v2))
    }

    @Test func lostNotifyIsCaughtUpByTheRefreshTimer() throws {
        var network = Self.network(secondaries: 1)
        network.dropDatagram = { _, _, message in message.opcode == .notify }
        let v2 = changed(exampleZone(serial: 1), add: ["home A 198.51.100.7"])
        network.run(until: .s(10))
        network.commit(v2)
        network.run(until: .s(59))
        #expect(serial(network.copy(0)) == 1)
        network.run(until: .s(62))
        let transfer = try #require(network.transfers(0).first)
        #expect(transfer.serial == 2 && transfer.at > .s(60) && transfer.at < .s(61), "REFRESH 60 s after the last check")
        network.run(until: .s(120))
        #expect(network.primaryTraces.contains { if case .notifyAbandoned(_, .secondary(0), 5) = $0.1 { return true }; return false })
    }

    @Test func partitionShorterThanExpireKeepsServingThenCatchesUp() throws {
        var network = Self.network(secondaries: 1)
        network.partitioned = [0]
        let v2 = changed(exampleZone(serial: 1), add: ["home A 198.51.100.7"])
        network.run(until: .s(50))
        network.commit(v2)
        network.run(until: .s(150))
        #expect(network.ask(0, "www.example.org.", .a).rcode == .noError, "old data is served before expiry")
        #expect(network.ask(0, "home.example.org.", .a).rcode == .nxDomain)
        network.partitioned = []
        network.run(until: .s(170))
        let transfer = try #require(network.transfers(0).first)
        #expect(transfer.at > .s(150) && transfer.at <= .s(160) + .milliseconds(50), "within one RETRY of the heal")
        #expect(network.ask(0, "home.example.org.", .a).answers.count == 1)
    }

    @Test func primaryUnreachableBeyondExpireMeansServFailThenRecovery() throws {
        var network = Self.network()
        network.partitioned = [0]
        network.run(until: .s(100))
        let v2 = changed(exampleZone(serial: 1), add: ["home A 198.51.100.7"])
        network.commit(v2)
        network.run(until: .s(299))
        #expect(network.ask(0, "www.example.org.", .a).rcode == .noError)
        network.run(until: .s(301))
        #expect(network.ask(0, "www.example.org.", .a).rcode == .servFail, "past EXPIRE 300 s")
        #expect(network.ask(1, "home.example.org.", .a).rcode == .noError, "the reachable secondary has the change")
        network.run(until: .s(400))
        #expect(network.ask(0, "www.example.org.", .a).rcode == .servFail)
        network.partitioned = []
        network.run(until: .s(420))
        #expect(network.secondaryTraces[0].contains { if case .zoneRestored(_, 2) = $0.1 { return true }; return false })
        #expect(network.ask(0, "home.example.org.", .a).answers.count == 1)
        #expect(network.secondaries[0]?.isUnservable(origin) == false)
    }

    /// Growth: a secondary with no copy joins under changes, catches up by AXFR, then follows by IXFR.
    @Test func joiningSecondaryCatchesUpByAXFR() throws {
        var network = Self.network(secondaries: 1)
        var zone = exampleZone(serial: 1)
        for step in 1...5 {
            zone = changed(zone, add: ["h\(step) A 198.51.100.\(step)"])
            network.commit(zone)
            network.run(for: .milliseconds(200))
        }
        let joined = network.join(config: SecondaryConfig(primary: .primary, zones: [origin]))
        #expect(network.ask(joined, "www.example.org.", .a).rcode == .servFail, "no copy yet")
        network.run(for: .milliseconds(100))
        #expect(network.transfers(joined).map(\.style) == [.axfr])
        #expect(text(network.copy(joined)) == text(zone))
        zone = changed(zone, add: ["late A 198.51.100.99"])
        network.commit(zone)
        network.run(for: .seconds(1))
        #expect(network.transfers(joined).map(\.style) == [.axfr, .ixfrIncremental])
        #expect(text(network.copy(joined)) == text(zone))
    }

    /// PowerDNS's `xfr-cycle-interval`: a change waits for the next tick, so the lag follows it.
    @Test func periodicNotifyLagFollowsTheInterval() throws {
        let interval = SimDuration.seconds(10)
        var network = Self.network(
            secondaries: 1, primary: PrimaryConfig(secondaries: [.secondary(0)], notify: .periodic(interval: interval)),
            zone: exampleZone(serial: 1, refresh: 3600, expire: 86_400))
        var zone = exampleZone(serial: 1, refresh: 3600, expire: 86_400)
        var commits: [(Instant, UInt32)] = []
        for at in [Instant.s(2), .s(13), .s(29)] {
            network.run(until: at)
            zone = changed(zone, add: ["h\(at.seconds) A 198.51.100.\(at.seconds)"])
            network.commit(zone)
            commits.append((network.now, zone.soa?.serial ?? 0))
        }
        network.run(until: .s(45))
        let transfers = network.transfers(0)
        #expect(transfers.map(\.serial) == [2, 3, 4])
        // The ticks are at 10, 20, 30 s: each change is served just after the tick that follows it.
        for (transfer, tick) in zip(transfers, [Instant.s(10), .s(20), .s(30)]) {
            #expect(transfer.at > tick && transfer.at - tick < .milliseconds(50))
        }
        for (transfer, commit) in zip(transfers, commits) { #expect(transfer.at - commit.0 <= interval + .milliseconds(50)) }
    }

    /// No NOTIFY at all: secondaries poll every interval, so the lag is at most the interval.
    @Test func pollingWithoutNotifyLagFollowsThePollInterval() throws {
        var network = Self.network(
            secondaries: 2, primary: PrimaryConfig(secondaries: [.secondary(0), .secondary(1)], notify: .never),
            secondary: SecondaryConfig(primary: .primary, zones: [origin], refresh: .fixed(interval: .seconds(5))))
        var zone = exampleZone(serial: 1)
        var commits: [Instant] = []
        for at in [Instant.s(3), .s(11), .s(17)] {
            network.run(until: at)
            zone = changed(zone, add: ["p\(at.seconds) A 198.51.100.\(at.seconds)"])
            network.commit(zone)
            commits.append(network.now)
        }
        network.run(until: .s(30))
        #expect(!network.primaryTraces.contains { if case .notifySent = $0.1 { return true }; return false })
        for index in 0..<2 {
            let transfers = network.transfers(index)
            #expect(transfers.map(\.serial) == [2, 3, 4])
            for (transfer, commit) in zip(transfers, commits) {
                #expect(transfer.at > commit && transfer.at - commit <= .seconds(5) + .milliseconds(50))
            }
            #expect(text(network.copy(index)) == text(zone))
        }
    }

    /// Issue 4, point 2: with NOTIFY on change and 1 ms links, every change reaches every secondary
    /// within 50 ms and none is lost, also when changes come faster than transfers.
    @Test(arguments: [SimDuration.milliseconds(20), .milliseconds(3)])
    func burstOfChangesIsNeverLost(spacing: SimDuration) throws {
        var network = Self.network(secondaries: 3)
        var zone = exampleZone(serial: 1)
        var commits: [(Instant, UInt32)] = []
        for step in 1...40 {
            zone = changed(zone, add: ["d\(step % 7) A 198.51.100.\(step)"], remove: step > 7 ? ["d\(step % 7) A 198.51.100.\(step - 7)"] : [])
            network.commit(zone)
            commits.append((network.now, zone.soa?.serial ?? 0))
            network.run(for: spacing)
        }
        network.run(for: .seconds(2))
        for index in 0..<3 {
            #expect(text(network.copy(index)) == text(zone), "secondary \(index) ends equal to the primary")
            for (committed, serial) in commits {
                let served = network.persisted[index].first {
                    $0.0 >= committed && !SerialNumber($0.1.soa?.serial ?? 0).isLess(than: SerialNumber(serial))
                }
                let lag = try #require(served.map { $0.0 - committed }, "serial \(serial) never reached secondary \(index)")
                #expect(lag <= .milliseconds(50), "serial \(serial) took \(lag) to reach secondary \(index)")
            }
        }
    }

    /// A restarted primary has lost its journal: a secondary that missed changes gets the whole
    /// zone; changes after the restart go incrementally again. `notifyOnStart` announces the zone.
    @Test func restartedPrimaryRebuildsItsJournal() throws {
        var network = Self.network(secondaries: 2)
        network.dropDatagram = { _, to, message in message.opcode == .notify && to == .secondary(0) }
        let v2 = changed(exampleZone(serial: 1), add: ["home A 198.51.100.7"])
        network.commit(v2)
        network.run(for: .seconds(1))
        #expect(serial(network.copy(0)) == 1 && serial(network.copy(1)) == 2)
        network.dropDatagram = { _, _, _ in false }
        network.primary = Primary(zones: try ZoneSet([v2]), config: network.primary.config, random: SeededRandom(seed: 2))
        network.deliverNow(.primary(.started))
        network.run(for: .seconds(1))
        #expect(network.transfers(0).map(\.style) == [.ixfrFullZone], "the NOTIFY at start-up reached secondary 0")
        let v3 = changed(v2, add: ["after A 198.51.100.8"])
        network.commit(v3)
        network.run(for: .seconds(1))
        #expect(network.transfers(0).map(\.style) == [.ixfrFullZone, .ixfrIncremental])
        #expect(network.transfers(1).map(\.style) == [.ixfrIncremental, .ixfrIncremental])
        #expect(text(network.copy(0)) == text(v3) && text(network.copy(1)) == text(v3))
    }

    /// Every nameserver ends with the same AXFR content (issue 4, point 4, in miniature).
    @Test func secondariesServeTheSameAXFRAsThePrimary() throws {
        var network = Self.network()
        var zone = exampleZone(serial: 1)
        for step in 1...3 {
            zone = changed(zone, add: ["h\(step) A 198.51.100.\(step)"], remove: step == 2 ? ["txt TXT \"hello\""] : [])
            network.commit(zone)
            network.run(for: .milliseconds(100))
        }
        let primaryAXFR = try Self.axfr(from: &network.primary)
        for index in 0..<2 {
            guard var secondary = network.secondaries[index] else { continue }
            let request = try Message.query(id: 3, name: origin, type: .axfr).wire()
            let actions = secondary.handle(.tcpReceived(request, on: .accepted(9)), now: network.now)
            var receiver = ZoneTransferReceiver(origin: origin, queryID: 3, request: .axfr)
            var result: ZoneTransferResult?
            for case .sendTCP(let bytes, _) in actions { result = try receiver.receive(bytes) }
            guard case .wholeZone(let copy, _)? = result else {
                Issue.record("secondary \(index) did not serve AXFR")
                continue
            }
            #expect(text(copy) == text(primaryAXFR))
        }
    }

    static func axfr(from primary: inout Primary) throws -> Zone {
        let request = try Message.query(id: 4, name: origin, type: .axfr).wire()
        var receiver = ZoneTransferReceiver(origin: origin, queryID: 4, request: .axfr)
        var result: ZoneTransferResult?
        for case .sendTCP(let bytes, _) in primary.handle(.tcpReceived(request, on: .accepted(1)), now: .zero) {
            result = try receiver.receive(bytes)
        }
        guard case .wholeZone(let zone, _)? = result else { throw ZoneTransferError.incomplete(recordsReceived: 0) }
        return zone
    }
}
