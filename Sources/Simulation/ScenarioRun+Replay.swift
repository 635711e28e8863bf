import DNSWire
import Determinism
import PcapReplay
import Reports
import SimNet

extension ScenarioRun {
    /// The `replay` section: each replayed capture, per client and in total.
    func addReplays(to report: inout RunReport, _ simulator: Simulator<ClusterHost>) {
        for node in simulator.host.replays {
            guard let spec = scenario.replays.first(where: { $0.name == node.name }) else { continue }
            let machine = node.clients
            var replay = ReplayReport(name: spec.name, file: spec.file, speed: Double(spec.speedPartsPerMillion) / 1e6,
                                      loop: spec.loop)
            var total = ReplayClientStats()
            for (index, stats) in machine.stats.enumerated() {
                total.merge(stats)
                let address = index < node.addresses.count ? node.addresses[index].description : "client\(index)"
                var client = ReplayReport.Client(address: address)
                client.counts = Self.counts(stats)
                client.rcodes = Self.rcodes(stats)
                client.latency = stats.latency
                client.seconds = stats.seconds
                client.examples = stats.examples.map { difference in
                    ReplayReport.Example(client: address, sentAt: difference.sentAt, question: difference.question,
                                         verdict: difference.verdict.rawValue, captured: difference.captured,
                                         simulated: difference.simulated)
                }
                replay.clients.append(client)
            }
            replay.total = Self.counts(total)
            replay.rcodes = Self.rcodes(total)
            replay.latency = total.latency
            replay.seconds = total.seconds
            replay.late = machine.late
            replay.unmatched = machine.unmatched
            report.replays.append(replay)
        }
    }

    static func counts(_ stats: ReplayClientStats) -> ReplayReport.Counts {
        var counts = ReplayReport.Counts()
        counts.queries = stats.queries
        counts.answered = stats.answered
        counts.same = stats.same
        counts.differentRCode = stats.differentRCode
        counts.differentAnswers = stats.differentAnswers
        counts.missing = stats.missing
        counts.unscored = stats.unscored
        return counts
    }

    static func rcodes(_ stats: ReplayClientStats) -> [(name: String, count: UInt64)] {
        stats.rcodes.map { (RCode(rawValue: $0.rcode).description, $0.count) }
    }
}
