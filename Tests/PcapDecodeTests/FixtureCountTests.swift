// Acceptance test: for every capture in fixtures/pcap, PcapDecode extracts exactly the DNS messages tshark
// 4.0 reports (`-Y dns`, one `dns.id` per message): the same number, in the same frames, with the same IDs.

import Foundation
import HarnessTesting
import PcapDecode
import Testing

/// A capture under fixtures/pcap and what tshark 4.0 says about it.
struct Fixture: Sendable, CustomTestStringConvertible {
    /// Path relative to fixtures/pcap.
    var path: String
    /// DNS messages tshark counts, as recorded in fixtures/pcap/README.md.
    var messages: Int
    /// Extra tshark options the comparison needs (see the README).
    var tsharkOptions: [String] = []

    var testDescription: String { path }
}

/// Real captures (from DNS tools' test suites) and files derived from them.
let realFixtures: [Fixture] = [
    Fixture(path: "dnscap-dns.pcap", messages: 82), Fixture(path: "dnscap-dns6.pcap", messages: 2),
    Fixture(path: "dnscap-dnso1tcp.pcap", messages: 82), Fixture(path: "dnscap-dnsotcp-manyopkts.pcap", messages: 3),
    Fixture(path: "dnscap-frags.pcap", messages: 82), Fixture(path: "dnscap-sll2.pcap", messages: 2),
    Fixture(path: "dnscap-vlan11.pcap", messages: 82), Fixture(path: "dnsjit-ip6-tcp-padd.pcap", messages: 2),
    Fixture(path: "dnsjit-pellets.pcap", messages: 91),
    Fixture(path: "dnsjit-tcp-response-with-trailing-junk.pcap", messages: 20),
    Fixture(path: "tcpdump-dns-badlabel.pcap", messages: 1), Fixture(path: "tcpdump-dns-zlip-1.pcap", messages: 0),
    Fixture(path: "tcpdump-dns_tcp.pcap", messages: 2), Fixture(path: "tcpdump-dns_udp.pcap", messages: 2),
    Fixture(path: "tcpdump-dnssec.pcap", messages: 6), Fixture(path: "tcpdump-edns-opts.pcap", messages: 42),
    Fixture(path: "derived-dnso1tcp.pcapng", messages: 82), Fixture(path: "derived-frags-nsec.pcap", messages: 82),
    Fixture(path: "derived-merged-sll2-pellets.pcapng", messages: 93),
    Fixture(path: "powerdns-dnsperf.pcap", messages: 5320),
]

/// Hand-made edge cases (fixtures/pcap/synthetic/make_synthetic.py).
let syntheticFixtures: [Fixture] = [
    Fixture(path: "synthetic/synthetic-udp-ip-edges.pcap", messages: 14),
    Fixture(path: "synthetic/synthetic-tcp-edges.pcap", messages: 22),
    Fixture(
        path: "synthetic/synthetic-tcp-reordering.pcap", messages: 6,
        tsharkOptions: ["-o", "tcp.reassemble_out_of_order:TRUE"]),
    Fixture(path: "synthetic/synthetic-fragments.pcap", messages: 7),
    Fixture(path: "synthetic/synthetic-ethernet-vlan.pcap", messages: 5),
    Fixture(path: "synthetic/synthetic-sll.pcap", messages: 2),
    Fixture(path: "synthetic/synthetic-null.pcap", messages: 6),
    Fixture(path: "synthetic/synthetic-loop.pcap", messages: 2),
    Fixture(path: "synthetic/synthetic-ppp.pcap", messages: 3),
    Fixture(path: "synthetic/synthetic-raw.pcap", messages: 2),
    Fixture(path: "synthetic/synthetic-raw12.pcap", messages: 2),
    Fixture(path: "synthetic/synthetic-ipv4.pcap", messages: 2),
    Fixture(path: "synthetic/synthetic-ipv6.pcap", messages: 1),
    Fixture(path: "synthetic/synthetic-bigendian.pcap", messages: 2),
    Fixture(path: "synthetic/synthetic-bigendian-nsec.pcap", messages: 1),
    Fixture(path: "synthetic/synthetic-sections.pcapng", messages: 6),
]

