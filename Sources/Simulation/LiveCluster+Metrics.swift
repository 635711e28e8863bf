import Nameserver

/// The cluster's counters in Prometheus's text exposition format (version 0.0.4): what
/// `ddnslab serve` answers on the web server's `/metrics`.
extension LiveCluster {
    /// One metric family: name, help, type and its samples (label text, value).
    public struct MetricFamily: Sendable {
        public var name: String
        public var help: String
        public var type: String
        public var samples: [(labels: String, value: UInt64)]

        public init(name: String, help: String, type: String = "counter", samples: [(labels: String, value: UInt64)]) {
            self.name = name
            self.help = help
            self.type = type
            self.samples = samples
        }
    }

    /// Balancer counters (dnsdist's names), nameserver counters and web server counters, in a
    /// fixed order, followed by `extra` (the adapters' own counters).
    public func prometheusText(extra: [MetricFamily] = []) -> String {
        var families: [MetricFamily] = []
        let balancerNames = nodes.filter { $0.role == .balancer }.map(\.name)
        if let first = host.balancers.first {
            for (offset, field) in first.machine.stats.fields.enumerated() {
                let name = "ddnslab_balancer_" + field.0.replacingDashes + "_total"
                let samples = host.balancers.indices.map { index in
                    (labels: label("balancer", balancerNames[index]), value: host.balancers[index].machine.stats.fields[offset].1)
                }
                families.append(MetricFamily(name: name, help: "dnsdist counter \(field.0)", samples: samples))
            }
        }
        var servers: [(String, AuthoritativeStats)] = []
        let primaryNames = nodes.filter { $0.role == .primary }.map(\.name)
        let secondaryNames = nodes.filter { $0.role == .secondary }.map(\.name)
        let plainNames = nodes.filter { $0.role == .nameserver }.map(\.name)
        for (index, node) in host.primaries.enumerated() { servers.append((primaryNames[index], node.machine.server.stats)) }
        for (index, node) in host.secondaries.enumerated() { servers.append((secondaryNames[index], node.machine.server.stats)) }
        for (index, node) in host.nameservers.enumerated() { servers.append((plainNames[index], node.server.stats)) }
        let serverFields: [(String, String, (AuthoritativeStats) -> UInt64)] = [
            ("queries", "queries received", \.queries), ("packet_cache_hits", "answers from the packet cache", \.cacheHits),
            ("responses", "responses sent", \.responses), ("nxdomain", "NXDOMAIN answers", \.nxDomain),
            ("nodata", "NODATA answers", \.noData), ("refused", "REFUSED answers", \.refused),
            ("formerr", "FORMERR answers", \.formErr), ("truncated", "answers truncated (TC)", \.truncated),
            ("malformed", "queries that did not decode", \.malformed),
        ]
        for (field, help, read) in serverFields where !servers.isEmpty {
            families.append(MetricFamily(name: "ddnslab_nameserver_\(field)_total", help: help,
                                         samples: servers.map { (label("nameserver", $0.0), read($0.1)) }))
        }
        if let webName = nodes.first(where: { $0.role == .web })?.name, let web = host.webs.first {
            let name = label("web", webName)
            families.append(MetricFamily(name: "ddnslab_web_requests_total", help: "HTTP requests handled",
                                         samples: [(name, UInt64(web.requests))]))
            families.append(MetricFamily(name: "ddnslab_web_group_commits_total", help: "group commits",
                                         samples: [(name, UInt64(web.groups))]))
            families.append(MetricFamily(name: "ddnslab_web_storage_failures_total", help: "commits that failed",
                                         samples: [(name, UInt64(web.storageFailures))]))
            let rejections = web.rejections.sorted { $0.key < $1.key }
            if !rejections.isEmpty {
                families.append(MetricFamily(name: "ddnslab_web_rejections_total", help: "refused update requests by code",
                                             samples: rejections.map { (name + ",code=\"\($0.key)\"", UInt64($0.value)) }))
            }
        }
        families += extra
        var text = ""
        for family in families {
            text += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.type)\n"
            for sample in family.samples {
                text += sample.labels.isEmpty ? "\(family.name) \(sample.value)\n" : "\(family.name){\(sample.labels)} \(sample.value)\n"
            }
        }
        return text
    }

    private func label(_ key: String, _ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return "\(key)=\"\(escaped)\""
    }
}

extension String {
    fileprivate var replacingDashes: String { String(map { $0 == "-" ? "_" : $0 }) }
}
