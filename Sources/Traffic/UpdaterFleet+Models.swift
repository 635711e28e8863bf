import DNSWire
import Determinism

/// What each client model does when its timer fires, when its addresses change, and after each
/// request (parameters in `UpdaterModel.swift`, sources in research/dyndns.md §4).
///
/// - ddclient: a check every `interval` plus jitter; sends `myip=<v4>[,<v6>]` when an address
///   differs from its cache or `maxInterval` passed; a failed host is retried at the first check
///   `minErrorInterval` after the attempt, whatever the error, for ever.
/// - inadyn: a check every `period` (counted from the end of the previous round); one request per
///   family that differs (or all after `forcedUpdate`); a temporary error ends the round and the
///   next check is `errorPeriod` later; a fatal answer makes it exit.
/// - FRITZ!Box: a round (IPv4, then IPv6) right after every address change; a failed family is
///   retried `retries` times, `retryDelay` apart; a new change starts a fresh round.
/// - cron: the IPv4 request at every wall-clock mark plus its offset; answers ignored.
extension UpdaterFleet {
    /// How a model judges one request's outcome.
    enum Verdict: Sendable, Equatable {
        case success
        /// Failed; the client will try again (its error path).
        case failure
        /// Failed; the client stops for good.
        case fatal
        /// The client does not look at the answer.
        case ignored
    }

    mutating func scheduleFirstCheck(customer: Int) {
        let start = config.startAt.nanoseconds
        switch model(of: customer).kind {
        case .ddclient(let settings):
            setClientTimer(customer: customer, at: start &+ random.below(UInt64(max(1, settings.interval.nanoseconds))))
        case .inadyn(let settings):
            setClientTimer(customer: customer, at: start &+ random.below(UInt64(max(1, settings.period.nanoseconds))))
        case .fritzbox(let settings):
            guard settings.updateAtStart else { return }
            customers[customer].pending = fritzBoxFamilies(customer: customer, settings)
            setClientTimer(customer: customer, at: start)
        case .cron(let settings):
            precondition(settings.offsetSpread < settings.interval, "cron's offset spread is shorter than its interval")
            if settings.offsetSpread.nanoseconds > 0 {
                customers[customer].phase = random.below(UInt64(settings.offsetSpread.nanoseconds))
            }
            let mark = nextWallClockMark(from: start, period: UInt64(settings.interval.nanoseconds),
                                         phase: customers[customer].phase)
            setClientTimer(customer: customer, at: mark)
        }
    }

    /// The customer's client timer (scheduled for `at`) fired.
    mutating func clientTimerFired(customer: Int, at: UInt64, now: Instant, actions: inout [Action]) {
        switch model(of: customer).kind {
        case .ddclient(let settings):
            ddclientCheck(customer: customer, at: at, settings, now: now, actions: &actions)
            let jitterBound = UInt64(settings.interval.nanoseconds) / 1_000_000 * UInt64(settings.jitterPartsPerMillion)
            let jitter = jitterBound > 0 ? random.below(jitterBound) : 0
            setClientTimer(customer: customer, at: at &+ UInt64(settings.interval.nanoseconds) &+ jitter)
        case .inadyn(let settings):
            inadynCheck(customer: customer, at: at, settings, now: now, actions: &actions)
        case .fritzbox:
            if !customers[customer].pending.isEmpty && customers[customer].inFlightRequest < 0 {
                sendNext(customer: customer, now: now, actions: &actions)
            }
        case .cron(let settings):
            if customers[customer].inFlightRequest < 0 {
                startRequest(customer: customer, families: .v4, isRetry: false, now: now, actions: &actions)
            }
            let mark = nextWallClockMark(from: at &+ 1, period: UInt64(settings.interval.nanoseconds),
                                         phase: customers[customer].phase)
            setClientTimer(customer: customer, at: mark)
        }
    }

    private mutating func ddclientCheck(customer: Int, at: UInt64, _ settings: DDClientSettings, now: Instant,
                                        actions: inout [Action]) {
        let state = customers[customer]
        guard state.inFlightRequest < 0 else { return }
        let (v4, v6) = currentAddresses(customer: customer)
        let wantsV6 = settings.updatesIPv6 && v6 != nil
        let due: Bool
        if state.failing {
            due = at &- state.attemptAt >= UInt64(settings.minErrorInterval.nanoseconds)
        } else {
            due = state.cachedV4 != v4 || (wantsV6 && state.cachedV6 != v6)
                || at &- state.lastSuccess >= UInt64(settings.maxInterval.nanoseconds)
        }
        guard due else { return }
        customers[customer].attemptAt = at
        startRequest(customer: customer, families: wantsV6 ? [.v4, .v6] : .v4, isRetry: state.failing, now: now,
                     actions: &actions)
    }

