import DNSWire

/// Builds the answers the balancer sends itself for a `QueryVerdict` (dnsdist's self-answers).
/// Correctness over speed: it decodes the query and encodes a fresh message with DNSWire.
public enum SelfAnswer {
    /// The UDP payload size dnsdist advertises in self-generated answers
    /// (`payload_size_self_generated_answers`, default 1232).
    public static let selfGeneratedPayloadSize: UInt16 = 1232

    /// The answer for `verdict`, or nil when there is none to send (forward, drop) or the query
    /// cannot be decoded or has no question.
    ///
    /// - Every answer keeps the ID, opcode and question, sets QR and copies RD and CD.
    /// - `.truncate`: header and question only, TC=1, RA=RD, AA=AD=0 (dnsdist's TCAction).
    /// - `.rcode`: no records, the given RCODE and AA/AD/RA.
    /// - `.spoof`: the query's other header bits kept (dnsdist leaves them when the response
    ///   options are unset); A records for an A query, AAAA for AAAA, both for ANY, in the
    ///   configured order (dnsdist shuffles them); another qtype gets NOERROR with no answer.
    /// - `.spoofCNAME`: one CNAME record whatever the qtype.
    /// - Except for `.truncate`, an OPT record (payload 1232, the query's DO bit) is added when the
    ///   query had one, as dnsdist's `add_edns_to_self_generated_responses` (default on).
    public static func response(to query: [UInt8], verdict: QueryVerdict) -> [UInt8]? {
        guard let message = try? Message(wire: query), let question = message.question else { return nil }
        var answer = Message(
            id: message.id, flags: [.qr], opcode: message.opcode, rcode: .noError, questions: [question])
        let queryFlags = message.flags
        answer.flags.formUnion(queryFlags.intersection([.rd, .cd]))
        let edns = message.edns.map {
            EDNS(udpPayloadSize: selfGeneratedPayloadSize, dnssecOK: $0.dnssecOK)
        }
        switch verdict {
        case .forward, .drop:
            return nil
        case .truncate:
            answer.flags.insert(.tc)
            if queryFlags.contains(.rd) { answer.flags.insert(.ra) }
        case .rcode(let rcode, let aa, let ad, let ra):
            guard rcode.rawValue < 16 else { return nil }
            answer.rcode = rcode
            if aa { answer.flags.insert(.aa) }
            if ad { answer.flags.insert(.ad) }
            if ra { answer.flags.insert(.ra) }
            answer.edns = edns
        case .spoof(let addresses, let ttl):
            answer.flags.formUnion(queryFlags.intersection([.aa, .ad, .ra]))
            for address in addresses {
                switch (address, question.type) {
                case (.v4(let v4), .a), (.v4(let v4), .any):
                    answer.answers.append(
                        ResourceRecord(name: question.name, class: question.class, ttl: ttl, rdata: .a(v4)))
                case (.v6(let v6), .aaaa), (.v6(let v6), .any):
                    answer.answers.append(
                        ResourceRecord(name: question.name, class: question.class, ttl: ttl, rdata: .aaaa(v6)))
                default:
                    continue
                }
            }
            answer.edns = edns
        case .spoofCNAME(let target, let ttl):
            answer.flags.formUnion(queryFlags.intersection([.aa, .ad, .ra]))
            answer.answers.append(
                ResourceRecord(name: question.name, class: question.class, ttl: ttl, rdata: .cname(target)))
            answer.edns = edns
        }
        return try? answer.wire()
    }
}
