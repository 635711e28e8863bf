import DNSWire
import SimNet

/// The one console command the web server sends: drop the cached answers for some names.
///
/// dnsdist's operators (and IPv64's updater) call `getPool(""):getCache():expungeByName(name)` on
/// the console after a change. In the simulation the request is a DNS message to port 5199 from a
/// web server: OPCODE NOTIFY, one question per name (type ANY); the balancer expunges every cached
/// answer for those names, whatever their type, and acknowledges with the same ID.
extension BalancerNode {
    mutating func consoleRequest(_ datagram: Datagram, actions: inout [NodeAction]) {
        guard let message = try? Message(wire: datagram.payload), message.opcode == .notify,
              !message.flags.contains(.qr)
        else { return }
        purgeRequests += 1
        for question in message.questions {
            purgedEntries += machine.purgeCache(name: question.name)
        }
        var response = message.makeResponse(rcode: .noError)
        response.questions = []
        if let bytes = try? response.wire() {
            actions.append(.send(Datagram(source: datagram.destination, destination: datagram.source, payload: bytes)))
        }
    }

    /// The purge request for `names`.
    static func purgeRequest(id: UInt16, names: [DNSName]) -> Message {
        Message(id: id, flags: [], opcode: .notify, questions: names.map { Question(name: $0, type: .any) })
    }
}
