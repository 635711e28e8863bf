import DNSWire

/// Settings of `ZoneSet.answer`, each a named bound or policy (STYLE.md §5).
public struct LookupOptions: Hashable, Sendable {
    /// How QTYPE ANY is answered; RFC 8482 minimal by default.
    public var anyPolicy: AnyQueryPolicy
    /// CNAME records followed for one query before the partial chain is returned (BIND stops after
    /// 16 restarts; a loop is also cut as soon as a name repeats).
    public var cnameChainMax: Int
    /// The UDP payload size we advertise in the OPT record of a response (RFC 6891 §6.2.5).
    public var ednsUDPPayloadSize: UInt16

    /// The defaults: RFC 8482 minimal ANY, 16 CNAMEs, 1232-octet payload (DNS flag day 2020).
    public init(anyPolicy: AnyQueryPolicy = .minimal, cnameChainMax: Int = 16, ednsUDPPayloadSize: UInt16 = 1232) {
        precondition(cnameChainMax >= 1, "at least one CNAME must be followed")
        self.anyPolicy = anyPolicy
        self.cnameChainMax = cnameChainMax
        self.ednsUDPPayloadSize = ednsUDPPayloadSize
    }
}

/// What kind of response a lookup produced, for counters and traces.
public enum LookupOutcome: String, Hashable, Sendable {
    case answer, noData, nxDomain, referral, refused, formErr, notImp, notAuth, badVers
}

/// A zone transfer request for a zone we serve, left to the transfer machinery.
public struct TransferRequest: Hashable, Sendable {
    /// The query as received, for the transfer machinery to answer.
    public var query: Message
    /// The origin of the zone asked for.
    public var zone: DNSName
    /// AXFR or IXFR.
    public var type: RRType

    /// A request for `zone` by `query`.
    public init(query: Message, zone: DNSName, type: RRType) {
        self.query = query
        self.zone = zone
        self.type = type
    }
}

/// The result of `ZoneSet.answer`.
public enum LookupResult: Hashable, Sendable {
    /// A complete response message.
    case response(Message, LookupOutcome)
    /// QTYPE AXFR or IXFR for a zone apex we serve: not answered here (RFC 5936, RFC 1995).
    case transfer(TransferRequest)

    /// The response, when there is one.
    public var message: Message? {
        if case .response(let message, _) = self { return message }
        return nil
    }
}

extension ZoneSet {
    /// Answers a query from the zones' data, as an authoritative-only server (RFC 1034 §4.3.2).
    ///
    /// Not QUERY: NOTIMP (NOTIFY and UPDATE are handled by other machines before this). Not exactly
    /// one question: FORMERR. EDNS version above 0: BADVERS (RFC 6891 §6.1.3). AXFR/IXFR: a transfer
    /// request when the QNAME is a zone apex we serve, else NOTAUTH (RFC 5936 §2.2.1). A QNAME outside
    /// every zone, or in another class: REFUSED. Positive answers carry no NS in the authority section
    /// (it is optional in RFC 1034 §4.3.2 and only makes responses larger).
    public func answer(_ query: Message, options: LookupOptions = LookupOptions()) -> LookupResult {
        guard query.opcode == .query else { return .response(query.makeResponse(rcode: .notImp), .notImp) }
        guard query.questions.count == 1 else { return .response(query.makeResponse(rcode: .formErr), .formErr) }
        let question = query.questions[0]
        var response = query.makeResponse()
        if let edns = query.edns {
            response.edns = EDNS(udpPayloadSize: options.ednsUDPPayloadSize, dnssecOK: edns.dnssecOK)
            if edns.version != 0 {
                response.rcode = .badVers
                return .response(response, .badVers)
            }
        }
        if question.type == .axfr || question.type == .ixfr {
            guard let zone = zone(named: question.name), Self.classMatches(zone, question.class) else {
                response.rcode = .notAuth
                return .response(response, .notAuth)
            }
            return .transfer(TransferRequest(query: query, zone: zone.origin, type: question.type))
        }
        guard let index = servingIndex(question.name, type: question.type, class: question.class) else {
            response.rcode = .refused
            return .response(response, .refused)
        }
        let sections = resolve(question, zoneIndex: index, options: options)
        if sections.authoritative { response.flags.insert(.aa) }
        response.rcode = sections.rcode
        response.answers = sections.answers.flatMap(\.records)
        response.authority = sections.authority.flatMap(\.records)
        response.additional = sections.additional.flatMap(\.records)
        assert(sections.authoritative || sections.outcome == .referral, "only a referral is non-authoritative")
        assert(sections.rcode != .nxDomain || sections.outcome == .nxDomain, "NXDOMAIN without its outcome")
        return .response(response, sections.outcome)
    }

