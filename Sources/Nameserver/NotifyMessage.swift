import DNSWire
import DNSZone

/// NOTIFY messages (RFC 1996) and the other small messages of replication.
public enum NotifyMessage {
    /// A NOTIFY for `zone`: OPCODE NOTIFY, AA set, the question (zone, SOA) and the new SOA in the
    /// answer section as a hint (RFC 1996 §3.7, §4.1).
    public static func make(id: UInt16, zone: DNSName, soa: ResourceRecord?) -> Message {
        Message(id: id, flags: .aa, opcode: .notify, questions: [Question(name: zone, type: .soa)],
                answers: soa.map { [$0] } ?? [])
    }

    /// The response to a NOTIFY: same ID, OPCODE and question, QR and AA set (RFC 1996 §4.7).
    public static func response(to notify: Message, rcode: RCode) -> Message {
        var response = notify.makeResponse(rcode: rcode)
        response.flags.insert(.aa)
        return response
    }

    /// The SOA query a secondary sends to check the primary's serial (RFC 1034 §4.3.5).
    public static func soaQuery(id: UInt16, zone: DNSName) -> Message {
        Message.query(id: id, name: zone, type: .soa)
    }
}

/// Encoding shared by the machines' query paths.
enum ReplyEncoding {
    /// The messages that answer a query, given the server's reply: none, the response, or the
    /// transfer answer `transfer` builds (with the UDP limit over UDP, none over TCP).
    static func messages(
        for reply: AuthoritativeServer.Reply, over transport: AuthoritativeServer.Transport,
        transfer: (TransferRequest, Int?) -> TransferAnswer
    ) -> [[UInt8]] {
        switch reply {
        case .response(let response): return [response]
        case .none: return []
        case .transfer(let request):
            let limit = transport == .udp ? AuthoritativeServer.udpLimit(for: request.query) : nil
            return encode(transfer(request, limit))
        }
    }

    /// The encoded messages of a transfer answer; a message that does not encode (a record beyond
    /// the 65,535-octet message) turns the whole answer into one SERVFAIL.
    static func encode(_ answer: TransferAnswer) -> [[UInt8]] {
        var encoded: [[UInt8]] = []
        encoded.reserveCapacity(answer.messages.count)
        for message in answer.messages {
            guard let bytes = try? message.wire() else {
                let failure = message.makeResponse(rcode: .servFail)
                return (try? failure.wire()).map { [$0] } ?? []
            }
            encoded.append(bytes)
        }
        return encoded
    }

    /// SERVFAIL for a query (a zone we hold but cannot serve: no copy yet, or expired).
    static func servFail(_ query: Message, options: LookupOptions) -> [UInt8]? {
        var response = query.makeResponse(rcode: .servFail)
        if query.edns != nil { response.edns = EDNS(udpPayloadSize: options.ednsUDPPayloadSize) }
        return try? response.wire()
    }

    /// A bare response with `rcode` for a message whose header could be read.
    static func bare(_ message: Message, rcode: RCode) -> [UInt8]? {
        try? message.makeResponse(rcode: rcode).wire()
    }
}
