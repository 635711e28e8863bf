import DNSWire

extension ZoneFileReader {
    /// RFC 1035 §5.1: `<owner> [<TTL>] [<class>] <type> <RDATA>` with TTL and class in either order;
    /// a blank owner repeats the previous one.
    mutating func record(_ entry: ZoneEntry, state: inout FileState) {
        let tokens = entry.tokens
        var index = 0
        let owner: DNSName
        let ownerLocation: SourceLocation
        if entry.ownerBlank {
            ownerLocation = SourceLocation(file: state.file, line: entry.line, column: 1)
            guard let previous = state.previousOwner else { return report(.noPreviousOwner, at: ownerLocation) }
            owner = previous
        } else {
            ownerLocation = state.location(tokens[0])
            guard let name = parseName(tokens[0], state: state) else { return }
            owner = name
            state.previousOwner = name
            index = 1
        }
        guard let fields = ttlAndClass(tokens, from: index, state: state) else { return }
        let (explicitTTL, rrClass) = (fields.ttl, fields.class)
        index = fields.next
        guard index < tokens.count else {
            let last = tokens[tokens.count - 1]
            return report(.missingType, at: SourceLocation(file: state.file, line: last.line, column: last.endColumn))
        }
        guard let type = RRType(mnemonic: tokens[index].text), !tokens[index].isQuoted else {
            return report(.unknownType(tokens[index].text), at: state.location(tokens[index]))
        }
        guard !type.isMetaType else { return report(.metaType(type), at: state.location(tokens[index])) }
        guard rrClass == zoneClass else {
            return report(.classMismatch(rrClass, expected: zoneClass), at: ownerLocation)
        }
        guard owner.isSubdomain(of: zoneOrigin) else { return report(.outOfZone(owner), at: ownerLocation) }
        guard let rdata = parseRData(type, tokens, from: index + 1, state: state) else { return }
        guard let ttl = resolveTTL(explicitTTL, rdata: rdata, state: state, at: ownerLocation) else { return }
        guard records.count < limits.recordCountMax else {
            report(.tooManyRecords(limit: limits.recordCountMax), at: ownerLocation)
            stopped = true
            return
        }
        records.append(LocatedRecord(record: ResourceRecord(name: owner, class: rrClass, ttl: ttl, rdata: rdata),
                                     location: ownerLocation))
    }

    /// Up to one TTL and one class, in either order, from `start`; nil after reporting a bad TTL.
    private mutating func ttlAndClass(
        _ tokens: [ZoneToken], from start: Int, state: FileState
    ) -> (ttl: UInt32?, class: DNSClass, next: Int)? {
        var ttl: UInt32?
        var rrClass: DNSClass?
        var index = start
        while index < tokens.count && (ttl == nil || rrClass == nil) {
            let token = tokens[index]
            guard !token.isQuoted, let first = token.raw.first else { break }
            if ttl == nil && first >= 48 && first <= 57 {
                guard let value = parseTTL(token, state: state) else { return nil }
                ttl = value
            } else if rrClass == nil, let given = Self.zoneFileClass(token.text) {
                rrClass = given
            } else {
                break
            }
            index += 1
        }
        return (ttl, rrClass ?? zoneClass, index)
    }

    /// Classes a zone file may name: IN, CH, HS and CLASSnnn; NONE and ANY are UPDATE-only (RFC 2136).
    private static func zoneFileClass(_ text: String) -> DNSClass? {
        guard let rrClass = DNSClass(mnemonic: text), rrClass != .none, rrClass != .any else { return nil }
        return rrClass
    }

    private mutating func parseRData(
        _ type: RRType, _ tokens: [ZoneToken], from start: Int, state: FileState
    ) -> RData? {
        let fields = Array(tokens[start...])
        do {
            let rdata = try RData(type: type, tokens: fields.map(\.rdataToken), origin: state.origin)
            if case .empty = rdata {
                report(.emptyRData(type), at: state.location(tokens[start - 1]))
                return nil
            }
            return rdata
        } catch {
            let location: SourceLocation
            if error.tokenIndex < fields.count {
                location = state.location(fields[error.tokenIndex])
            } else {
                let last = tokens[tokens.count - 1]
                location = SourceLocation(file: state.file, line: last.line, column: last.endColumn)
            }
            report(.rdata(error), at: location)
            return nil
        }
    }

    /// Explicit TTL, else `$TTL`, else the SOA MINIMUM (with one warning per load), else an error.
    private mutating func resolveTTL(
        _ explicit: UInt32?, rdata: RData, state: FileState, at location: SourceLocation
    ) -> UInt32? {
        if case .soa(let soa) = rdata, soaMinimum == nil { soaMinimum = soa.minimum }
        if let ttl = explicit ?? state.defaultTTL { return ttl }
        guard let minimum = soaMinimum else {
            report(.missingTTL, at: location)
            return nil
        }
        let ttl = min(minimum, Self.ttlMax)
        if !warnedSOAMinimum {
            warnedSOAMinimum = true
            warnings.append(ZoneFileWarning(location: location, reason: .ttlFromSOAMinimum(ttl)))
        }
        return ttl
    }
}
