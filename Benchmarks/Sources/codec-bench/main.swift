// codec-bench: decodes/s and encodes/s of DNSWire for three typical messages, on one core.
//
// Each figure is the median of 5 runs of at least 0.5 s. Wall-clock time is fine here: this is a
// benchmark host, not simulation code. Usage: codec-bench OUT.json
import DNSWire
import Foundation

struct Case {
    var name: String
    var message: Message
}

func makeCases() -> [Case] {
    let zone = DNSName("dyn.example.")!
    let host = DNSName("host123.dyn.example.")!
    let query = Message.query(id: 0x1234, name: host, type: .a, recursionDesired: true, edns: EDNS(udpPayloadSize: 1232))
    var response = query.makeResponse()
    response.flags.insert(.aa)
    response.answers = [ResourceRecord(name: host, ttl: 60, rdata: .a(IPv4Address(192, 0, 2, 123)))]
    response.edns = EDNS(udpPayloadSize: 1232)

    var axfr = Message.query(id: 7, name: zone, type: .axfr).makeResponse()
    axfr.flags.insert(.aa)
    let soa = SOA(mname: DNSName("ns1.dyn.example.")!, rname: DNSName("hostmaster.dyn.example.")!, serial: 2026112101,
                  refresh: 3600, retry: 600, expire: 1_209_600, minimum: 60)
    axfr.answers.append(ResourceRecord(name: zone, ttl: 3600, rdata: .soa(soa)))
    axfr.answers.append(ResourceRecord(name: zone, ttl: 3600, rdata: .ns(DNSName("ns1.dyn.example.")!)))
    axfr.answers.append(ResourceRecord(name: zone, ttl: 3600, rdata: .ns(DNSName("ns2.dyn.example.")!)))
    for index in 0..<13 {
        let name = DNSName("customer\(index).dyn.example.")!
        axfr.answers.append(ResourceRecord(name: name, ttl: 60, rdata: .a(IPv4Address(198, 51, 100, UInt8(index)))))
        axfr.answers.append(ResourceRecord(name: name, ttl: 60, rdata: .aaaa(IPv6Address("2001:db8::\(index + 1)")!)))
    }
    axfr.answers.append(ResourceRecord(name: zone, ttl: 3600, rdata: .soa(soa)))
    precondition(axfr.answers.count == 30)
    return [Case(name: "query", message: query), Case(name: "response", message: response),
            Case(name: "axfr30", message: axfr)]
}

/// Operations per second: the median of 5 timed runs.
func measure(_ body: (Int) -> Int) -> (perSecond: Double, checksum: Int) {
    var rates: [Double] = []
    var checksum = 0
    var iterations = 1000
    let clock = ContinuousClock()
    // Calibrate to at least 0.5 s per run.
    while true {
        let elapsed = clock.measure { checksum &+= body(iterations) }
        if elapsed >= .milliseconds(500) { break }
        iterations *= 2
    }
    for _ in 0..<5 {
        let elapsed = clock.measure { checksum &+= body(iterations) }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        rates.append(Double(iterations) / seconds)
    }
    return (rates.sorted()[2], checksum)
}

var results: [String: Any] = [:]
var checksum = 0
for testCase in makeCases() {
    let wire = try! testCase.message.wire()
    let decode = measure { count in
        var total = 0
        for _ in 0..<count { total &+= (try? Message(wire: wire))?.answers.count ?? -1 }
        return total
    }
    var writer = WireWriter(capacity: 4096)
    let encode = measure { count in
        var total = 0
        for _ in 0..<count {
            writer.reset()
            try! testCase.message.encode(into: &writer)
            total &+= writer.count
        }
        return total
    }
    checksum &+= decode.checksum &+ encode.checksum
    results[testCase.name] = [
        "bytes": wire.count,
        "decodes_per_second": Int(decode.perSecond),
        "encodes_per_second": Int(encode.perSecond),
    ]
    print("\(testCase.name) (\(wire.count) bytes): \(Int(decode.perSecond)) decodes/s, \(Int(encode.perSecond)) encodes/s")
}
let report: [String: Any] = [
    "benchmark": "codec",
    "build": "release",
    "cores_used": 1,
    "method": "median of 5 runs of >= 0.5 s each; encode reuses one WireWriter",
    "targets": ["query_decodes_per_second": 5_000_000, "query_encodes_per_second": 3_000_000],
    "results": results,
    "checksum": checksum,
]
let out = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "reports/bench/codec.json"
try! FileManager.default.createDirectory(atPath: (out as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
let data = try! JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
try! data.write(to: URL(fileURLWithPath: out))
print("wrote \(out)")
