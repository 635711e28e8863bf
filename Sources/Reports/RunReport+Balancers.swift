import Determinism
import LabMetrics

extension RunReport {
    /// One balancer: dnsdist's counters, its packet cache, its backends as it saw them, and the
    /// timeline of backend state changes and dynamic blocks.
    public struct BalancerReport: Sendable {
        public struct Backend: Sendable {
            public var name: String
            public var queries: UInt64
            public var responses: UInt64
            public var timeouts: UInt64
            /// dnsdist's latency average (1/128 weight per UDP answer) at the end, in ms.
            public var latencyMilliseconds: Double
            public var upAtEnd: Bool
            public init(name: String, queries: UInt64, responses: UInt64, timeouts: UInt64, latencyMilliseconds: Double,
                        upAtEnd: Bool) {
                self.name = name
                self.queries = queries
                self.responses = responses
                self.timeouts = timeouts
                self.latencyMilliseconds = latencyMilliseconds
                self.upAtEnd = upAtEnd
            }
        }

        /// A point on the balancer's timeline: a backend going down or up, a block inserted or gone.
        public struct Event: Sendable {
            public var at: Instant
            public var kind: String
            public var subject: String
            public var detail: String
            public init(at: Instant, kind: String, subject: String, detail: String) {
                self.at = at
                self.kind = kind
                self.subject = subject
                self.detail = detail
            }
        }

        public var name: String
        /// dnsdist's counter names (`queries`, `cache-hits`, `dyn-blocked`, …) in a fixed order.
        public var counters: [(name: String, value: UInt64)]
        public var cache: [(name: String, value: UInt64)]
        public var backends: [Backend]
        public var events: [Event]

        public init(name: String, counters: [(name: String, value: UInt64)], cache: [(name: String, value: UInt64)],
                    backends: [Backend], events: [Event]) {
            self.name = name
            self.counters = counters
            self.cache = cache
            self.backends = backends
            self.events = events
        }

        public func counter(_ name: String) -> UInt64 { counters.first { $0.name == name }?.value ?? 0 }
    }

    /// How the defences fared against the scenario's attack populations, judged on the legitimate
    /// populations during the attack window (from the first attacker's start to the last one's stop).
    public struct AttackReport: Sendable {
        public var attackers: [String]
        public var start: Instant
        public var end: Instant
        /// From the attack's start to the first dynamic block inserted (not a warning).
        public var timeToDetect: SimDuration?
        /// From the attack's start to the first second in which at most 10% of the attack's queries
        /// got an answer from the cluster (the rest refused, dropped or truncated).
        public var timeToMitigate: SimDuration?
        public var attackQueries: UInt64
        /// Legitimate queries sent during the window and what became of them.
        public var legitimateQueries: UInt64
        public var legitimateCorrect: UInt64
        public var legitimateRefused: UInt64
        public var legitimateTimeouts: UInt64
        public var legitimateServfail: UInt64
        public var legitimateLatency: LatencyHistogram
        /// Queries per second reaching the nameservers (all of them together).
        public var nameserverBaselineQPS: Double
        public var nameserverPeakQPS: UInt64
        /// The highest per-second load after mitigation until the attack ended (0 if never mitigated).
        public var nameserverQPSAfterMitigation: UInt64
        /// Octets delivered to spoofed victims (reflection), and the attack's own octets sent.
        public var victimBytes: UInt64

        public init(attackers: [String], start: Instant, end: Instant, timeToDetect: SimDuration?,
                    timeToMitigate: SimDuration?, attackQueries: UInt64, legitimateQueries: UInt64,
                    legitimateCorrect: UInt64, legitimateRefused: UInt64, legitimateTimeouts: UInt64,
                    legitimateServfail: UInt64, legitimateLatency: LatencyHistogram, nameserverBaselineQPS: Double,
                    nameserverPeakQPS: UInt64, nameserverQPSAfterMitigation: UInt64, victimBytes: UInt64) {
            self.attackers = attackers
            self.start = start
            self.end = end
            self.timeToDetect = timeToDetect
            self.timeToMitigate = timeToMitigate
            self.attackQueries = attackQueries
            self.legitimateQueries = legitimateQueries
            self.legitimateCorrect = legitimateCorrect
            self.legitimateRefused = legitimateRefused
            self.legitimateTimeouts = legitimateTimeouts
            self.legitimateServfail = legitimateServfail
            self.legitimateLatency = legitimateLatency
            self.nameserverBaselineQPS = nameserverBaselineQPS
            self.nameserverPeakQPS = nameserverPeakQPS
            self.nameserverQPSAfterMitigation = nameserverQPSAfterMitigation
            self.victimBytes = victimBytes
        }

