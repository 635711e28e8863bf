// balancer-bench: balancer decisions per second on one core (issue 5, point 6).
//
// A decision is everything `BalancerMachine.query` does for one query: parse, ring buffer, dynamic
// blocks, 20 query rules (all evaluated: none but the last matches), the pool's packet cache, and
// on a miss the policy and the forward. Two figures: every query a cache hit (the steady state in
// front of authoritative servers), and every query forwarded with its answer handled (a miss plus
// the response path: response rules, cache insert, ID restore). Median of 5 runs.
// Wall-clock time is fine here: this is a benchmark host. Usage: balancer-bench OUT.json
import Balancer
import DNSWire
import Determinism
import Foundation

func seconds(_ block: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    block()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

let origin = DNSName("dyn.example.")!
let names = (0..<1000).map { try! origin.prepending(Array("host\($0)".utf8)) }
let clients = (0..<10_000).map { IPAddress.v4(IPv4Address(0xC612_0000 + UInt32($0))) }
var writer = WireWriter(capacity: 512)
let queries: [[UInt8]] = names.enumerated().map { index, name in
    writer.reset()
    try! Message.query(id: UInt16(index), name: name, type: .a, recursionDesired: false,
                       edns: EDNS(udpPayloadSize: 1232)).encode(into: &writer)
    return writer.bytes
}
let answers: [[UInt8]] = names.enumerated().map { index, name in
    var response = Message.query(id: UInt16(index), name: name, type: .a, edns: EDNS(udpPayloadSize: 1232)).makeResponse()
    response.flags.insert(.aa)
    response.answers = [ResourceRecord(name: name, ttl: 60, rdata: .a(IPv4Address(10, 0, UInt8(index >> 8), UInt8(index & 0xFF))))]
    writer.reset()
    try! response.encode(into: &writer)
    return writer.bytes
}

/// 19 rules that typical queries do not match (QNameWireLength and QNameLabelsCount match outside
/// their range, as in dnsdist), then the pool.
func rules(pool: String) -> [QueryRuleConfig] {
    let blocked = NetmaskGroup([Netmask("203.0.113.0/24")!, Netmask("2001:db8:bad::/48")!])
    return [
        QueryRuleConfig(name: "acl", selector: .netmaskGroup(blocked), action: .drop),
        QueryRuleConfig(name: "per-ip", selector: .maxQPSIP(qps: 1_000_000), action: .drop),
        QueryRuleConfig(name: "any", selector: .qtype(.any), action: .tc),
        QueryRuleConfig(name: "axfr", selector: .qtype(.axfr), action: .rcode(.refused)),
        QueryRuleConfig(name: "ixfr", selector: .qtype(.ixfr), action: .rcode(.refused)),
        QueryRuleConfig(name: "notify", selector: .opcode(.notify), action: .rcode(.refused)),
        QueryRuleConfig(name: "update", selector: .opcode(.update), action: .rcode(.refused)),
        QueryRuleConfig(name: "chaos", selector: .qclass(.ch), action: .rcode(.refused)),
        QueryRuleConfig(name: "bad-names", selector: .qnameSuffix((0..<100).map { DNSName("bad\($0).example.")! }),
                        action: .drop),
        QueryRuleConfig(name: "victim", selector: .qname([DNSName("victim.dyn.example.")!]), action: .rcode(.refused)),
        QueryRuleConfig(name: "long", selector: .qnameWireLength(min: 0, max: 200), action: .drop),
        QueryRuleConfig(name: "deep", selector: .qnameLabelsCount(min: 0, max: 10), action: .drop),
        QueryRuleConfig(name: "rd-any", selector: .and([.rd, .qtype(.any)]), action: .drop),
        QueryRuleConfig(name: "tcp-big", selector: .and([.tcp(true), .qtype(.txt)]), action: .none),
        QueryRuleConfig(name: "dnssec", selector: .and([.dnssec, .qtype(.dnskey)]), action: .rcode(.notImp)),
        QueryRuleConfig(name: "null", selector: .qtype(RRType(10)), action: .rcode(.notImp)),
        QueryRuleConfig(name: "global", selector: .not(.maxQPS(qps: 100_000_000)), action: .drop),
        QueryRuleConfig(name: "tagged", selector: .tag(name: "abuse"), action: .drop),
        QueryRuleConfig(name: "hinfo", selector: .or([.qtype(RRType(13)), .qtype(RRType(99))]), action: .rcode(.notImp)),
        QueryRuleConfig(name: "to-pool", selector: .all, action: .pool(pool)),
    ]
}

func config(cached: Bool) -> BalancerConfig {
    let backends = (1...3).map { BackendConfig(name: "ns\($0)", address: "ns\($0)", pools: ["auth"],
                                                healthChecks: HealthCheckConfig(mode: .up)) }
    return BalancerConfig(
        backends: backends, pools: [PoolConfig(name: "auth", packetCache: cached ? "pc" : nil)],
        packetCaches: [PacketCacheConfig(name: "pc", size: 100_000, dontAge: true)], queryRules: rules(pool: "auth"),
        dynamicRules: [DynBlockGroupConfig(name: "rate", rules: [
            DynBlockRuleConfig(kind: .queryRate, seconds: 10, actionDuration: 60, rate: 1_000_000)])])
}

enum Mode { case cached, forwarded }

/// Decisions per second over `count` queries.
func run(_ mode: Mode, count: Int) -> Double {
    var machine = try! BalancerMachine(config: config(cached: mode == .cached), seed: 1)
    var actions: [BalancerMachine.Action] = []
    var now = Instant(nanoseconds: 1_000_000_000)
    // Warm the cache and the rule state.
    for (index, query) in queries.enumerated() {
        actions.removeAll(keepingCapacity: true)
        machine.query(query, from: ClientHandle(high: 0, low: UInt64(index)), address: clients[index], port: 5353, transport: .do53UDP, now: now, actions: &actions)
        for case .forward(let backend, let bytes, _) in actions {
            var answer = answers[index]
            answer[0] = bytes[0]
            answer[1] = bytes[1]
            machine.backendResponse(answer, backend: backend, now: now, actions: &actions)
        }
    }
    var answered = 0
    let time = seconds {
        for step in 0..<count {
            now = now + .nanoseconds(1_000)
            let index = step % queries.count
            actions.removeAll(keepingCapacity: true)
            machine.query(queries[index], from: ClientHandle(high: 0, low: UInt64(step)), address: clients[step % clients.count], port: 5353, transport: .do53UDP,
                          now: now, actions: &actions)
            if mode == .forwarded, case .forward(let backend, let bytes, _)? = actions.last {
                var answer = answers[index]
                answer[0] = bytes[0]
                answer[1] = bytes[1]
                machine.backendResponse(answer, backend: backend, now: now, actions: &actions)
            }
            answered &+= actions.count
        }
    }
    precondition(answered >= count, "every query must produce an action")
    if mode == .cached { precondition(machine.stats.cacheHits >= UInt64(count), "expected cache hits") }
    return Double(count) / time
}

var results: [String: Any] = ["benchmark": "balancer", "build": "release", "rules": 20, "names": names.count,
                              "clients": clients.count]
for (mode, label) in [(Mode.cached, "cache_hit"), (Mode.forwarded, "forwarded_round_trip")] {
    let rates = (0..<5).map { _ in run(mode, count: 1_000_000) }.sorted()
    let median = Int(rates[2])
    print("balancer decisions, \(label): \(median)/s (passes: \(rates.map { Int($0) }))")
    results["\(label)_per_second"] = median
}
results["target_per_second"] = 3_000_000
let out = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "reports/bench/balancer.json"
let data = try! JSONSerialization.data(withJSONObject: results, options: [.sortedKeys, .prettyPrinted])
try! data.write(to: URL(fileURLWithPath: out))
print("wrote \(out)")
