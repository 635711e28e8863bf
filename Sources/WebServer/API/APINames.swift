import DNSWire

/// Names and types as the REST API spells them (docs/openapi.yaml, "Names"): domains as full
/// names without a trailing dot, owners as subnames relative to their domain (`@` for the domain
/// itself), ASCII only (IDNs in their `xn--` form), answered in lower case.
enum APINames {
    /// The RR types the API manages (read and write); others are neither listed nor accepted.
    static let managedTypes: [RRType] = [.a, .aaaa, .caa, .cname, .mx, .srv, .txt]

    /// The longest full name in presentation form without the trailing dot (RFC 1035 §2.3.4).
    static let maxNameLength = 253

    /// A managed type from its mnemonic (exactly as IANA spells it, upper case).
    static func type(_ text: String) throws(APIError) -> RRType {
        guard let type = managedTypes.first(where: { $0.description == text }) else {
            let list = managedTypes.map(\.description).joined(separator: ", ")
            throw APIError.invalidField("type", "\(APIError.quote(text)) is not one of \(list)")
        }
        return type
    }

    /// A full domain name (a trailing dot is allowed), lower-cased; each label 1–63 characters of
    /// `a-z 0-9 - _`.
    static func domain(_ text: String, field: String = "domain") throws(APIError) -> DNSName {
        var body = Substring(text)
        if body.hasSuffix(".") { body = body.dropLast() }
        guard !body.isEmpty, body.utf8.count <= maxNameLength else {
            throw APIError.invalidField(field, "a domain name has 1 to \(maxNameLength) characters")
        }
        let labels = body.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { throw APIError.invalidField(field, "\(APIError.quote(text)) is not a full name") }
        for label in labels {
            try check(label, field: field, allowWildcard: false)
        }
        return try name(from: labels, field: field)
    }

    /// The owner of `subname` in `domain`: `@` is the domain; otherwise labels prepended to it.
    static func owner(subname: String, in domain: DNSName, field: String = "subname") throws(APIError) -> DNSName {
        if subname == "@" { return domain }
        guard !subname.isEmpty, subname.utf8.count <= maxNameLength, !subname.hasSuffix(".") else {
            throw APIError.invalidField(field, "\(APIError.quote(subname)) is not a subname (use @ for the domain itself)")
        }
        let labels = subname.split(separator: ".", omittingEmptySubsequences: false)
        for (index, label) in labels.enumerated() {
            try check(label, field: field, allowWildcard: index == 0)
        }
        var wire: [UInt8] = []
        for label in labels {
            wire.append(UInt8(label.utf8.count))
            wire += label.lowercased().utf8
        }
        wire += domain.wire
        guard wire.count <= DNSName.maxWireLength, let owner = try? DNSName(wire: wire) else {
            throw APIError.invalidField(field, "the full name would be longer than \(maxNameLength) characters")
        }
        return owner
    }

    /// The subname of `owner` (at or below `domain`), lower case; `@` for the domain itself.
    static func subname(of owner: DNSName, in domain: DNSName) -> String {
        precondition(owner.isSubdomain(of: domain), "an owner of the domain")
        let extra = owner.labelCount - domain.labelCount
        guard extra > 0 else { return "@" }
        return owner.labels.prefix(extra).map { label in
            String(decoding: label.map(asciiLowercase), as: UTF8.self)
        }.joined(separator: ".")
    }

    /// The name without its trailing dot, lower case (how the API writes domain names).
    static func text(_ name: DNSName) -> String {
        var text = name.lowercased.description
        if text.hasSuffix("."), text.count > 1 { text.removeLast() }
        return text
    }

    // MARK: Helpers

    private static func check(_ label: Substring, field: String, allowWildcard: Bool) throws(APIError) {
        if allowWildcard, label == "*" { return }
        guard label.utf8.allSatisfy({ $0 < 0x80 }) else {
            throw APIError.invalidField(field, "names are ASCII; write an internationalized name in its xn-- form")
        }
        guard (1...63).contains(label.utf8.count) else {
            throw APIError.invalidField(field, "each label has 1 to 63 characters")
        }
        guard label.utf8.allSatisfy(isLabelByte) else {
            throw APIError.invalidField(field, "\(APIError.quote(label)) holds a character other than a-z 0-9 - _")
        }
    }

    private static func isLabelByte(_ byte: UInt8) -> Bool {
        switch asciiLowercase(byte) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "-"), UInt8(ascii: "_"): true
        default: false
        }
    }

    private static func asciiLowercase(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }

    private static func name(from labels: [Substring], field: String) throws(APIError) -> DNSName {
        var wire: [UInt8] = []
        for label in labels {
            wire.append(UInt8(label.utf8.count))
            wire += label.lowercased().utf8
        }
        wire.append(0)
        guard wire.count <= DNSName.maxWireLength, let name = try? DNSName(wire: wire) else {
            throw APIError.invalidField(field, "the name is longer than \(maxNameLength) characters")
        }
        return name
    }
}