        /// Legitimate availability during the attack, in percent.
        public var legitimateAvailability: Double {
            let finished = legitimateQueries
            return finished == 0 ? 100 : Double(legitimateCorrect) * 100 / Double(finished)
        }
    }

    /// Counter names that become figures (`balancers.<name>` summed, `balancer.<lb>.<name>`), with
    /// dnsdist's dashes turned into underscores.
    public static let balancerCounterFigures = [
        "queries", "responses", "cache-hits", "cache-misses", "dyn-blocked", "rule-drop", "rule-refused",
        "rule-nxdomain", "rule-truncated", "self-answered", "no-policy", "downstream-timeouts", "acl-drops",
        "noncompliant-queries", "forwarded", "tcp-accepted", "tcp-restricted", "tcp-refused-frontend-limit",
        "tcp-refused-client-limit", "tcp-refused-banned", "tcp-closed-receive-timeout", "tcp-closed-max-queries",
        "tcp-closed-max-duration", "tcp-peak",
    ]

    var balancerFigures: [(String, Double)] {
        guard !balancers.isEmpty else { return [] }
        var result: [(String, Double)] = []
        for name in Self.balancerCounterFigures {
            let figure = String(name.map { $0 == "-" ? "_" : $0 })
            result.append(("balancers.\(figure)", Double(balancers.reduce(0) { $0 + $1.counter(name) })))
        }
        for balancer in balancers {
            for name in Self.balancerCounterFigures {
                let figure = String(name.map { $0 == "-" ? "_" : $0 })
                result.append(("balancer.\(balancer.name).\(figure)", Double(balancer.counter(name))))
            }
        }
        return result
    }

    var attackFigures: [(String, Double)] {
        guard let attack else { return [] }
        // A defence that never acted is reported as taking the whole attack.
        let window = attack.end - attack.start
        func ms(_ duration: SimDuration?) -> Double { Double((duration ?? window).nanoseconds) / 1e6 }
        return [
            ("attack.time_to_detect", ms(attack.timeToDetect)),
            ("attack.time_to_mitigate", ms(attack.timeToMitigate)),
            ("attack.queries", Double(attack.attackQueries)),
            ("attack.legit.queries", Double(attack.legitimateQueries)),
            ("attack.legit.availability", attack.legitimateAvailability),
            ("attack.legit.refused", Double(attack.legitimateRefused)),
            ("attack.legit.timeouts", Double(attack.legitimateTimeouts)),
            ("attack.legit.servfail", Double(attack.legitimateServfail)),
            ("attack.legit.latency.p99", Self.milliseconds(attack.legitimateLatency.value(atPercentile: 99))),
            ("attack.nameserver_qps.baseline", attack.nameserverBaselineQPS),
            ("attack.nameserver_qps.peak", Double(attack.nameserverPeakQPS)),
            ("attack.nameserver_qps.after_mitigation", Double(attack.nameserverQPSAfterMitigation)),
            ("attack.victim_bytes", Double(attack.victimBytes)),
        ]
    }

    var balancersJSON: JSONValue {
        var object: [String: JSONValue] = [:]
        for balancer in balancers {
            var counters: [String: JSONValue] = [:]
            for (name, value) in balancer.counters { counters[name] = .integer(Int64(value)) }
            var cache: [String: JSONValue] = [:]
            for (name, value) in balancer.cache { cache[name] = .integer(Int64(value)) }
            var backends: [String: JSONValue] = [:]
            for backend in balancer.backends {
                backends[backend.name] = .object([
                    "queries": .integer(Int64(backend.queries)), "responses": .integer(Int64(backend.responses)),
                    "timeouts": .integer(Int64(backend.timeouts)), "latency_ms": .number(backend.latencyMilliseconds),
                    "up": .bool(backend.upAtEnd),
                ])
            }
            object[balancer.name] = .object([
                "counters": .object(counters), "cache": .object(cache), "backends": .object(backends),
                "events": .array(balancer.events.map { event in
                    .object(["at_seconds": .number(Double(event.at.nanoseconds) / 1e9), "kind": .string(event.kind),
                             "subject": .string(event.subject), "detail": .string(event.detail)])
                }),
            ])
        }
        return .object(object)
    }

