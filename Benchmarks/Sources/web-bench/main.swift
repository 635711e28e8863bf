// Web server figures for issue 6 (point 6), release build:
// - updates committed per second through WebServer into a SQLite file with full durability
//   (WAL, synchronous = FULL: every commit waits for the disk), one request per transaction and
//   with group commit (`WebServer.handle(group:)`, one transaction for a group of requests);
// - updater and REST API requests per second without storage costs (an in-memory database).
// Usage: web-bench [out.json] [customers] [updates] [folder]
import Determinism
import DNSWire
import DNSZone
import Foundation
import HTTPWire
import Storage
import WebServer

let arguments = CommandLine.arguments
let out = arguments.count > 1 ? arguments[1] : "reports/bench/web.json"
let customerCount = arguments.count > 2 ? Int(arguments[2]) ?? 10_000 : 10_000
let updateCount = arguments.count > 3 ? Int(arguments[3]) ?? 20_000 : 20_000
let folder = arguments.count > 4 ? arguments[4] : NSTemporaryDirectory()

func seconds(_ block: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try block()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

let origin = DNSName("dyn.example.")!
let epoch: Int64 = 1_709_985_600
let zoneText = """
    $TTL 3600
    @ IN SOA ns1.dyn.example. hostmaster.dyn.example. 2024030901 3600 600 1209600 60
    @ IN NS ns1.dyn.example.
    ns1 IN A 192.0.2.53
    """

/// A store with `customerCount` provisioned customers: a file (full durability) or in memory.
func makeStore(file: String?) throws -> (ZoneStore, [ProvisionedCustomer], Double) {
    let store: ZoneStore
    if let file {
        for suffix in ["", "-journal", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) }
        store = try ZoneStore(path: file, durability: .powerLoss)
    } else {
        store = try ZoneStore.inMemory()
    }
    _ = try store.storeZone(try ZoneFileParser.load(zoneText, fileName: "bench", origin: origin).zone, kind: .master)
    let addresses = (0..<customerCount).map { (IPv4Address(UInt32(0xC612_0000) + UInt32($0)), IPv6Address?.none) }
    var customers: [ProvisionedCustomer] = []
    let time = try seconds {
        customers = try WebServer.provision(store: store, zone: origin, addresses: addresses, ttl: 60, seed: 1,
                                            now: .zero, epochSeconds: epoch)
    }
    return (store, customers, time)
}

func makeServer(_ store: ZoneStore) throws -> WebServer {
    var config = WebServerConfig(providerZones: [origin], epochSeconds: epoch)
    config.accountClasses = [AccountClass(name: "standard", dailyUpdateLimit: 1_000_000)]
    var server = try WebServer(store: store, config: config)
    return server
}

/// Update number `index` (counting over the whole run): customer index % N gets a new address
/// every round, and rounds are 11 s of virtual time apart, so no request is refused or `nochg`.
func update(_ index: Int, _ customers: [ProvisionedCustomer]) -> WebRequest {
    let customer = customers[index % customers.count]
    let round = index / customers.count
    let address = IPv4Address(UInt32(0xCB00_7100) + UInt32(round % 250) + 1)  // 203.0.113.x
    let auth = HTTPCredentials.basic(user: customer.account, password: customer.domainToken).authorizationValue
    let text = "GET /nic/update?hostname=\(customer.domain.description.dropLast())&myip=\(address) HTTP/1.1\r\n"
        + "Host: dyn.example\r\nAuthorization: \(auth)\r\nUser-Agent: web-bench/1.0\r\n\r\n"
    return WebRequest(bytes: Array(text.utf8), peer: .v4(IPv4Address(198, 51, 100, 1)),
                      arrived: Instant(nanoseconds: UInt64(round) * 11_000_000_000 + UInt64(index % customers.count)))
}

/// Runs `count` updates from `first` in groups of `groupSize` (1: one transaction per request,
/// through the one-request entry point); returns updates per second and checks every answer.
func runUpdates(_ server: inout WebServer, _ customers: [ProvisionedCustomer], first: Int, count: Int,
                groupSize: Int) -> Double {
    let requests = (first..<first + count).map { update($0, customers) }
    var good = 0
    let time = seconds {
        if groupSize == 1 {
            for request in requests {
                let outcome = server.handle(requestBytes: request.bytes, peer: request.peer, now: request.arrived)
                if outcome.response.bodyText.hasPrefix("good") { good += 1 }
            }
        } else {
            var start = 0
            while start < requests.count {
                let end = min(start + groupSize, requests.count)
                for outcome in server.handle(group: Array(requests[start..<end]))
                where outcome.response.bodyText.hasPrefix("good") {
                    good += 1
                }
                start = end
            }
        }
    }
    precondition(good == count, "every benchmark update is good (\(good) of \(count))")
    return Double(count) / time
}