    private static func classMatches(_ zone: Zone, _ qclass: DNSClass) -> Bool {
        qclass == zone.class || qclass == .any
    }

    private func servingIndex(_ name: DNSName, type: RRType, class qclass: DNSClass) -> Int? {
        guard let index = zoneIndex(for: name, type: type), Self.classMatches(zones[index], qclass) else { return nil }
        return index
    }

    /// The sections of a response while it is being built.
    struct Sections {
        var answers: [RRset] = []
        var authority: [RRset] = []
        var additional: [RRset] = []
        var rcode: RCode = .noError
        var authoritative = true
        var outcome: LookupOutcome = .answer
    }

    /// Steps 2 to 6 of RFC 1034 §4.3.2: match, follow CNAMEs across our zones, then add addresses.
    /// RCODE and authority reflect the last name of a CNAME chain (RFC 6604 §3).
    func resolve(_ question: Question, zoneIndex first: Int, options: LookupOptions) -> Sections {
        var sections = Sections()
        var name = question.name
        var index = first
        var followed: [DNSName] = []
        var referral: (ns: RRset, zone: Zone)?
        chase: while true {
            let zone = zones[index]
            switch zone.match(name, type: question.type, anyPolicy: options.anyPolicy) {
            case .answer(let rrsets, _):
                sections.answers += rrsets
            case .cname(let cname, _):
                sections.answers.append(cname)
                followed.append(name)
                guard case .cname(let target)? = cname.rdatas.first, followed.count < options.cnameChainMax,
                    !followed.contains(target),
                    let next = servingIndex(target, type: question.type, class: question.class)
                else { break chase }
                name = target
                index = next
                continue chase
            case .referral(let ns):
                // RFC 1034 §4.3.2 step 3b: a referral is not authoritative, unless a CNAME led here.
                sections.authoritative = !sections.answers.isEmpty
                sections.authority = [ns]
                sections.outcome = .referral
                referral = (ns, zone)
            case .noData:
                sections.authority = zone.negativeSOA.map { [$0] } ?? []
                sections.outcome = .noData
            case .nxDomain:
                sections.authority = zone.negativeSOA.map { [$0] } ?? []
                sections.rcode = .nxDomain
                sections.outcome = .nxDomain
            }
            break chase
        }
        sections.additional = additionalData(for: sections.answers, referral: referral)
        return sections
    }

    /// RFC 1034 §4.3.2 step 6: A and AAAA of the names in NS, MX (RFC 1035 §3.3.9), SRV (RFC 2782)
    /// and SVCB/HTTPS (RFC 9460 §4.1) RDATA, when our zones hold them authoritatively; for a referral,
    /// the glue of the referring zone. No wildcard synthesis here; nothing already in the answer.
    func additionalData(for answers: [RRset], referral: (ns: RRset, zone: Zone)?) -> [RRset] {
        var additional: [RRset] = []
        func append(_ rrsets: [RRset]) {
            for rrset in rrsets {
                let seen = (answers + additional).contains { $0.owner == rrset.owner && $0.type == rrset.type }
                if !seen { additional.append(rrset) }
            }
        }
        for target in answers.flatMap(\.rdatas).compactMap(Self.additionalTarget) {
            guard let zone = zone(for: target), zone.delegation(covering: target) == nil else { continue }
            append(zone.addressRRsets(of: target))
        }
        if let (ns, zone) = referral {
            for target in ns.rdatas.compactMap(Self.additionalTarget) where target.isSubdomain(of: zone.origin) {
                append(zone.addressRRsets(of: target))
            }
        }
        return additional
    }

    /// The name whose addresses a resolver will want next; "." (no service, RFC 2782, RFC 7505) has none.
    static func additionalTarget(_ rdata: RData) -> DNSName? {
        let target: DNSName
        switch rdata {
        case .ns(let name): target = name
        case .mx(_, let exchange): target = exchange
        case .srv(let srv): target = srv.target
        case .svcb(let svcb), .https(let svcb): target = svcb.target
        default: return nil
        }
        return target.isRoot ? nil : target
    }
}
