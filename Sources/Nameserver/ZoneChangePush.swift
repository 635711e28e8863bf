import DNSWire
import DNSZone

/// How the web server tells the primary what it just committed: the committed difference as an
/// RFC 2136 UPDATE message.
///
/// The web server and the primary share one database (PowerDNS's schema, BRIEF.md §2): the web
/// server commits records, SOA serial and log row in one transaction, then sends this message so the
/// primary serves the change and NOTIFYs its secondaries at once, as PowerDNS does after an API
/// change (`pdns_control notify`). The message is a plain UPDATE, so any DNS tool can read it:
/// - zone section: (origin, SOA, IN) (RFC 2136 §2.3);
/// - prerequisite section: the old SOA with TTL 0 — "RRset exists (value dependent)" (§2.4.2):
///   the difference applies only to exactly that serial;
/// - update section: each removed record with CLASS NONE and TTL 0 ("delete an RR from an RRset",
///   §2.5.4), then each added record, then the new SOA (§2.5.1; the serial increases).
///
/// The primary applies it to its in-memory copy only (the database already holds it) and answers
/// NOERROR with the same ID; a push whose old serial is not the one it serves makes it reload the
/// zone from the database instead. Pushes that never arrive are caught by the primary's periodic
/// check of the database serial.
public enum ZoneChangePush {
    /// The UPDATE message that carries `diff`.
    public static func make(id: UInt16, diff: ZoneDiff) -> Message {
        var oldSOA = diff.oldSOA
        oldSOA.ttl = 0
        var update: [ResourceRecord] = []
        update.reserveCapacity(diff.removed.count + diff.added.count + 1)
        for record in diff.removed {
            update.append(ResourceRecord(name: record.name, class: .none, ttl: 0, rdata: record.rdata))
        }
        update.append(contentsOf: diff.added)
        update.append(diff.newSOA)
        return Message(id: id, flags: [], opcode: .update, questions: [Question(name: diff.origin, type: .soa)],
                       answers: [oldSOA], authority: update)
    }

    /// What a push says: the zone, the serial it starts from, and the difference (its old SOA
    /// carries TTL 0; the receiver takes the old SOA record from its own copy).
    public struct Decoded: Hashable, Sendable {
        public var origin: DNSName
        public var oldSerial: UInt32
        public var newSOA: ResourceRecord
        public var removed: [ResourceRecord]
        public var added: [ResourceRecord]

        /// The difference framed by `oldSOA` (the receiver's own SOA record at `oldSerial`).
        public func diff(oldSOA: ResourceRecord) -> ZoneDiff {
            ZoneDiff(origin: origin, oldSOA: oldSOA, newSOA: newSOA, removed: removed, added: added)
        }
    }

    /// Reads a push; nil for any message that is not one (wrong opcode or shape).
    public static func decode(_ message: Message) -> Decoded? {
        guard message.opcode == .update, !message.flags.contains(.qr), message.questions.count == 1,
              let zone = message.question, zone.type == .soa, message.answers.count == 1,
              case .soa(let old) = message.answers[0].rdata, message.answers[0].name == zone.name,
              let last = message.authority.last, case .soa = last.rdata, last.name == zone.name
        else { return nil }
        var removed: [ResourceRecord] = []
        var added: [ResourceRecord] = []
        for record in message.authority.dropLast() {
            guard record.name.isSubdomain(of: zone.name), record.type != .soa else { return nil }
            if record.class == .none {
                removed.append(ResourceRecord(name: record.name, class: .in, ttl: 0, rdata: record.rdata))
            } else if record.class == .in {
                added.append(record)
            } else {
                return nil
            }
        }
        return Decoded(origin: zone.name, oldSerial: old.serial, newSOA: last, removed: removed, added: added)
    }

    /// The acknowledgement: same ID, opcode and zone, QR set, `rcode`.
    public static func response(to push: Message, rcode: RCode) -> Message {
        var response = push.makeResponse(rcode: rcode)
        response.answers = []
        response.authority = []
        return response
    }
}
