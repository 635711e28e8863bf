import DNSWire
import Determinism

/// Requests over connections: start, connect, send, read the whole response, close; failover to
/// the next server when a connection cannot be made; the model's timeout bounds the whole request.
extension UpdaterFleet {
    /// Starts one request of `customer` for `families` with its current addresses.
    mutating func startRequest(customer: Int, families: FleetFamilies, isRetry: Bool, now: Instant,
                               actions: inout [Action]) {
        precondition(customers[customer].inFlightRequest < 0, "one request at a time per customer")
        let (v4, v6) = currentAddresses(customer: customer)
        let modelIndex = config.customers[customer].model
        let bytes = requestBytes(customer: customer, families: families, v4: v4, v6: v6)
        let server = Int(random.below(UInt64(config.servers)))
        let index = requests.count
        requests.append(FleetRequest(customer: customer, model: modelIndex, families: families, sentAt: now,
                                     answeredAt: nil, status: nil, code: "",
                                     v4: families.contains(.v4) ? v4 : nil, v6: families.contains(.v6) ? v6 : nil,
                                     isRetry: isRetry, server: server))
        counters[modelIndex].sent += 1
        if isRetry { counters[modelIndex].retries += 1 }
        let tag = nextTag
        nextTag += 1
        inFlight[tag] = InFlight(customer: UInt32(customer), request: index, bytes: bytes)
        customers[customer].inFlightRequest = index
        customers[customer].inFlightTag = tag
        let timeout = UInt64(max(1, model(of: customer).timeout.nanoseconds))
        heap.insert(at: now.nanoseconds &+ timeout, .timeout(request: index))
        actions.append(.connectTCP(client: customers[customer].v4Index, server: server, tag: tag))
    }

    /// The connection for `tag` is up: send the request on it.
    public mutating func tcpConnected(tag: UInt64, now: Instant, actions: inout [Action]) {
        guard var flight = inFlight[tag], !flight.connected else { return }
        let bytes = flight.bytes
        flight.connected = true
        flight.bytes = []
        inFlight[tag] = flight
        actions.append(.sendTCP(tag: tag, bytes: bytes))
    }

    /// The whole response arrived on `tag`: close the connection, judge the answer.
    public mutating func tcpReceived(_ bytes: [UInt8], tag: UInt64, now: Instant, actions: inout [Action]) {
        guard let flight = inFlight.removeValue(forKey: tag) else { return }
        actions.append(.closeTCP(tag: tag))
        guard let response = FleetHTTP.parseResponse(bytes) else {
            finish(request: flight.request, status: nil, code: "network", body: [], now: now, actions: &actions)
            return
        }
        finish(request: flight.request, status: response.status, code: Self.firstWord(response.body),
               body: response.body, now: now, actions: &actions)
    }

    /// `tag` closed without our asking: before it opened (try the next server), or before the
    /// response (a network failure).
    public mutating func tcpClosed(tag: UInt64, now: Instant, actions: inout [Action]) {
        guard var flight = inFlight.removeValue(forKey: tag) else { return }
        guard !flight.connected, flight.serversTried < config.servers, now < config.stopAt else {
            finish(request: flight.request, status: nil, code: "network", body: [], now: now, actions: &actions)
            return
        }
        let server = (requests[flight.request].server + 1) % config.servers
        requests[flight.request].server = server
        counters[requests[flight.request].model].failovers += 1
        flight.serversTried += 1
        let newTag = nextTag
        nextTag += 1
        inFlight[newTag] = flight
        customers[Int(flight.customer)].inFlightTag = newTag
        actions.append(.connectTCP(client: customers[Int(flight.customer)].v4Index, server: server, tag: newTag))
    }

    mutating func timeoutFired(request: Int, now: Instant, actions: inout [Action]) {
        let customer = requests[request].customer
        guard requests[request].answeredAt == nil, customers[customer].inFlightRequest == request else { return }
        let tag = customers[customer].inFlightTag
        inFlight.removeValue(forKey: tag)
        actions.append(.closeTCP(tag: tag))
        finish(request: request, status: nil, code: "timeout", body: [], now: now, actions: &actions)
    }

    private mutating func finish(request: Int, status: Int?, code: String, body: [UInt8], now: Instant,
                                 actions: inout [Action]) {
        requests[request].answeredAt = now
        requests[request].status = status
        requests[request].code = code
        let customer = requests[request].customer
        let modelIndex = requests[request].model
        counters[modelIndex].count(code: code)
        switch code {
        case "good": counters[modelIndex].good += 1
        case "nochg": counters[modelIndex].nochg += 1
        case "network": counters[modelIndex].network += 1
        case "timeout": counters[modelIndex].timeouts += 1
        default: break
        }
        let verdict = Self.verdict(config.models[modelIndex].kind, status: status, code: code, body: body)
        switch verdict {
        case .success: counters[modelIndex].succeeded += 1
        case .failure, .fatal: counters[modelIndex].failed += 1
        case .ignored: break
        }
        completed(customer: customer, request: request, verdict: verdict, now: now, actions: &actions)
    }

    /// The first whitespace-separated word of a body (the dyndns2 code of its first line).
    static func firstWord(_ body: [UInt8]) -> String {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        guard let start = body.firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = body[start...].firstIndex(where: isSpace) ?? body.endIndex
        return String(decoding: body[start..<min(end, start + 64)], as: UTF8.self)
    }

    static let dyndns2Errors: Set<String> = [
        "badauth", "!donator", "notfqdn", "nohost", "numhost", "abuse", "badagent", "dnserr", "911", "badsys", "!yours",
        "!active",
    ]

    /// How `kind` judges an answer (`status` nil: no response, network failure or timeout).
    static func verdict(_ kind: UpdaterModel.Kind, status: Int?, code: String, body: [UInt8]) -> Verdict {
        switch kind {
        case .ddclient:
            // Non-2xx fails; the first word decides; nochg counts as good; anything else fails.
            guard let status, (200..<300).contains(status) else { return .failure }
            return code == "good" || code == "nochg" ? .success : .failure
        case .inadyn(let settings):
            guard let status else { return .failure }
            switch status {
            case 200: return settings.responseCheck == .statusOnly ? .success : inadynBodyVerdict(body)
            case 401, 403: return .fatal
            case 500..<600: return .failure
            default: return .fatal
            }
        case .fritzbox:
            guard let status, (200..<300).contains(status) else { return .failure }
            return dyndns2Errors.contains(code) ? .failure : .success
        case .cron:
            return .ignored
        }
    }

    /// inadyn's generic dyndns2 reading of a 200 body: case-insensitive substrings.
    static func inadynBodyVerdict(_ body: [UInt8]) -> Verdict {
        let text = String(decoding: body, as: UTF8.self).lowercased()
        if text.contains("good") || text.contains("nochg") || text.contains("ok") { return .success }
        if text.contains("dnserr") || text.contains("911") || text.contains("abuse") { return .failure }
        return .fatal
    }
}
