import ArgumentParser
import DNSWire
import Foundation
import PcapCapture
import PcapDecode
import PcapReplay
import LiveHost

/// `ddnslab pcap send CAPTURE --to IP:PORT`: the capture's queries to a real server, one at a time,
/// each answer judged against the captured one (ReplayVerdict: RCODE and answer records).
struct PcapSend: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a capture's queries to a live server (ddnslab serve, PowerDNS, dnsdist) and compare each "
            + "answer with the captured one.",
        discussion: """
            Queries go one at a time over the transport they were captured on (UDP, or TCP with one connection per \
            query). Verdicts: same (RCODE and answer records equal, order and TTL ignored), different-rcode, \
            different-answers, missing (no answer within --timeout). Queries captured without a response are sent \
            and not judged; messages with another opcode (NOTIFY, UPDATE between servers) are not sent. Exit status: 0 at least --min-same of the judged answers are the same, 1 otherwise, \
            2 the capture could not be read or an argument is wrong.
            """)

    @Argument(help: "A pcap or pcapng file.")
    var file: String

    @Option(name: .long, help: "The server, IP:PORT.")
    var to: String

    @Option(name: .long, help: "How long to wait for each answer, in milliseconds.")
    var timeoutMs = 2000

    @Option(name: .long, help: "The share of judged answers that must be the same (0 to 1).")
    var minSame = 1.0

    @Option(name: .long, help: "Send at most this many queries.")
    var limit: Int?

    @Option(name: .long, help: "Print this many differences in full.")
    var show = 5

    func run() throws {
        guard let (address, port) = Serve.hostPort(to), case .v4(let v4) = address else {
            Run.fail("error: --to \(to): expected IPv4:PORT")
        }
        let read: (messages: [CapturedDNSMessage], statistics: ExtractionStatistics, frames: CaptureFrames)
        do {
            read = try CaptureFrames.extractDNS(path: file)
        } catch {
            Run.fail("error: cannot read \(file): \(error)")
        }
        let plan = ReplayPlan(messages: read.messages)
        var counts: [ReplayVerdict: Int] = [:]
        var unjudged = 0
        var shown = 0
        // Standard queries only: a NOTIFY or UPDATE between servers in the capture is no client's question.
        let standard = plan.queries.filter { $0.wire.count >= 12 && ($0.wire[2] >> 3) & 0x0F == 0 }
        let skipped = plan.queries.count - standard.count
        let queries = limit.map { Array(standard.prefix(max(0, $0))) } ?? standard
        for query in queries {
            let answer = query.transport == .tcp
                ? DNSExchange.tcp(query.wire, v4: v4, port: port, timeoutMs: timeoutMs)
                : DNSExchange.udp(query.wire, v4: v4, port: port, timeoutMs: timeoutMs)
            guard let verdict = ReplayVerdict.judge(captured: query.capturedResponse, simulated: answer) else {
                unjudged += 1
                continue
            }
            counts[verdict, default: 0] += 1
            if verdict != .same && shown < show {
                shown += 1
                let question = (try? Message(wire: query.wire)).flatMap { $0.questions.first }
                    .map { "\($0.name) \($0.type)" } ?? "?"
                print("\(verdict.rawValue): \(question)")
                if let captured = query.capturedResponse, let message = try? Message(wire: captured) {
                    print("  captured: \(message.rcode) \(ReplayVerdict.answerKeys(message))")
                }
                if let answer, let message = try? Message(wire: answer) {
                    print("  live:     \(message.rcode) \(ReplayVerdict.answerKeys(message))")
                }
            }
        }
        let judged = counts.values.reduce(0, +)
        let same = counts[.same, default: 0]
        let share = judged == 0 ? 1.0 : Double(same) / Double(judged)
        let line = ReplayVerdict.allCases.map { "\($0.rawValue) \(counts[$0, default: 0])" }.joined(separator: ", ")
        print("sent \(queries.count) queries to \(to): \(line), not judged \(unjudged), other opcodes not sent \(skipped); same \(String(format: "%.4f", share))")
        if share < minSame { throw ExitCode(Exit.expectationFailed) }
    }
}
