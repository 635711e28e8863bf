// Issue 8, replay: the ReplayClients machine, and captures replayed through the simulated cluster
// (points 3 and 4 on the committed PowerDNS capture).

import DNSWire
import DNSZone
import Determinism
import Foundation
import PcapCapture
import PcapDecode
import PcapReplay
import Reports
import Scenario
import Simulation
import Testing

/// A plan of three UDP queries from two clients, each with its captured response.
func smallPlan() -> ReplayPlan {
    let server = IPEndpoint(address: PcapDecode.IPAddress(ipv4: 0xC000_0235), port: 53)
    var messages: [CapturedDNSMessage] = []
    for (index, (client, name)) in [(1, "alice.dyn.example."), (2, "bob.dyn.example."), (1, "nx.alice.dyn.example.")]
        .enumerated() {
        let source = IPEndpoint(address: PcapDecode.IPAddress(ipv4: 0xC633_6400 + UInt32(client)), port: 40_000)
        let query = Message.query(id: UInt16(index + 1), name: DNSName(name)!, type: .a)
        var response = query.makeResponse()
        if index == 2 { response.rcode = .nxDomain }
        let at = UInt64(index) * 10_000_000
        messages.append(CapturedDNSMessage(frameNumber: 2 * index, timestampNanoseconds: at, source: source,
                                           destination: server, transport: .udp, wire: try! query.wire()))
        messages.append(CapturedDNSMessage(frameNumber: 2 * index + 1, timestampNanoseconds: at + 1_000_000,
                                           source: server, destination: source, transport: .udp, wire: try! response.wire()))
    }
    return ReplayPlan(messages: messages)
}

@Suite("Replay through the cluster", .serialized)
struct ReplayTests {
    @Test func clientsSendAtTheirTimesAndJudgeTheAnswers() throws {
        let plan = smallPlan()
        #expect(plan.clients.count == 2 && plan.queries.count == 3)
        var config = ReplayClientsConfig(serverCount: 2, stopAt: Instant(nanoseconds: 10_000_000_000))
        config.startAt = Instant(nanoseconds: 1_000_000_000)
        config.timeout = .milliseconds(500)
        var machine = ReplayClients(plan: plan, config: config)
        #expect(machine.nextDeadline == Instant(nanoseconds: 1_000_000_000))
        var actions: [ReplayClients.Action] = []
        machine.wake(now: Instant(nanoseconds: 1_000_000_000), actions: &actions)
        guard case .sendUDP(0, 40_000, 0, let first, _)? = actions.first else {
            Issue.record("first action \(actions)")
            return
        }
        #expect(first == plan.queries[0].wire)
        actions.removeAll()
        machine.wake(now: Instant(nanoseconds: 1_010_000_000), actions: &actions)
        machine.wake(now: Instant(nanoseconds: 1_020_000_000), actions: &actions)
        #expect(actions.count == 2)
        // Client 0 gets its captured answer for query 1 and a different RCODE for query 3; client 1 nothing.
        machine.received(plan.queries[0].capturedResponse!, client: 0, port: 40_000, now: Instant(nanoseconds: 1_030_000_000))
        var changed = try Message(wire: plan.queries[2].capturedResponse!)
        changed.rcode = .servFail
        machine.received(try changed.wire(), client: 0, port: 40_000, now: Instant(nanoseconds: 1_040_000_000))
        machine.wake(now: Instant(nanoseconds: 2_000_000_000), actions: &actions)
        #expect(machine.nextDeadline == nil)
        #expect(machine.stats[0].same == 1 && machine.stats[0].differentRCode == 1 && machine.stats[0].missing == 0)
        #expect(machine.stats[1].missing == 1 && machine.stats[1].answered == 0)
        #expect(machine.stats[0].examples.map(\.verdict) == [.differentRCode])
        #expect(machine.stats[1].examples.first?.simulated == "no answer")
        // A late answer is counted, not judged.
        machine.received(plan.queries[1].capturedResponse!, client: 1, port: 40_000, now: Instant(nanoseconds: 2_100_000_000))
        #expect(machine.late == 1 && machine.stats[1].missing == 1)
    }

