import DNSWire
import Determinism

/// One packet exchange as it reached its receiver on the simulated wire: what `--pcap-out` writes.
///
/// Recorded at delivery (after loss, partitions, the edge filter and node state), so it is what a capture
/// on the receiving host would show. The TCP model has no segments of its own: a connection is recorded
/// when the server accepts it, each application message when it is delivered, and the close once.
public struct WireRecord: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case udp
        case tcpOpen
        case tcpData(toServer: Bool)
        case tcpClose(byClient: Bool)
    }

    public var kind: Kind
    public var at: Instant
    /// UDP: the sender. TCP: the client, whichever way the record goes.
    public var source: IPAddress
    public var sourcePort: UInt16
    /// UDP: the receiver. TCP: the server.
    public var destination: IPAddress
    public var destinationPort: UInt16
    /// TCP: the connection (slot and generation), unique while it is open; 0 for UDP.
    public var connection: UInt64
    public var payload: [UInt8]
}

extension Simulator {
    /// Appends a record when `recordsWire` is on.
    @inline(__always)
    mutating func tapDatagram(_ datagram: Datagram) {
        guard recordsWire else { return }
        wireRecords.append(WireRecord(
            kind: .udp, at: now, source: address(of: datagram.source), sourcePort: datagram.source.port,
            destination: address(of: datagram.destination), destinationPort: datagram.destination.port,
            connection: 0, payload: datagram.payload))
    }

    @inline(__always)
    mutating func tapConnection(_ index: UInt32, _ kind: WireRecord.Kind, payload: [UInt8] = []) {
        guard recordsWire else { return }
        let connection = connections[Int(index)]
        wireRecords.append(WireRecord(
            kind: kind, at: now, source: address(of: connection.client), sourcePort: connection.client.port,
            destination: address(of: connection.server), destinationPort: connection.server.port,
            connection: UInt64(index) << 32 | UInt64(connection.generation), payload: payload))
    }
}
