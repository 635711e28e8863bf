// Zone figures for issue 4 point 6: store and load a zone of N records through Storage (SQLite
// file in PowerDNS's schema), memory per record of the loaded Zone.
import DNSWire
import DNSZone
import Foundation
import Storage

func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}

func seconds(_ block: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try block()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

printSizes()
let count = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 1_000_000 : 1_000_000
let path = CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : "/tmp/zone-bench.sqlite3"
try? FileManager.default.removeItem(atPath: path)
let origin = DNSName("dyn.example.")!

// A DynDNS zone: apex SOA and NS, then hosts with an A record each, one in four with AAAA too.
var records: [ResourceRecord] = [
    ResourceRecord(name: origin, ttl: 3600, rdata: .soa(SOA(mname: DNSName("ns1.dyn.example.")!,
        rname: DNSName("hostmaster.dyn.example.")!, serial: 2024030901, refresh: 3600, retry: 600, expire: 1209600, minimum: 60))),
    ResourceRecord(name: origin, ttl: 3600, rdata: .ns(DNSName("ns1.dyn.example.")!)),
]
records.reserveCapacity(count)
var host = 0
while records.count < count {
    let owner = try! origin.prepending(Array("host\(host)".utf8))
    records.append(ResourceRecord(name: owner, ttl: 60, rdata: .a(IPv4Address(UInt32(0x0A00_0000 + host)))))
    if host % 4 == 0 && records.count < count {
        records.append(ResourceRecord(name: owner, ttl: 60,
                                      rdata: .aaaa(IPv6Address(high: 0x2001_0db8_0000_0000, low: UInt64(host)))))
    }
    host += 1
}
var built: Zone?
let buildTime = try seconds { built = try Zone(origin: origin, records: records) }
records = []
let zone = built!
print("records: \(zone.recordCount), names: \(zone.nodes.count), build Zone from records: \(String(format: "%.2f", buildTime)) s")

let store = try ZoneStore(path: path)
var stored: StoredZone?
let storeTime = try seconds { stored = try store.storeZone(zone, kind: .master) }
let fileBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
print("storeZone: \(String(format: "%.2f", storeTime)) s, \(Int(Double(stored!.recordCount) / storeTime)) records/s, "
    + "file \(fileBytes / 1_048_576) MiB (\(fileBytes / max(1, stored!.recordCount)) bytes/record)")
built = nil

let before = residentBytes()
var loaded: Zone?
let loadTime = try seconds { loaded = try ZoneStore(path: path).loadZone(origin) }
let after = residentBytes()
print("loadZone: \(String(format: "%.2f", loadTime)) s, \(Int(Double(loaded!.recordCount) / loadTime)) records/s, "
    + "resident growth \((after - before) / 1_048_576) MiB (\((after - before) / loaded!.recordCount) bytes/record)")
precondition(loaded == zone, "the loaded zone differs")

// One change in the big zone: the cost of apply does not grow with the zone.
var applyTime = 0.0
let changes = 1000
for index in 0..<changes {
    let owner = try! origin.prepending(Array("host\(index)".utf8))
    let rrset = RRset(owner: owner, type: .a, ttl: 60, rdatas: [.a(IPv4Address(UInt32(0xC000_0200 + index % 250)))])
    applyTime += try seconds {
        _ = try store.apply(ZoneChange([.replace(rrset)]), to: origin, now: .zero, epoch: 1_709_985_600)
    }
}
print("apply: \(changes) changes, \(String(format: "%.3f", applyTime / Double(changes) * 1000)) ms each (one transaction each)")


// Lookups per second against the loaded zone through the zone engine (no packet cache), one core.
let zones = try! ZoneSet([loaded!])
var lookupNames: [DNSName] = []
var state: UInt64 = 0x9E37_79B9_7F4A_7C15
for _ in 0..<100_000 {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    lookupNames.append(try! origin.prepending(Array("host\(Int(state >> 33) % host)".utf8)))
}
var answered = 0
var lookups = 0
let lookupTime = seconds {
    for round in 0..<5 {
        for name in lookupNames {
            if let response = zones.answer(Message.query(id: UInt16(truncatingIfNeeded: round), name: name, type: .a)).message {
                answered &+= response.answers.count
            }
            lookups += 1
        }
    }
}
let answersPerSecond = Int(Double(lookups) / lookupTime)
print("answers (ZoneSet.answer, whole response message): \(lookups) in \(String(format: "%.2f", lookupTime)) s: "
      + "\(answersPerSecond)/s (\(answered) answer records)")

// The lookup itself: Zone.match finds the RRsets for (name, type), RFC 1034 §4.3.2 step 3. The
// median of 5 timed passes of 1,000,000 lookups each (single passes vary with memory placement).
/// One timed pass; the zone and names are parameters so the loop reads locals, not globals (a
/// global read costs an exclusivity check and a copy of the zone's references per lookup).
func matchPass(_ zone: Zone, _ names: [DNSName], rounds: Int) -> (lookups: Int, rrsets: Int, seconds: Double) {
    var matches = 0
    var rrsetCount = 0
    let time = seconds {
        for _ in 0..<rounds {
            for name in names {
                if case .answer(let rrsets, _) = zone.match(name, type: .a) { rrsetCount &+= rrsets.count }
                matches += 1
            }
        }
    }
    return (matches, rrsetCount, time)
}

var matched = 0
var rates: [Double] = []
let lookupZone = loaded!
for _ in 0..<5 {
    let pass = matchPass(lookupZone, lookupNames, rounds: 10)
    matched &+= pass.rrsets
    rates.append(Double(pass.lookups) / pass.seconds)
}
let lookupsPerSecond = Int(rates.sorted()[2])
print("lookups (Zone.match): median of 5 passes of 1,000,000: \(lookupsPerSecond)/s "
      + "(passes: \(rates.map { Int($0) }), \(matched) RRsets)")

let out = CommandLine.arguments.count > 3 ? CommandLine.arguments[3] : "reports/bench/zone.json"
let report: [String: Any] = [
    "benchmark": "zone", "build": "release", "records": loaded!.recordCount,
    "build_zone_seconds": buildTime, "store_seconds": storeTime, "load_seconds": loadTime,
    "file_bytes_per_record": fileBytes / max(1, stored!.recordCount),
    "resident_bytes_per_record": (after - before) / loaded!.recordCount,
    "apply_milliseconds": applyTime / Double(changes) * 1000,
    "lookups_per_second": lookupsPerSecond, "answers_per_second": answersPerSecond,
    "targets": ["resident_bytes_per_record": 200, "lookups_per_second": 2_000_000],
]
try! FileManager.default.createDirectory(atPath: (out as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
try! JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: out))
print("wrote \(out)")