/// fixtures/pcap, found from this source file so the test does not depend on the working directory.
let fixtureDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()
    .appendingPathComponent("../../fixtures/pcap")
    .standardizedFileURL

/// Reads a fixture's bytes.
func fixtureBytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: fixtureDirectory.appendingPathComponent(path)))
}

/// Runs a fixture through the reader and the extractor.
func extractFixture(_ path: String) throws -> (
    messages: [CapturedDNSMessage], statistics: ExtractionStatistics, readError: PcapFormatError?
) {
    let read = PcapFile.readFrames(try fixtureBytes(path))
    let result = DNSExtractor.extract(from: read.frames)
    return (result.messages, result.statistics, read.error)
}

/// `"frame 0xid"` for a message, the way tshark's fields output is turned into a list below.
func frameAndID(_ message: CapturedDNSMessage) -> String {
    let id = Int(message.wire[0]) << 8 | Int(message.wire[1])
    let hex = String(id, radix: 16)
    return "\(message.frameNumber) 0x" + String(repeating: "0", count: 4 - hex.count) + hex
}

@Suite("Fixture captures agree with tshark", .serialized)
struct FixtureCountTests {
    @Test("Same DNS messages as tshark, frame by frame", arguments: realFixtures + syntheticFixtures)
    func matchesTshark(fixture: Fixture) throws {
        let ours = try extractFixture(fixture.path)
        #expect(ours.readError == nil, "\(fixture.path): \(String(describing: ours.readError))")
        let tshark = try Self.tsharkMessages(
            file: fixtureDirectory.appendingPathComponent(fixture.path).path, options: fixture.tsharkOptions)
        let skipped = ours.statistics.skipped.nonZero.map { "\($0.reason)=\($0.count)" }.joined(separator: " ")
        #expect(
            ours.messages.count == tshark.count,
            "\(fixture.path): ours \(ours.messages.count), tshark \(tshark.count); skipped: \(skipped)")
        let mine = ours.messages.map(frameAndID)
        let difference = Set(mine).symmetricDifference(Set(tshark)).sorted().prefix(10)
        #expect(mine.sorted() == tshark.sorted(), "\(fixture.path): first differences \(Array(difference))")
    }

    @Test("Count equals the README's recorded tshark count", arguments: realFixtures + syntheticFixtures)
    func matchesRecordedCount(fixture: Fixture) throws {
        let ours = try extractFixture(fixture.path)
        #expect(ours.readError == nil)
        #expect(ours.messages.count == fixture.messages)
        #expect(ours.statistics.messages == ours.messages.count)
    }

    @Test("Every capture under fixtures/pcap is in a table")
    func tablesCoverDirectory() throws {
        let manager = FileManager.default
        let top = try manager.contentsOfDirectory(atPath: fixtureDirectory.path)
        let synthetic = try manager.contentsOfDirectory(
            atPath: fixtureDirectory.appendingPathComponent("synthetic").path
        )
        .map { "synthetic/" + $0 }
        let captures = (top + synthetic).filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }
        #expect(Set(captures) == Set((realFixtures + syntheticFixtures).map(\.path)))
    }

    /// Runs tshark and lists its DNS messages as `"frame 0xid"`. tshark prints one line per frame, with
    /// the IDs comma-separated when a frame holds several messages (`-E occurrence=a`).
    static func tsharkMessages(file: String, options: [String]) throws -> [String] {
        guard Tshark.isInstalled else {
            Issue.record("tshark not found at \(Tshark.path): run scripts/bootstrap.sh to install it")
            return []
        }
        // The two reassembly preferences are tshark's defaults, pinned against a user's profile.
        let (status, lines) = try Tshark.run(
            file: file, ["-o", "ip.defragment:TRUE", "-o", "tcp.desegment_tcp_streams:TRUE"] + options
                + ["-Y", "dns", "-T", "fields", "-e", "frame.number", "-e", "dns.id", "-E", "occurrence=a"])
        #expect(status == 0, "tshark exited with \(status) on \(file)")
        return lines.flatMap { line -> [String] in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 2 else { return [] }
            return fields[1].split(separator: ",").map { "\(fields[0]) \($0)" }
        }
    }
}
