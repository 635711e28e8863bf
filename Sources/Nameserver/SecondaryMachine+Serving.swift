import DNSWire
import DNSZone
import Determinism

extension SecondaryMachine {
    /// A datagram on port 53: an answer to our SOA query, a NOTIFY, or a query to serve.
    mutating func datagram(_ bytes: [UInt8], from: Address, now: Instant, actions: inout [SecondaryAction<Address>]) {
        if HeaderPeek.isResponse(bytes) {
            soaResponse(bytes, from: from, now: now, actions: &actions)
            return
        }
        if HeaderPeek.opcode(bytes) == .notify {
            notifyReceived(bytes, from: from, now: now, actions: &actions)
            return
        }
        if let failure = unservableAnswer(bytes) {
            actions.append(.sendUDP(failure, to: from))
            return
        }
        let reply = server.reply(to: bytes, over: .udp, now: now)
        for message in ReplyEncoding.messages(for: reply, over: .udp, transfer: { transferAnswer($0, udpLimit: $1) }) {
            actions.append(.sendUDP(message, to: from))
        }
    }

    /// A query on a connection a client opened: the query path, transfers of our copies included.
    mutating func tcpQuery(_ bytes: [UInt8], on connection: TCPConnection, now: Instant, actions: inout [SecondaryAction<Address>]) {
        if let failure = unservableAnswer(bytes) {
            actions.append(.sendTCP(failure, on: connection))
            return
        }
        let reply = server.reply(to: bytes, over: .tcp, now: now)
        for message in ReplyEncoding.messages(for: reply, over: .tcp, transfer: { transferAnswer($0, udpLimit: $1) }) {
            actions.append(.sendTCP(message, on: connection))
        }
    }

    /// SERVFAIL when the query falls in a zone of ours that has no copy or has expired
    /// (RFC 1034 §4.3.5: an expired zone is no longer authoritative data). Decoding happens only
    /// while some zone is in that state.
    private mutating func unservableAnswer(_ bytes: [UInt8]) -> [UInt8]? {
        guard !unservable.isEmpty, HeaderPeek.opcode(bytes) == .query, let query = try? Message(wire: bytes),
            let qname = query.question?.name
        else { return nil }
        var covering: DNSName?
        for zone in zones where qname.isSubdomain(of: zone.origin) {
            if covering.map({ zone.origin.labelCount > $0.labelCount }) ?? true { covering = zone.origin }
        }
        guard let covering, unservable.contains(covering) else { return nil }
        stats.servFails &+= 1
        return ReplyEncoding.servFail(query, options: server.options)
    }

    private func transferAnswer(_ request: TransferRequest, udpLimit: Int?) -> TransferAnswer {
        guard let zone = copy(of: request.zone) else { return ZoneTransferResponder.error(request.query, .notAuth) }
        let journal = zones.first { $0.origin == request.zone }?.journal
        if let udpLimit {
            return ZoneTransferResponder.answerOverUDP(request, zone: zone, journal: journal, policy: config.serving, limit: udpLimit)
        }
        return ZoneTransferResponder.answer(request, zone: zone, journal: journal, policy: config.serving)
    }
}
