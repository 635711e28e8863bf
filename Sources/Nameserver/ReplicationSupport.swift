import DNSWire
import DNSZone

/// An address as the host knows it (in the simulator, an `Endpoint`): opaque to the machines,
/// which only hand it back in actions and compare it.
///
/// NOTIFY and its response are matched by host, not by port: PowerDNS's notification queue
/// compares the responder's host only, and RFC 1996 §3.10 checks the NOTIFY's source against the
/// primary's address.
public protocol PeerAddress: Hashable, Sendable {
    /// True when both addresses belong to the same host, whatever the port.
    func isSameHost(as other: Self) -> Bool
}

/// A TCP connection as a machine names it.
///
/// `opened` connections are the ones the machine asked for with `connectTCP(to:tag:)` and carry
/// the machine's tag; `accepted` ones were opened by a peer and carry a number the host chose.
/// The two spaces are separate, so neither side has to avoid the other's numbers.
public enum TCPConnection: Hashable, Sendable, CustomStringConvertible {
    case opened(UInt64)
    case accepted(UInt64)

    public var description: String {
        switch self {
        case .opened(let tag): "opened#\(tag)"
        case .accepted(let number): "accepted#\(number)"
        }
    }
}

/// How a transfer answered (or was answered), for traces and figures.
public enum TransferStyle: String, Hashable, Sendable {
    /// RFC 5936 AXFR: the whole zone.
    case axfr
    /// RFC 1995 incremental: difference sequences only.
    case ixfrIncremental = "ixfr-incremental"
    /// RFC 1995 §4 fallback: the whole zone in an IXFR response.
    case ixfrFullZone = "ixfr-full-zone"
    /// The client is current: the SOA alone (RFC 1995 §2).
    case upToDate = "up-to-date"
}

/// Peeking at a message's header without decoding it (RFC 1035 §4.1.1).
enum HeaderPeek {
    /// QR set: the message is a response.
    static func isResponse(_ bytes: [UInt8]) -> Bool { bytes.count >= dnsHeaderLength && bytes[2] & 0x80 != 0 }
    /// The OPCODE, or nil when the header is incomplete.
    static func opcode(_ bytes: [UInt8]) -> Opcode? {
        bytes.count >= dnsHeaderLength ? Opcode(rawValue: (bytes[2] >> 3) & 0xF) : nil
    }
}

extension Zone {
    /// The apex SOA as one record, TTL included.
    var soaRecord: ResourceRecord? { soaRRset?.records.first }
}

extension ResourceRecord {
    /// The SOA RDATA when this is an SOA record.
    var soaData: SOA? {
        if case .soa(let soa) = rdata { return soa }
        return nil
    }
}

extension ResourceRecord {
    /// The serial of an SOA record; only called on records known to be SOA records.
    var soaSerial: SerialNumber {
        guard let soa = soaData else { preconditionFailure("serial of a \(type) record") }
        return SerialNumber(soa.serial)
    }
}