    private mutating func inadynCheck(customer: Int, at: UInt64, _ settings: InadynSettings, now: Instant,
                                      actions: inout [Action]) {
        let state = customers[customer]
        guard !state.exited else { return }
        guard state.inFlightRequest < 0 else {
            setClientTimer(customer: customer, at: at &+ UInt64(settings.period.nanoseconds))
            return
        }
        let (v4, v6) = currentAddresses(customer: customer)
        let forced = at &- state.lastSuccess >= UInt64(settings.forcedUpdate.nanoseconds)
        var families: FleetFamilies = []
        if forced || state.cachedV4 != v4 { families.insert(.v4) }
        if settings.allowIPv6, v6 != nil, forced || state.cachedV6 != v6 { families.insert(.v6) }
        guard !families.isEmpty else {
            setClientTimer(customer: customer, at: at &+ UInt64(settings.period.nanoseconds))
            return
        }
        customers[customer].pending = families
        customers[customer].roundTemporary = false
        customers[customer].roundIsRetry = state.failing
        sendNext(customer: customer, now: now, actions: &actions)
    }

    func fritzBoxFamilies(customer: Int, _ settings: FritzBoxSettings) -> FleetFamilies {
        settings.updatesIPv6 && customers[customer].v6Prefix != nil ? [.v4, .v6] : .v4
    }

    /// The customer's addresses just changed (a reconnect).
    mutating func addressesChanged(customer: Int, now: Instant, actions: inout [Action]) {
        guard case .fritzbox(let settings) = model(of: customer).kind, now < config.stopAt else { return }
        cancelClientTimer(customer: customer)
        customers[customer].pending = fritzBoxFamilies(customer: customer, settings)
        customers[customer].roundFailed = []
        customers[customer].retries = 0
        customers[customer].roundIsRetry = false
        if customers[customer].inFlightRequest < 0 { sendNext(customer: customer, now: now, actions: &actions) }
    }

    /// Sends the next family of the customer's round (IPv4 first).
    mutating func sendNext(customer: Int, now: Instant, actions: inout [Action]) {
        let family: FleetFamilies = customers[customer].pending.contains(.v4) ? .v4 : .v6
        customers[customer].pending.remove(family)
        startRequest(customer: customer, families: family, isRetry: customers[customer].roundIsRetry, now: now,
                     actions: &actions)
    }

    /// A request of `customer` ended with `verdict`: update the client's state, go on with its round.
    mutating func completed(customer: Int, request: Int, verdict: Verdict, now: Instant, actions: inout [Action]) {
        let sent = requests[request]
        var state = customers[customer]
        state.inFlightRequest = -1
        state.inFlightTag = 0
        if verdict == .success {
            if let v4 = sent.v4 { state.cachedV4 = v4 }
            if let v6 = sent.v6 { state.cachedV6 = v6 }
        }
        switch model(of: customer).kind {
        case .ddclient:
            state.failing = verdict != .success
            if verdict == .success { state.lastSuccess = now.nanoseconds }
        case .inadyn:
            if verdict == .failure {
                state.roundTemporary = true
                state.pending = []
            } else if verdict == .fatal {
                state.exited = true
                state.pending = []
                counters[sent.model].exited += 1
            }
        case .fritzbox:
            if verdict != .success { state.roundFailed.formUnion(sent.families) }
        case .cron:
            break
        }
        customers[customer] = state
        if state.exited {
            cancelClientTimer(customer: customer)
        } else if !state.pending.isEmpty && now < config.stopAt {
            sendNext(customer: customer, now: now, actions: &actions)
        } else {
            roundFinished(customer: customer, now: now)
        }
    }

    private mutating func roundFinished(customer: Int, now: Instant) {
        switch model(of: customer).kind {
        case .inadyn(let settings):
            let temporary = customers[customer].roundTemporary
            customers[customer].failing = temporary
            if !temporary { customers[customer].lastSuccess = now.nanoseconds }
            let wait = temporary ? settings.errorPeriod : settings.period
            setClientTimer(customer: customer, at: now.nanoseconds &+ UInt64(wait.nanoseconds))
        case .fritzbox(let settings):
            let failed = customers[customer].roundFailed
            customers[customer].roundFailed = []
            customers[customer].pending = []
            guard !failed.isEmpty, customers[customer].retries < settings.retries else { return }
            customers[customer].retries += 1
            customers[customer].pending = failed
            customers[customer].roundIsRetry = true
            setClientTimer(customer: customer, at: now.nanoseconds &+ UInt64(settings.retryDelay.nanoseconds))
        case .ddclient, .cron:
            break
        }
    }
}