    @Test func loopRepeatsThePlanUntilTheEnd() {
        let plan = smallPlan()
        var config = ReplayClientsConfig(serverCount: 1, stopAt: Instant(nanoseconds: 1_000_000_000))
        config.loop = true
        config.timeout = .milliseconds(100)
        var machine = ReplayClients(plan: plan, config: config)
        var actions: [ReplayClients.Action] = []
        while let next = machine.nextDeadline, next < Instant(nanoseconds: 2_000_000_000) {
            machine.wake(now: next, actions: &actions)
        }
        // Span 20 ms plus a 10 ms gap: a round every 30 ms, 33 rounds and the first query of the 34th
        // (at 990 ms) before the end; nobody answers.
        #expect(machine.stats.reduce(0) { $0 + $1.queries } == 33 * 3 + 1)
        #expect(machine.stats.reduce(0) { $0 + $1.missing } == 33 * 3 + 1)
    }

    @Test func anonymisedAddressesAreDistinctAndFollowTheSeed() {
        let mapped = ReplayNode.addresses(for: ["127.0.0.1", "127.0.0.2", "2001:db8::1"], mapping: .anonymise, seed: 1,
                                          label: "x")
        #expect(Set(mapped).count == 3)
        #expect(mapped[0].description.hasPrefix("100.") && mapped[2].description.hasPrefix("2001:db8:e:"))
        #expect(mapped == ReplayNode.addresses(for: ["127.0.0.1", "127.0.0.2", "2001:db8::1"], mapping: .anonymise,
                                               seed: 1, label: "x"))
        #expect(mapped != ReplayNode.addresses(for: ["127.0.0.1", "127.0.0.2", "2001:db8::1"], mapping: .anonymise,
                                               seed: 2, label: "x"))
        #expect(ReplayNode.addresses(for: ["127.0.0.1"], mapping: .keep, seed: 1, label: "x").map(\.description)
            == ["127.0.0.1"])
    }

    /// Loads a replay scenario of this repository with its capture, as `ddnslab run` does.
    func runReplayScenario(_ relativePath: String) throws -> RunReport {
        let url = repositoryDirectory.appendingPathComponent(relativePath)
        let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        let scenario = try ScenarioLoader.scenario(yaml: text, file: relativePath)
        let zoneURL = url.deletingLastPathComponent().appendingPathComponent(scenario.zoneFiles[0]).standardizedFileURL
        let zone = try ZoneFileParser.load(String(decoding: try Data(contentsOf: zoneURL), as: UTF8.self),
                                           fileName: zoneURL.path, origin: DNSName("dyn.example.")!).zone
        var run = ScenarioRun(scenario: scenario, zones: try ZoneSet([zone]), scenarioFile: relativePath)
        run.replayPlans = try scenario.replays.map { spec in
            let path = url.deletingLastPathComponent().appendingPathComponent(spec.file).standardizedFileURL.path
            return ReplayPlan(messages: try CaptureFrames.extractDNS(path: path).messages,
                              speedPartsPerMillion: spec.speedPartsPerMillion)
        }
        return try run.run().report
    }

    @Test("Issue 8 point 3: the PowerDNS capture replays with identical answers")
    func powerDNSCaptureReplaysIdentically() throws {
        let report = try runReplayScenario("scenarios/replay/powerdns.yaml")
        #expect(report.figure("replay.queries") == 2660)
        #expect(report.figure("replay.same_ratio")! >= 99.9)
        #expect(report.replays.first?.clients.map(\.address) == ["127.0.53.1", "127.0.53.2", "127.0.53.3"])
        #expect(report.passed)
    }

    @Test("Issue 8 point 4: a crash in the middle shows per client what it would have seen")
    func crashShowsPerClientOutcome() throws {
        let report = try runReplayScenario("scenarios/replay/crash.yaml")
        let replay = try #require(report.replays.first)
        #expect(replay.clients.count == 3)
        #expect(replay.total.missing > 0)
        #expect(replay.clients.reduce(0) { $0 + $1.counts.missing } == replay.total.missing)
        // Every missing answer was sent while ns1 was down or being taken out.
        let missingSeconds = replay.seconds.indices.filter { replay.seconds[$0][2] > 0 }
        #expect(missingSeconds.allSatisfy { (7...13).contains($0) }, "\(missingSeconds)")
        #expect(report.passed)
    }
}
