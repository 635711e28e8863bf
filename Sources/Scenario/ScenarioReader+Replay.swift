import Determinism
import Yams

/// The workload item `replay`: a capture replayed through the cluster (issue 8).
extension ScenarioReader {
    static let replayKeys = ["name", "file", "speed", "loop", "site", "targets", "addresses", "transport", "start", "timeout"]

    /// `replay: { name: prod, file: ../../fixtures/pcap/x.pcap, speed: 2x, site: internet }`.
    mutating func readReplay(_ field: Field) -> ReplaySpec? {
        guard let fields = mapping(field.value, key: field.keyNode, context: "replay", allowed: Self.replayKeys,
                                   required: ["name", "file", "site"])
        else { return nil }
        let name = readWorkloadName(fields["name"], what: "replay name")
        if let name { replayNames.append(name) }  // for the figure catalog of `expect`
        let file = parse(fields["file"], expected: "a capture file path") { text -> Parsed<String> in
            text.isEmpty ? .malformed : .value(text)
        }
        let speed = parse(fields["speed"], expected: "a speed factor like 1, 0.5 or 10x", ValueText.speedFactor)
        let loop = bool(fields["loop"])
        let site = fields["site"].flatMap { siteReference($0.value, key: $0.keyNode) }
        let targets = readTargets(fields["targets"])
        let addresses = parse(fields["addresses"], expected: "keep or anonymise") { text -> Parsed<ReplaySpec.AddressMapping> in
            let spelling = text == "anonymize" ? "anonymise" : text
            if let mapping = ReplaySpec.AddressMapping(rawValue: spelling) { return .value(mapping) }
            return .invalid(ValueText.unknownName("address mapping", text, ReplaySpec.AddressMapping.allCases.map(\.rawValue)))
        }
        let transport = parse(fields["transport"], expected: "captured, udp or tcp") { text -> Parsed<ReplaySpec.TransportChoice> in
            if let choice = ReplaySpec.TransportChoice(rawValue: text) { return .value(choice) }
            return .invalid(ValueText.unknownName("replay transport", text, ReplaySpec.TransportChoice.allCases.map(\.rawValue)))
        }
        let start = instantInRun(fields["start"], label: "replay start")
        let timeout = duration(fields["timeout"], .positive)
        guard let name, let file, let site else { return nil }
        var spec = ReplaySpec(name: name, file: file, site: site,
                              targets: targets ?? (balancerNames.isEmpty ? hostNames : balancerNames),
                              position: field.value.position)
        spec.speedPartsPerMillion = speed ?? 1_000_000
        spec.loop = loop ?? false
        spec.addresses = addresses ?? .anonymise
        spec.transport = transport ?? .captured
        spec.start = start ?? .zero
        spec.timeout = timeout ?? .seconds(2)
        return spec
    }
}

extension ValueText {
    /// `2`, `0.5`, `10x` → parts per million of captured speed (1,000,000 is captured time), from
    /// 0.001 to 1000.
    static func speedFactor(_ text: String) -> Parsed<UInt64> {
        let body = Substring(text.hasSuffix("x") ? String(text.dropLast()) : text)
        guard let (number, rest) = leadingDecimal(body), rest.isEmpty, number.scale <= 6 else { return .malformed }
        let partsPerMillion = number.mantissa * powerOfTen(6 - number.scale)
        guard (1_000...1_000_000_000).contains(partsPerMillion) else {
            return .invalid("speed \(text) is out of range (0.001 to 1000)")
        }
        return .value(UInt64(partsPerMillion))
    }
}