// 1. Full durability on a file.
let file = (folder as NSString).appendingPathComponent("ddnslab-web-bench.sqlite3")
let (fileStore, customers, provisionSeconds) = try makeStore(file: file)
print("provisioned \(customerCount) customers in \(String(format: "%.3f", provisionSeconds)) s")
var fileServer = try makeServer(fileStore)
var next = 0
let singleCount = min(updateCount, 5_000)
let single = runUpdates(&fileServer, customers, first: next, count: singleCount, groupSize: 1)
next += singleCount
print("full durability, one transaction per request: \(Int(single)) committed updates/s")
var grouped: [String: Int] = [:]
for size in [8, 32, 64, 128] {
    let rate = runUpdates(&fileServer, customers, first: next, count: updateCount, groupSize: size)
    next += updateCount
    grouped[String(size)] = Int(rate)
    print("full durability, group commit of \(size): \(Int(rate)) committed updates/s")
}
let integrity = try fileStore.integrityCheck()
precondition(integrity == ["ok"], "integrity_check after the benchmark: \(integrity)")

// 2. Without storage costs: an in-memory database.
let (memoryStore, memoryCustomers, _) = try makeStore(file: nil)
var memoryServer = try makeServer(memoryStore)
let memoryUpdates = runUpdates(&memoryServer, memoryCustomers, first: 0, count: updateCount, groupSize: 1)
print("in memory, one transaction per request: \(Int(memoryUpdates)) updates/s")

// REST API reads with one API key of the first customer's account.
let apiKey = "bench-api-key-0123456789abcdef"
let owner = memoryCustomers[0]
_ = try memoryStore.writeTransaction { db in
    let account = try WebStore.account(named: owner.account, in: db)!
    return try WebStore.createToken(hash: TokenSecret.hash(apiKey), kind: .api, accountID: account.id, domainID: nil,
                                    record: nil, unixSeconds: epoch, in: db)
}
let domain = String(owner.domain.description.dropLast())
let apiTargets = ["/api/v1/account", "/api/v1/domains", "/api/v1/domains/\(domain)",
                  "/api/v1/domains/\(domain)/rrsets", "/api/v1/domains/\(domain)/rrsets/@/A"]
let apiRequests = apiTargets.map { target in
    Array("GET \(target) HTTP/1.1\r\nHost: dyn.example\r\nAuthorization: Bearer \(apiKey)\r\n\r\n".utf8)
}
let apiCount = 50_000
// The calls of one key are spaced so that the default call limit (30 in 10 s) never refuses one.
let apiSpacing = UInt64(RESTAPIConfig().callWindow.nanoseconds) / UInt64(RESTAPIConfig().callsPerWindow) + 1
var apiOK = 0
let apiSeconds = seconds {
    for index in 0..<apiCount {
        let outcome = memoryServer.handle(requestBytes: apiRequests[index % apiRequests.count],
                                          peer: .v4(IPv4Address(198, 51, 100, 1)),
                                          now: Instant(nanoseconds: 1_000_000_000_000 + UInt64(index) * apiSpacing))
        if outcome.response.status == 200 { apiOK += 1 }
    }
}
precondition(apiOK == apiCount, "every benchmark API request is answered 200 (\(apiOK) of \(apiCount))")
let apiRate = Double(apiCount) / apiSeconds
print("REST API reads in memory (\(apiTargets.count) endpoints): \(Int(apiRate)) requests/s")

let report: [String: Any] = [
    "benchmark": "web", "build": "release", "customers": customerCount,
    "durability": "WAL, synchronous=FULL",
    "provision_seconds": provisionSeconds,
    "updates_per_second_full_durability_single": Int(single),
    "updates_per_second_full_durability_group": grouped,
    // The group size the simulated web host commits at most (WebNode.groupMax).
    "updates_per_second_full_durability": grouped["64"]!,
    "updates_per_second_in_memory": Int(memoryUpdates),
    "api_requests_per_second_in_memory": Int(apiRate),
    "targets": ["updates_per_second_full_durability": 5_000],
]
try FileManager.default.createDirectory(atPath: (out as NSString).deletingLastPathComponent,
                                        withIntermediateDirectories: true)
try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
    .write(to: URL(fileURLWithPath: out))
print("wrote \(out)")
