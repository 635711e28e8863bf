/// Presentation format of names (RFC 1035 §5.1): labels joined by dots, with `\X` and `\DDD` escapes.
extension DNSName: CustomStringConvertible, LosslessStringConvertible {
    /// The absolute name with a trailing dot; the root is ".".
    public var description: String {
        if isRoot { return "." }
        return withWireBytes { wire in
            var text = ""
            text.reserveCapacity(wire.count + 4)
            var index = 0
            while wire[index] != 0 {
                let length = Int(wire[index])
                appendEscaped(UnsafeBufferPointer(rebasing: wire[(index + 1)..<(index + 1 + length)]), to: &text)
                text.append(".")
                index += 1 + length
            }
            return text
        }
    }

    /// Parses an absolute name (a missing trailing dot is allowed here).
    public init?(_ description: String) {
        guard let name = try? DNSName(parsing: description, origin: .root) else { return nil }
        self = name
    }

    /// Parses a name in presentation format.
    ///
    /// A name without a trailing dot is relative and gets `origin` appended; with no origin it is an
    /// error. "@" is the origin itself (RFC 1035 §5.1).
    public init(parsing text: some StringProtocol, origin: DNSName?) throws(DNSNameError) {
        if text == "@" {
            guard let origin else { throw DNSNameError.badEscape }
            self = origin
            return
        }
        if text == "." {
            self = .root
            return
        }
        let (labels, absolute) = try Self.splitLabels(Array(text.utf8))
        if absolute {
            try self.init(labels: labels)
        } else {
            guard let origin else { throw DNSNameError.badEscape }
            var wire: [UInt8] = []
            for label in labels {
                guard label.count <= Self.maxLabelLength else { throw DNSNameError.labelTooLong }
                wire.append(UInt8(label.count))
                wire.append(contentsOf: label)
            }
            wire.append(contentsOf: origin.wire)
            guard wire.count <= Self.maxWireLength else { throw DNSNameError.nameTooLong }
            self.init(uncheckedWire: wire)
        }
    }

    private static func splitLabels(_ text: [UInt8]) throws(DNSNameError) -> ([[UInt8]], Bool) {
        var labels: [[UInt8]] = []
        var current: [UInt8] = []
        var index = 0
        var absolute = false
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: ".") {
                guard !current.isEmpty else { throw DNSNameError.emptyLabel }
                labels.append(current)
                current = []
                index += 1
                if index == text.count { absolute = true }
                continue
            }
            if byte == UInt8(ascii: "\\") {
                let (value, used) = try unescape(text, at: index)
                current.append(value)
                index += used
                continue
            }
            current.append(byte)
            index += 1
        }
        if !current.isEmpty { labels.append(current) }
        guard !labels.isEmpty else { throw DNSNameError.emptyLabel }
        return (labels, absolute)
    }

    /// Decodes `\X` or `\DDD` at `index`; returns the octet and how many bytes were consumed.
    static func unescape(_ text: [UInt8], at index: Int) throws(DNSNameError) -> (UInt8, Int) {
        guard index + 1 < text.count else { throw DNSNameError.badEscape }
        let next = text[index + 1]
        guard isDigit(next) else { return (next, 2) }
        guard index + 3 < text.count, isDigit(text[index + 2]), isDigit(text[index + 3]) else {
            throw DNSNameError.badEscape
        }
        let value = Int(next - 48) * 100 + Int(text[index + 2] - 48) * 10 + Int(text[index + 3] - 48)
        guard value <= 255 else { throw DNSNameError.badEscape }
        return (UInt8(value), 4)
    }
}

@inline(__always)
func isDigit(_ byte: UInt8) -> Bool { byte &- 48 < 10 }

/// Appends a label with the escapes dnspython and BIND use: `\` before `. ; \ " ( ) @ $`, `\DDD`
/// for octets outside 0x21...0x7E.
func appendEscaped(_ label: some Collection<UInt8>, to text: inout String) {
    for byte in label {
        switch byte {
        case UInt8(ascii: "."), UInt8(ascii: ";"), UInt8(ascii: "\\"), UInt8(ascii: "\""),
            UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "@"), UInt8(ascii: "$"):
            text.append("\\")
            text.unicodeScalars.append(Unicode.Scalar(byte))
        case 0x21...0x7E:
            text.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            text.append("\\")
            text.append(threeDigits(byte))
        }
    }
}

func threeDigits(_ byte: UInt8) -> String {
    let value = Int(byte)
    return String(value / 100) + String(value / 10 % 10) + String(value % 10)
}
