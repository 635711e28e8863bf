import DNSWire

/// The canonical text of a message that the differential tests compare line by line with what
/// dnspython prints for the same bytes (Tests/interop/dnspython_diff.py prints the same form).
public enum DiffText {
    public static func render(_ message: Message) -> [String] {
        var lines = [
            "header id=\(message.id) opcode=\(message.opcode.rawValue) rcode=\(message.rcode.rawValue) "
                + "flags=\(String(message.flags.rawValue, radix: 16))",
        ]
        if let edns = message.edns {
            lines.append("edns version=\(edns.version) flags=\(String(edns.flags, radix: 16)) payload=\(edns.udpPayloadSize)")
            for option in edns.options { lines.append("option \(option.code) \(TextEncoding.hex(option.data))") }
        } else {
            lines.append("edns none")
        }
        for question in message.questions { lines.append("question \(question)") }
        for record in message.answers { lines.append("answer \(record)") }
        for record in message.authority { lines.append("authority \(record)") }
        for record in message.additional { lines.append("additional \(record)") }
        return lines
    }
}
