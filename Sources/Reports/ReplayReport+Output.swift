import Determinism
import LabMetrics

extension RunReport {
    static func countsJSON(_ counts: ReplayReport.Counts) -> [String: JSONValue] {
        [
            "queries": .integer(Int64(counts.queries)), "answered": .integer(Int64(counts.answered)),
            "same": .integer(Int64(counts.same)), "different_rcode": .integer(Int64(counts.differentRCode)),
            "different_answers": .integer(Int64(counts.differentAnswers)), "missing": .integer(Int64(counts.missing)),
            "unscored": .integer(Int64(counts.unscored)), "same_ratio": .number(counts.sameRatio),
            "answered_ratio": .number(counts.answeredRatio),
        ]
    }

    static func rcodesJSON(_ rcodes: [(name: String, count: UInt64)]) -> JSONValue {
        var object: [String: JSONValue] = [:]
        for entry in rcodes { object[entry.name] = .integer(Int64(entry.count)) }
        return .object(object)
    }

    static func exampleJSON(_ example: ReplayReport.Example) -> JSONValue {
        .object([
            "client": .string(example.client), "sent_at_ms": .number(milliseconds(example.sentAt.nanoseconds)),
            "question": .string(example.question), "verdict": .string(example.verdict),
            "captured": .string(example.captured), "simulated": .string(example.simulated),
        ])
    }

    static func secondsJSON(_ seconds: [[UInt64]]) -> JSONValue {
        .array(seconds.map { .array($0.map { .integer(Int64($0)) }) })
    }

    /// `replay`: `sources` in scenario order, and `total` over them.
    var replayJSON: JSONValue? {
        guard !replays.isEmpty else { return nil }
        var total = ReplayReport.Counts()
        for replay in replays { total.add(replay.total) }
        let sources: [JSONValue] = replays.map { replay in
            var object = Self.countsJSON(replay.total)
            object["name"] = .string(replay.name)
            object["file"] = .string(replay.file)
            object["speed"] = .number(replay.speed)
            object["loop"] = .bool(replay.loop)
            object["rcodes"] = Self.rcodesJSON(replay.rcodes)
            object["latency"] = Self.histogramJSON(replay.latency)
            object["late"] = .integer(Int64(replay.late))
            object["unmatched"] = .integer(Int64(replay.unmatched))
            object["per_second"] = Self.secondsJSON(replay.seconds)
            object["clients"] = .array(replay.clients.map { client in
                var entry = Self.countsJSON(client.counts)
                entry["address"] = .string(client.address)
                entry["rcodes"] = Self.rcodesJSON(client.rcodes)
                entry["latency"] = Self.histogramJSON(client.latency)
                entry["per_second"] = Self.secondsJSON(client.seconds)
                entry["examples"] = .array(client.examples.map(Self.exampleJSON))
                return .object(entry)
            })
            return .object(object)
        }
        return .object(["total": .object(Self.countsJSON(total)), "sources": .array(sources)])
    }

    /// Clients listed in the Markdown summary per source (all are in report.json).
    static let replayClientsShown = 20

    var replayMarkdown: [String] {
        var lines = ["## Replay", ""]
        for replay in replays {
            let t = replay.total
            lines.append("### \(replay.name) (\(replay.file), speed \(JSONValue.format(replay.speed, decimals: 3))x"
                + (replay.loop ? ", looped" : "") + ")")
            lines.append("")
            lines.append("| client | queries | same | different rcode | different answers | missing | unscored | same % | answers by rcode |")
            lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---|")
            func row(_ label: String, _ c: ReplayReport.Counts, _ rcodes: [(name: String, count: UInt64)]) -> String {
                let seen = rcodes.map { "\($0.name) \($0.count)" }.joined(separator: ", ")
                return "| \(label) | \(c.queries) | \(c.same) | \(c.differentRCode) | \(c.differentAnswers) | \(c.missing) | "
                    + "\(c.unscored) | \(JSONValue.format(c.sameRatio, decimals: 3)) | \(seen) |"
            }
            for client in replay.clients.prefix(Self.replayClientsShown) {
                lines.append(row(client.address, client.counts, client.rcodes))
            }
            if replay.clients.count > Self.replayClientsShown {
                lines.append("| … \(replay.clients.count - Self.replayClientsShown) more in report.json | | | | | | | | |")
            }
            lines.append(row("**all**", t, replay.rcodes))
            lines.append("")
            lines.append("Latency p50 \(Self.ms(replay.latency.value(atPercentile: 50))), p99 "
                + "\(Self.ms(replay.latency.value(atPercentile: 99))); late answers \(replay.late), unmatched \(replay.unmatched).")
            let examples = replay.clients.flatMap(\.examples).enumerated()
                .sorted { ($0.element.sentAt, $0.offset) < ($1.element.sentAt, $1.offset) }.map(\.element).prefix(10)
            if !examples.isEmpty {
                lines.append("")
                lines.append("Differences (first \(examples.count)):")
                lines.append("")
                for example in examples {
                    lines.append("- \(example.sentAt) \(example.client) `\(example.question)` \(example.verdict): captured "
                        + "`\(example.captured)`, simulated `\(example.simulated)`")
                }
            }
            lines.append("")
        }
        return lines
    }
}
