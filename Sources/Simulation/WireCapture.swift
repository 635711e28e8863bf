import DNSWire
import PcapReplay
import Reports
import SimNet

/// The packets of a run's deliveries (`--pcap-out`): raw IP with consistent IP/UDP/TCP headers.
///
/// Instants become nanoseconds since the Unix epoch (instant 0 = 1970-01-01T00:00:00Z), so the file's
/// times are the run's. TCP on 853 (DoT) and 443 (DoH) is left out and counted: the simulation does not
/// encrypt, and tshark would read the plain bytes as broken TLS. The CLI writes the packets with libpcap.
public struct WireCapture: Sendable {
    /// Ports whose TCP traffic is left out.
    public static let tlsPorts: [UInt16] = [853, 443]

    /// Packets produced so far, each with its time.
    public private(set) var packets: [PacketSynthesis.Packet] = []
    /// DNS messages in them, counted as tshark counts: port 53 on either side, at least ID and flags.
    public private(set) var dnsMessages = 0
    public private(set) var udpDatagrams = 0
    public private(set) var tcpConnections = 0
    public private(set) var skippedTLS = 0
    public private(set) var skippedMixedFamily = 0
    private var synthesis = PacketSynthesis()

    /// The packets of `records`, in order.
    public init(records: [WireRecord]) {
        for record in records { add(record) }
    }

    /// The report's `pcap_out` section.
    public var json: JSONValue {
        .object([
            "packets": .integer(Int64(packets.count)), "dns_messages": .integer(Int64(dnsMessages)),
            "udp_datagrams": .integer(Int64(udpDatagrams)), "tcp_connections": .integer(Int64(tcpConnections)),
            "skipped_tls": .integer(Int64(skippedTLS)), "skipped_mixed_family": .integer(Int64(skippedMixedFamily)),
        ])
    }

    private mutating func add(_ record: WireRecord) {
        let source = PacketSynthesis.End(address: Self.octets(record.source), port: record.sourcePort)
        let destination = PacketSynthesis.End(address: Self.octets(record.destination), port: record.destinationPort)
        guard source.address.count == destination.address.count else {
            skippedMixedFamily += 1
            return
        }
        let time = record.at.nanoseconds
        let isDNS = (record.sourcePort == 53 || record.destinationPort == 53) && record.payload.count >= 4
        switch record.kind {
        case .udp:
            udpDatagrams += 1
            if isDNS { dnsMessages += 1 }
            packets += synthesis.udp(from: source, to: destination, payload: record.payload, at: time)
            return
        case .tcpOpen, .tcpData, .tcpClose:
            guard !Self.tlsPorts.contains(record.destinationPort) else {
                skippedTLS += 1
                return
            }
        }
        switch record.kind {
        case .tcpOpen:
            tcpConnections += 1
            packets += synthesis.open(record.connection, client: source, server: destination, at: time)
        case .tcpData(let toServer):
            let made = synthesis.data(
                record.connection, client: source, server: destination, toServer: toServer, payload: record.payload,
                at: time)
            if !made.isEmpty, isDNS { dnsMessages += 1 }
            packets += made
        case .tcpClose(let byClient):
            packets += synthesis.close(record.connection, client: source, server: destination, byClient: byClient, at: time)
        case .udp:
            break
        }
    }

    private static func octets(_ address: IPAddress) -> [UInt8] {
        switch address {
        case .v4(let value): value.octets
        case .v6(let value): value.octets
        }
    }
}
