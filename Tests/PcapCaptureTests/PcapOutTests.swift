// Issue 8, point 2: a capture written from a run (`--pcap-out`) opens in tshark with no malformed packet,
// and its DNS message count equals the report's `pcap_out.dns_messages`.

import DNSWire
import DNSZone
import Foundation
import HarnessTesting
import PcapCapture
import PcapDecode
import PcapReplay
import Scenario
import Simulation
import Testing

let repositoryDirectory = fixtureDirectory.appendingPathComponent("../..").standardizedFileURL

/// Runs a scenario file of this repository for `seconds` simulated seconds, recording the wire.
func runRecordingWire(_ relativePath: String, seconds: Int64) throws -> (WireCapture, ScenarioRun.Outcome) {
    let url = repositoryDirectory.appendingPathComponent(relativePath)
    let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
    guard case .success(var scenario) = ScenarioLoader.load(yaml: text, file: url.path) else {
        throw CaptureError(path: url.path, message: "scenario does not load", framesRead: 0)
    }
    scenario.duration = .seconds(seconds)
    var zones: [Zone] = []
    for file in scenario.zoneFiles {
        let zoneURL = url.deletingLastPathComponent().appendingPathComponent(file).standardizedFileURL
        let zoneText = String(decoding: try Data(contentsOf: zoneURL), as: UTF8.self)
        let origin = DNSName(zoneURL.deletingPathExtension().lastPathComponent + ".")!
        zones.append(try ZoneFileParser.load(zoneText, fileName: zoneURL.path, origin: origin).zone)
    }
    var run = ScenarioRun(scenario: scenario, zones: try ZoneSet(zones), scenarioFile: relativePath)
    run.recordWire = true
    let outcome = try run.run()
    return (WireCapture(records: outcome.wire), outcome)
}

@Suite("--pcap-out writes what tshark reads", .serialized)
struct PcapOutTests {
    @Test(
        "Written capture: no malformed packet, DNS messages as the report counts",
        .enabled(if: Tshark.isInstalled, "tshark is not installed (scripts/bootstrap.sh installs it): skipped"),
        arguments: ["scenarios/replication.yaml", "scenarios/attacks/slow-connections.yaml", "scenarios/quickstart.yaml"])
    func tsharkReadsTheWrittenCapture(scenario: String) throws {
        let (capture, _) = try runRecordingWire(scenario, seconds: 5)
        #expect(capture.dnsMessages > 0)
        let path = temporaryPath("out-\(scenario.split(separator: "/").last!).pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try CaptureWriter(path: path, linkType: .raw)
        for packet in capture.packets { writer.write(packet.bytes, timestampNanoseconds: packet.timestampNanoseconds) }
        writer.close()
        #expect(try Tshark.messageCount(path, options: []) == capture.dnsMessages, "\(scenario)")
        #expect(try Tshark.frameCount(path, filter: "_ws.malformed || _ws.expert.severity == error") == 0, "\(scenario)")
        #expect(try Tshark.frameCount(path, filter: "tcp.analysis.flags && !tcp.analysis.window_update") == 0)
        // Our own reader agrees too, and every message decodes.
        let read = try CaptureFrames.extractDNS(path: path)
        var summary = CaptureSummary()
        for message in read.messages { summary.add(message) }
        #expect(summary.decoded == capture.dnsMessages)
        #expect(read.statistics.skipped.total == 0)
    }

    @Test func tcpMessagesAreFramedAndSequenced() {
        var synthesis = PacketSynthesis()
        let client = PacketSynthesis.End(address: [192, 0, 2, 1], port: 40_000)
        let server = PacketSynthesis.End(address: [192, 0, 2, 53], port: 53)
        var packets = synthesis.open(7, client: client, server: server, at: 1_000)
        let message = [UInt8](repeating: 0xAB, count: 3_000)
        packets += synthesis.data(7, client: client, server: server, toServer: false, payload: message, at: 2_000)
        packets += synthesis.close(7, client: client, server: server, byClient: true, at: 3_000)
        #expect(packets.count == 3 + 3 + 3)  // handshake, 3,002 bytes in 1,440-byte segments, close
        #expect(synthesis.openConnections == 0)
        var extractor = DNSExtractor()
        var messages: [CapturedDNSMessage] = []
        for packet in packets {
            extractor.process(
                CapturedFrame(timestampNanoseconds: packet.timestampNanoseconds, linkType: .raw, bytes: packet.bytes),
                into: &messages)
        }
        extractor.finish(into: &messages)
        #expect(messages.count == 1)
        #expect(messages.first?.wire == message)
        #expect(extractor.statistics.skipped.total == 0)
    }
}

extension Tshark {
    /// Frames matching a display filter.
    static func frameCount(_ file: String, filter: String) throws -> Int {
        try Tshark.run(file: file, ["-Y", filter, "-T", "fields", "-e", "frame.number"]).lines.count
    }
}
