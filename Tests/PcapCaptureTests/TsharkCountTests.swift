// Issue 8, point 1: for every capture under fixtures/pcap (the real ones are copies of
// /work/shared/fixtures/pcap, see fixtures/pcap/README.md), the DNS messages we read through libpcap —
// decoded plus rejected as malformed by DNSWire — are as many as tshark counts:
// `tshark -r FILE -Y dns -T fields -e dns.id -E occurrence=a`, one ID per message.

import Foundation
import HarnessTesting
import PcapCapture
import PcapDecode
import PcapReplay
import Testing

/// fixtures/pcap, found from this source file so the test does not depend on the working directory.
let fixtureDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()
    .appendingPathComponent("../../fixtures/pcap")
    .standardizedFileURL

/// Every capture under fixtures/pcap (relative paths, sorted).
func allFixtures() -> [String] {
    let manager = FileManager.default
    let top = (try? manager.contentsOfDirectory(atPath: fixtureDirectory.path)) ?? []
    let synthetic =
        (try? manager.contentsOfDirectory(atPath: fixtureDirectory.appendingPathComponent("synthetic").path)) ?? []
    return (top + synthetic.map { "synthetic/" + $0 })
        .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }
        .sorted()
}

/// Reads a capture through libpcap (CaptureFrames), extracts and decodes every message.
func inspect(_ path: String) throws -> (summary: CaptureSummary, statistics: ExtractionStatistics, frames: CaptureFrames) {
    let result = try CaptureFrames.extractDNS(path: fixtureDirectory.appendingPathComponent(path).path)
    var summary = CaptureSummary()
    for message in result.messages { summary.add(message) }
    summary.finish()
    return (summary, result.statistics, result.frames)
}

extension Tshark {
    /// Options a fixture needs (fixtures/pcap/README.md: tshark reorders TCP segments only when asked).
    static func options(for fixture: String) -> [String] {
        fixture.hasSuffix("synthetic-tcp-reordering.pcap") ? ["-o", "tcp.reassemble_out_of_order:TRUE"] : []
    }

    /// tshark's count of DNS messages: the `dns.id` values of `-Y dns`, comma-separated per frame.
    static func messageCount(_ file: String, options: [String]) throws -> Int {
        let (status, lines) = try Tshark.run(
            file: file, options + ["-Y", "dns", "-T", "fields", "-e", "dns.id", "-E", "occurrence=a"])
        #expect(status == 0, "tshark exited with \(status) on \(file)")
        return lines.reduce(0) { $0 + $1.split(separator: ",").count }
    }
}

@Suite("libpcap reading agrees with tshark", .serialized)
struct TsharkCountTests {
    @Test("decoded + malformed = tshark's message count", .enabled(if: Tshark.isInstalled, "tshark is not installed (scripts/bootstrap.sh installs it): skipped"), arguments: allFixtures())
    func countsMatchTshark(fixture: String) throws {
        let ours = try inspect(fixture)
        let theirs = try Tshark.messageCount(
            fixtureDirectory.appendingPathComponent(fixture).path, options: Tshark.options(for: fixture))
        let skipped = ours.statistics.skipped.nonZero.map { "\($0.reason)=\($0.count)" }.joined(separator: " ")
        #expect(
            ours.summary.decoded + ours.summary.malformed == theirs,
            "\(fixture): ours \(ours.summary.decoded) decoded + \(ours.summary.malformed) malformed, tshark \(theirs); skipped: \(skipped)")
        #expect(ours.summary.messages == ours.statistics.messages)
    }

    @Test("The fixture directory holds the real captures and the synthetic ones")
    func fixturesArePresent() {
        let fixtures = allFixtures()
        #expect(fixtures.count >= 35, "\(fixtures.count) captures under \(fixtureDirectory.path)")
        #expect(fixtures.contains("dnscap-frags.pcap") && fixtures.contains("tcpdump-dns_tcp.pcap"))
    }

    /// TCP reassembly and IPv4 fragments: every message is complete and decodes.
    @Test(arguments: [
        ("dnscap-dnso1tcp.pcap", 82), ("dnscap-dnsotcp-manyopkts.pcap", 3), ("tcpdump-dns_tcp.pcap", 2),
        ("dnsjit-ip6-tcp-padd.pcap", 2), ("dnsjit-tcp-response-with-trailing-junk.pcap", 20),
        ("dnscap-frags.pcap", 82), ("derived-frags-nsec.pcap", 82), ("derived-dnso1tcp.pcapng", 82),
    ])
    func reassembledCapturesDecodeCompletely(fixture: String, messages: Int) throws {
        let ours = try inspect(fixture)
        #expect(ours.summary.decoded == messages, "\(fixture): \(ours.summary.malformedTable)")
        #expect(ours.summary.malformed == 0)
        #expect(ours.statistics.skipped[.tcpGap] == 0)
        #expect(ours.statistics.skipped[.fragmentIncomplete] == 0)
        #expect(ours.statistics.skipped[.snapTruncated] == 0)
    }

    /// libpcap reads every fixture except the pcapng files whose interfaces have different link types
    /// (libpcap 1.10 stops there); PcapDecode's reader continues those after libpcap's last frame.
    @Test(arguments: allFixtures())
    func readerIsLibpcapWherePossible(fixture: String) throws {
        let ours = try inspect(fixture)
        let mixedLinkTypes = ["derived-merged-sll2-pellets.pcapng", "synthetic/synthetic-sections.pcapng"]
        if mixedLinkTypes.contains(fixture) {
            guard case .libpcapThenBuiltin(let count, let error) = ours.frames.reader else {
                Issue.record("\(fixture): expected the built-in reader to take over")
                return
            }
            #expect(count == 0)  // both files declare their second interface before their first packet
            #expect(error.contains("different from the type of the first interface"))
        } else {
            #expect(ours.frames.reader == .libpcap, "\(fixture)")
        }
        #expect(ours.frames.formatError == nil)
        // Same frames as PcapDecode's own reader.
        let bytes = [UInt8](try Data(contentsOf: fixtureDirectory.appendingPathComponent(fixture)))
        let builtin = PcapFile.readFrames(bytes)
        #expect(builtin.frames.count == ours.statistics.frames)
        #expect(builtin.frames.count == ours.frames.framesRead)
    }
}
