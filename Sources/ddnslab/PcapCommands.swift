import ArgumentParser
import Foundation
import PcapCapture
import PcapDecode
import PcapReplay
import Reports

/// `ddnslab pcap …`: capture files.
struct Pcap: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work with pcap/pcapng captures (read with libpcap).",
        subcommands: [PcapInspect.self, PcapSend.self])
}

/// `ddnslab pcap inspect FILE [--json]`: a dnsscope-like summary of a capture's DNS messages.
struct PcapInspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarise a capture's DNS traffic: messages, queries/responses, RCODEs, QTYPEs, top clients "
            + "and names, answered within time buckets, unanswered queries; and every skipped input by reason.",
        discussion: "Exit status: 0 the file was read, 2 it could not be opened.")

    @Argument(help: "A pcap or pcapng file.")
    var file: String

    @Flag(name: .long, help: "Print JSON (sorted keys; docs/pcap.md) instead of text.")
    var json = false

    @Option(name: .long, help: "Rows in the top-clients and top-names tables.")
    var top = 10

    func run() throws {
        let frames: CaptureFrames
        do {
            frames = try CaptureFrames(path: file)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(Exit.invalidInput)
        }
        var extractor = DNSExtractor()
        var summary = CaptureSummary()
        var batch: [CapturedDNSMessage] = []
        while let frame = frames.nextFrame() {
            extractor.process(frame, into: &batch)
            for message in batch { summary.add(message) }
            batch.removeAll(keepingCapacity: true)
        }
        extractor.finish(into: &batch)
        for message in batch { summary.add(message) }
        summary.finish()
        let inspection = PcapInspection(
            file: file, frames: frames, statistics: extractor.statistics, summary: summary, top: max(0, top))
        print(json ? inspection.json.text : inspection.text, terminator: json ? "" : "\n")
    }
}

/// The inspect command's output, as JSON and as text.
struct PcapInspection {
    var file: String
    var frames: CaptureFrames
    var statistics: ExtractionStatistics
    var summary: CaptureSummary
    var top: Int

    static let bucketNames = ["1ms", "10ms", "100ms", "1s", "later"]

    var readerValue: JSONValue {
        switch frames.reader {
        case .libpcap:
            return .object(["name": .string("libpcap")])
        case .libpcapThenBuiltin(let count, let error):
            return .object([
                "name": .string("libpcap+builtin"), "libpcap_frames": .integer(Int64(count)),
                "libpcap_error": .string(error),
            ])
        }
    }

    var json: JSONValue {
        let counts = { (rows: [CaptureSummary.Row]) -> JSONValue in
            .object(Dictionary(uniqueKeysWithValues: rows.map { ($0.key, JSONValue.integer(Int64($0.count))) }))
        }
        let ranked = { (rows: [CaptureSummary.Row], field: String) -> JSONValue in
            .array(rows.map { .object([field: .string($0.key), "count": .integer(Int64($0.count))]) })
        }
        var object: [String: JSONValue] = [
            "schema": .string("ddnslab.pcap-inspect/1"),
            "file": .string(file),
            "reader": readerValue,
            "frames": .integer(Int64(statistics.frames)),
            "messages": .object([
                "total": .integer(Int64(summary.messages)), "decoded": .integer(Int64(summary.decoded)),
                "malformed": .integer(Int64(summary.malformed)), "malformed_reasons": counts(summary.malformedTable),
                "udp": .integer(Int64(summary.udp)), "tcp": .integer(Int64(summary.tcp)),
            ]),
            "queries": .integer(Int64(summary.queries)),
            "responses": .integer(Int64(summary.responses)),
            "rcodes": counts(summary.rcodeTable),
            "qtypes": counts(summary.qtypeTable),
            "clients": .integer(Int64(summary.clientCount)),
            "names": .integer(Int64(summary.nameCount)),
            "top_clients": ranked(summary.topClients(top), "address"),
            "top_names": ranked(summary.topNames(top), "name"),
            "answered": .object([
                "total": .integer(Int64(summary.answered)),
                "within": .object(Dictionary(uniqueKeysWithValues: zip(Self.bucketNames, summary.answeredWithin)
                    .map { ($0.0, JSONValue.integer(Int64($0.1))) })),
            ]),
            "unanswered": .integer(Int64(summary.unanswered)),
            "unmatched_responses": .integer(Int64(summary.unmatchedResponses)),
            "duplicate_queries": .integer(Int64(summary.duplicateQueries)),
            "skipped": .object(Dictionary(uniqueKeysWithValues: statistics.skipped.nonZero.map {
                ("\($0.reason)", JSONValue.integer(Int64($0.count)))
            })),
            "anomalies": .object(Dictionary(uniqueKeysWithValues: statistics.anomalies.nonZero.map {
                ("\($0.reason)", JSONValue.integer(Int64($0.count)))
            })),
        ]
        if let first = summary.firstTimestamp, let last = summary.lastTimestamp {
            object["span_seconds"] = .number(Double(last - min(first, last)) / 1e9)
        }
        if let error = frames.formatError {
            object["read_error"] = .string(error.description)
        }
        return .object(object)
    }

    var text: String {
        var lines: [String] = []
        lines.append("file \(file): \(statistics.frames) frames, read by \(readerText)")
        if let error = frames.formatError { lines.append("read stopped: \(error)") }
        lines.append(
            "messages \(summary.messages): decoded \(summary.decoded), malformed \(summary.malformed)"
                + " (udp \(summary.udp), tcp \(summary.tcp))")
        lines.append(contentsOf: table("malformed", summary.malformedTable))
        lines.append("queries \(summary.queries), responses \(summary.responses)")
        lines.append(contentsOf: table("rcodes", summary.rcodeTable))
        lines.append(contentsOf: table("qtypes", summary.qtypeTable))
        lines.append(contentsOf: table("top clients (of \(summary.clientCount))", summary.topClients(top)))
        lines.append(contentsOf: table("top names (of \(summary.nameCount))", summary.topNames(top)))
        let buckets = zip(Self.bucketNames, summary.answeredWithin).map { "\($0.0 == "later" ? ">1s" : "<=" + $0.0) \($0.1)" }
        lines.append("answered \(summary.answered): " + buckets.joined(separator: ", "))
        lines.append(
            "unanswered \(summary.unanswered), unmatched responses \(summary.unmatchedResponses),"
                + " duplicate queries \(summary.duplicateQueries)")
        let skipped = statistics.skipped.nonZero.map { "\($0.reason) \($0.count)" }
        lines.append("skipped: " + (skipped.isEmpty ? "none" : skipped.joined(separator: ", ")))
        let anomalies = statistics.anomalies.nonZero.map { "\($0.reason) \($0.count)" }
        if !anomalies.isEmpty { lines.append("tolerated: " + anomalies.joined(separator: ", ")) }
        return lines.joined(separator: "\n")
    }

    private var readerText: String {
        switch frames.reader {
        case .libpcap: "libpcap"
        case .libpcapThenBuiltin(let count, let error):
            "libpcap (\(count) frames, then: \(error)) and the built-in reader"
        }
    }

    private func table(_ title: String, _ rows: [CaptureSummary.Row]) -> [String] {
        guard !rows.isEmpty else { return [] }
        let width = rows.map(\.key.count).max() ?? 0
        return ["\(title):"] + rows.map { "  " + $0.key + String(repeating: " ", count: width - $0.key.count + 2) + "\($0.count)" }
    }
}