    var attackJSON: JSONValue? {
        guard let attack else { return nil }
        var object: [String: JSONValue] = [
            "attackers": .array(attack.attackers.map { .string($0) }),
            "start_seconds": .number(Double(attack.start.nanoseconds) / 1e9),
            "end_seconds": .number(Double(attack.end.nanoseconds) / 1e9),
            "time_to_detect_ms": attack.timeToDetect.map { .number(Double($0.nanoseconds) / 1e6) } ?? .null,
            "time_to_mitigate_ms": attack.timeToMitigate.map { .number(Double($0.nanoseconds) / 1e6) } ?? .null,
        ]
        for (path, value) in attackFigures where !path.hasPrefix("attack.time_to") {
            object[String(path.dropFirst("attack.".count))] = .number(value)
        }
        return .object(object)
    }

    var balancerMarkdown: [String] {
        guard !balancers.isEmpty else { return [] }
        var lines = ["## Balancers", "",
                     "| balancer | queries | cache hits | forwarded | dyn-blocked | rule drops | self-answered | timeouts |",
                     "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for balancer in balancers {
            let values = ["queries", "cache-hits", "forwarded", "dyn-blocked", "rule-drop", "self-answered",
                          "downstream-timeouts"].map { String(balancer.counter($0)) }
            lines.append("| \(balancer.name) | " + values.joined(separator: " | ") + " |")
        }
        lines.append("")
        let events = balancers.flatMap { balancer in balancer.events.map { (balancer.name, $0) } }.enumerated()
            .sorted { ($0.element.1.at, $0.offset) < ($1.element.1.at, $1.offset) }.map(\.element)
        if !events.isEmpty {
            lines.append("| at | balancer | event | subject | detail |")
            lines.append("|---:|---|---|---|---|")
            for (name, event) in events.prefix(40) {
                lines.append("| \(Self.seconds(event.at - .zero)) | \(name) | \(event.kind) | \(event.subject) | \(event.detail) |")
            }
            if events.count > 40 { lines.append(contentsOf: ["", "(\(events.count - 40) more events in report.json)"]) }
            lines.append("")
        }
        if attack != nil {
            lines.append("## Attack")
            lines.append("")
            let figures = attackFigures.map { "| `\($0.0)` | \(JSONValue.format($0.1, decimals: 2)) |" }
            lines.append(contentsOf: ["| figure | value |", "|---|---:|"] + figures + [""])
        }
        return lines
    }
}

extension RunReport {
    /// What the hoster's edge filter in front of one host let through and dropped.
    public struct EdgeReport: Sendable, Equatable {
        public var name: String
        public var passed: UInt64
        public var droppedSourcePort: UInt64
        public var droppedPerSource: UInt64
        public var droppedTotalRate: UInt64

        public init(name: String, passed: UInt64, droppedSourcePort: UInt64, droppedPerSource: UInt64, droppedTotalRate: UInt64) {
            self.name = name
            self.passed = passed
            self.droppedSourcePort = droppedSourcePort
            self.droppedPerSource = droppedPerSource
            self.droppedTotalRate = droppedTotalRate
        }

        public var dropped: UInt64 { droppedSourcePort + droppedPerSource + droppedTotalRate }

        var fields: [(String, UInt64)] {
            [("passed", passed), ("dropped", dropped), ("dropped_source_port", droppedSourcePort),
             ("dropped_per_source", droppedPerSource), ("dropped_total_rate", droppedTotalRate)]
        }
    }

    /// `edge.<figure>`, summed over the hosts behind the filter.
    var edgeFigures: [(String, Double)] {
        guard let first = edge.first else { return [] }
        return first.fields.indices.map { index in
            ("edge.\(first.fields[index].0)", Double(edge.reduce(0) { $0 + $1.fields[index].1 }))
        }
    }

    var edgeJSON: JSONValue? {
        guard !edge.isEmpty else { return nil }
        var object: [String: JSONValue] = [:]
        for entry in edge {
            var fields: [String: JSONValue] = [:]
            for (name, value) in entry.fields { fields[name] = .integer(Int64(value)) }
            object[entry.name] = .object(fields)
        }
        return .object(object)
    }

    var edgeMarkdown: [String] {
        guard !edge.isEmpty else { return [] }
        var lines = ["## Edge filter", "", "| host | passed | dropped: source port | per source | total rate |", "|---|---:|---:|---:|---:|"]
        for entry in edge {
            lines.append("| \(entry.name) | \(entry.passed) | \(entry.droppedSourcePort) | \(entry.droppedPerSource) | \(entry.droppedTotalRate) |")
        }
        lines.append("")
        return lines
    }
}
