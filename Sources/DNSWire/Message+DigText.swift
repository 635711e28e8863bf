/// The text dig prints for a message: header line, flags and counts, OPT pseudo-section, then each
/// section as zone-file lines. Used by the CLI, reports and `pcap inspect`.
extension Message {
    public var digText: String {
        var lines: [String] = []
        lines.append(";; ->>HEADER<<- opcode: \(opcode), status: \(rcode), id: \(id)")
        let flagText = flags.subtracting(.z).mnemonics.map { $0.lowercased() }.joined(separator: " ")
        let additionalCount = additional.count + (edns == nil ? 0 : 1)
        lines.append(";; flags: \(flagText); QUERY: \(questions.count), ANSWER: \(answers.count), "
                     + "AUTHORITY: \(authority.count), ADDITIONAL: \(additionalCount)")
        if let edns {
            lines.append("")
            lines.append(";; OPT PSEUDOSECTION:")
            lines.append("; EDNS: version: \(edns.version), flags:\(edns.dnssecOK ? " do" : ""); udp: \(edns.udpPayloadSize)")
            for option in edns.options { lines.append("; \(option.digText)") }
        }
        if !questions.isEmpty {
            lines.append("")
            lines.append(";; QUESTION SECTION:")
            for question in questions { lines.append(";\(question.name)\t\t\(question.class)\t\(question.type)") }
        }
        for (title, records) in [("ANSWER", answers), ("AUTHORITY", authority), ("ADDITIONAL", additional)]
        where !records.isEmpty {
            lines.append("")
            lines.append(";; \(title) SECTION:")
            for record in records {
                lines.append("\(record.name)\t\(record.ttl)\t\(record.class)\t\(record.type)\t\(record.rdata)")
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension EDNSOption {
    /// One line of dig's OPT pseudo-section.
    public var digText: String {
        switch self {
        case .clientSubnet(let subnet):
            var address = subnet.address
            let width = subnet.family == 1 ? 4 : 16
            address += [UInt8](repeating: 0, count: max(0, width - address.count))
            let text = subnet.family == 1
                ? IPv4Address(address[0], address[1], address[2], address[3]).description
                : (subnet.family == 2 ? IPv6Address(octets: address.prefix(16)).description : TextEncoding.hex(subnet.address))
            return "CLIENT-SUBNET: \(text)/\(subnet.sourcePrefixLength)/\(subnet.scopePrefixLength)"
        case .cookie(let cookie):
            return "COOKIE: \(TextEncoding.hex(cookie.client))\(cookie.server.isEmpty ? "" : " " + TextEncoding.hex(cookie.server))"
        case .padding(let bytes): return "PAD: (\(bytes.count) bytes)"
        case .unknown(let code, let data): return "OPT=\(code): \(TextEncoding.hex(data))"
        }
    }
}
