/// Why a message, name or record could not be decoded from wire bytes.
///
/// Decoding untrusted bytes never traps: every failure is one of these reasons together with the
/// byte offset at which it was detected. The peer is at fault, so a server answers FORMERR
/// (RFC 1035 §4.1.1, RCODE 1) or counts a drop.
public struct DNSDecodeError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Equatable, Hashable, Sendable {
        /// The message ended before a field that must be there.
        case truncated
        /// A compression pointer leads back into a name already being followed (RFC 1035 §4.1.4).
        case pointerLoop
        /// A compression pointer points at or after itself; only prior occurrences may be referenced.
        case forwardPointer
        /// A compression pointer points past the end of the message.
        case pointerOutOfBounds
        /// A label type other than 0b00 (length) or 0b11 (pointer): RFC 6891 §5 retired 0b01 and 0b10.
        case badLabelType(UInt8)
        /// A name longer than 255 octets in wire form (RFC 1035 §2.3.4).
        case nameTooLong
        /// RDATA shorter or longer than its fields, for the given type.
        case rdataLength(RRType)
        /// A field of the RDATA holds a value its type does not allow.
        case invalidRData(RRType, String)
        /// More than one OPT pseudo-record (RFC 6891 §6.1.1).
        case duplicateOPT
        /// An OPT record whose owner is not the root, or that is outside the additional section.
        case misplacedOPT
        /// An EDNS option whose length does not fit its code (e.g. a COOKIE of 9 octets).
        case invalidEDNSOption(UInt16)
        /// A TSIG record that is not the last record of the additional section (RFC 8945 §5.1).
        case misplacedTSIG
        /// Bytes left over after the last record the header announced.
        case trailingBytes
    }

    public var reason: Reason
    /// Offset in the message at which the problem was found.
    public var offset: Int

    public init(_ reason: Reason, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    /// The RCODE a server answers with when a query fails to decode.
    public var rcode: RCode { .formErr }

    /// A short stable name for the reason, for counters and reports.
    public var reasonName: String {
        switch reason {
        case .truncated: "truncated"
        case .pointerLoop: "pointer-loop"
        case .forwardPointer: "forward-pointer"
        case .pointerOutOfBounds: "pointer-out-of-bounds"
        case .badLabelType: "bad-label-type"
        case .nameTooLong: "name-too-long"
        case .rdataLength: "rdata-length"
        case .invalidRData: "invalid-rdata"
        case .duplicateOPT: "duplicate-opt"
        case .misplacedOPT: "misplaced-opt"
        case .invalidEDNSOption: "invalid-edns-option"
        case .misplacedTSIG: "misplaced-tsig"
        case .trailingBytes: "trailing-bytes"
        }
    }

    public var description: String {
        switch reason {
        case .badLabelType(let bits): "\(reasonName) 0x\(String(bits, radix: 16)) at offset \(offset)"
        case .rdataLength(let type): "\(reasonName) for \(type) at offset \(offset)"
        case .invalidRData(let type, let why): "\(reasonName) for \(type) (\(why)) at offset \(offset)"
        case .invalidEDNSOption(let code): "\(reasonName) code \(code) at offset \(offset)"
        default: "\(reasonName) at offset \(offset)"
        }
    }
}

/// Why a value could not be encoded. Our own data is valid by construction except for the limits
/// below, which depend on the whole message.
public enum DNSEncodeError: Error, Equatable, Hashable, Sendable {
    /// The message would exceed 65,535 octets.
    case messageTooLarge
    /// One RDATA would exceed 65,535 octets.
    case rdataTooLarge(RRType)
    /// A character-string (TXT, CAA tag) longer than 255 octets.
    case characterStringTooLong
    /// An RCODE above 15 needs an OPT record to carry its upper bits (RFC 6891 §6.1.3).
    case extendedRCodeWithoutEDNS
    /// A field outside its range (e.g. a 48-bit TSIG time above 2^48).
    case valueOutOfRange(String)
}
