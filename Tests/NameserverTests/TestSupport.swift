import DNSWire
import DNSZone
import Determinism
import Nameserver
import Testing

/// Addresses in the tests: one primary, numbered secondaries and clients.
enum TestAddress: PeerAddress, CustomStringConvertible {
    case primary
    case secondary(Int)
    case client(Int)

    func isSameHost(as other: TestAddress) -> Bool { self == other }

    var description: String {
        switch self {
        case .primary: "primary"
        case .secondary(let index): "secondary\(index)"
        case .client(let index): "client\(index)"
        }
    }
}

typealias Primary = PrimaryMachine<TestAddress>
typealias Secondary = SecondaryMachine<TestAddress>

/// A name from a literal; a bad literal is a bug in the test.
func name(_ text: String) -> DNSName {
    guard let parsed = try? DNSName(parsing: text, origin: .root) else { fatalError("bad test name \(text)") }
    return parsed
}

let origin = name("example.org.")

/// The test zone: SOA timers REFRESH 60 s, RETRY 10 s, EXPIRE 300 s unless given.
func exampleZone(
    serial: UInt32 = 1, refresh: UInt32 = 60, retry: UInt32 = 10, expire: UInt32 = 300, extra: [String] = []
) -> Zone {
    let lines = [
        "$TTL 300",
        "@ IN SOA ns1.example.org. hostmaster.example.org. \(serial) \(refresh) \(retry) \(expire) 60",
        "@ NS ns1", "@ NS ns2", "ns1 A 192.0.2.1", "ns2 A 192.0.2.2", "www A 192.0.2.10",
        "mail A 192.0.2.20", "@ MX 10 mail", "txt TXT \"hello\"",
    ] + extra
    do {
        return try ZoneFileParser.load(lines.joined(separator: "\n"), fileName: "example.org", origin: origin).zone
    } catch {
        fatalError("test zone did not load: \(error)")
    }
}

/// Records from zone-file lines relative to example.org (TTL given or 300).
func records(_ lines: [String]) -> [ResourceRecord] {
    let parsed = ZoneFileParser.parseRecords((["$TTL 300"] + lines).joined(separator: "\n"), fileName: "lines", origin: origin)
    precondition(parsed.errors.isEmpty, "bad test records: \(parsed.errors)")
    return parsed.records.map(\.record)
}

/// `zone` with `remove` taken out, `add` put in and the serial bumped by one (or set).
func changed(_ zone: Zone, add: [String] = [], remove: [String] = [], serial: UInt32? = nil) -> Zone {
    var copy = zone
    for record in records(remove) { precondition(copy.remove(record), "not in zone: \(record)") }
    for record in records(add) { _ = try? copy.add(record) }
    guard var soa = copy.soa, let ttl = copy.soaRRset?.ttl else { fatalError("no SOA") }
    soa.serial = serial ?? soa.serial &+ 1
    try? copy.setRRset(RRset(owner: zone.origin, type: .soa, ttl: ttl, rdatas: [.soa(soa)]))
    return copy
}

/// The zone's records as sorted presentation lines: compares content, not RDATA order.
func text(_ zone: Zone?) -> [String] { zone?.records.map(\.description).sorted() ?? [] }

func serial(_ zone: Zone?) -> UInt32? { zone?.soa?.serial }

/// A query as a client sends it.
func queryBytes(_ qname: String, _ type: RRType, id: UInt16 = 0x4242) -> [UInt8] {
    guard let bytes = try? Message.query(id: id, name: name(qname), type: type).wire() else { fatalError("query encodes") }
    return bytes
}

func decode(_ bytes: [UInt8], sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Message {
    do {
        return try Message(wire: bytes)
    } catch {
        Issue.record("undecodable message: \(error)", sourceLocation: sourceLocation)
        return Message()
    }
}

/// The messages of a transfer request, after encoding and decoding (what a peer would read).
func transferQuery(_ type: RRType, serial: UInt32? = nil, id: UInt16 = 7) -> TransferRequest {
    var query = Message.query(id: id, name: origin, type: type)
    if let serial { query.authority = [soaRecord(serial: serial)] }
    return TransferRequest(query: query, zone: origin, type: type)
}

/// An SOA record of the example zone at `serial`.
func soaRecord(serial: UInt32) -> ResourceRecord {
    guard let record = exampleZone(serial: serial).soaRRset?.records.first else { fatalError("no SOA") }
    return record
}

/// UDP payloads sent to `address` among `actions`.
func udpSent(_ actions: [PrimaryAction<TestAddress>], to address: TestAddress) -> [Message] {
    actions.compactMap {
        if case .sendUDP(let bytes, let to) = $0, to == address { return decode(bytes) }
        return nil
    }
}

func udpSent(_ actions: [SecondaryAction<TestAddress>], to address: TestAddress) -> [Message] {
    actions.compactMap {
        if case .sendUDP(let bytes, let to) = $0, to == address { return decode(bytes) }
        return nil
    }
}

func traces(_ actions: [PrimaryAction<TestAddress>]) -> [PrimaryTrace<TestAddress>] {
    actions.compactMap {
        if case .trace(let trace) = $0 { return trace }
        return nil
    }
}

func traces(_ actions: [SecondaryAction<TestAddress>]) -> [SecondaryTrace<TestAddress>] {
    actions.compactMap {
        if case .trace(let trace) = $0 { return trace }
        return nil
    }
}

extension Instant {
    static func ms(_ value: Int64) -> Instant { .zero + .milliseconds(value) }
    static func s(_ value: Int64) -> Instant { .zero + .seconds(value) }
}
