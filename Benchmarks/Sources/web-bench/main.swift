// Web server figures for issue 6: provisioning N customers, then committed dyndns2 updates per
// second through WebServer.handle(requestBytes:) on a SQLite file with full durability
// (rollback journal, synchronous = FULL).
// Usage: web-bench [customers] [updates] [path]
import Determinism
import DNSWire
import DNSZone
import Foundation
import HTTPWire
import Storage
import WebServer

func seconds(_ block: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try block()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

let arguments = CommandLine.arguments
let customerCount = arguments.count > 1 ? Int(arguments[1]) ?? 10_000 : 10_000
let updateCount = arguments.count > 2 ? Int(arguments[2]) ?? 20_000 : 20_000
let path = arguments.count > 3 ? arguments[3] : "/tmp/web-bench.sqlite3"
for suffix in ["", "-journal", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }

let origin = DNSName("dyn.example.")!
let epoch: Int64 = 1_709_985_600
let zoneText = """
    $TTL 3600
    @ IN SOA ns1.dyn.example. hostmaster.dyn.example. 2024030901 3600 600 1209600 60
    @ IN NS ns1.dyn.example.
    ns1 IN A 192.0.2.53
    """
let store = try ZoneStore(path: path)
_ = try store.storeZone(try ZoneFileParser.load(zoneText, fileName: "bench", origin: origin).zone, kind: .master)
let addresses = (0..<customerCount).map { (IPv4Address(UInt32(0xC612_0000) + UInt32($0)), IPv6Address?.none) }
var customers: [ProvisionedCustomer] = []
let provisionSeconds = try seconds {
    customers = try WebServer.provision(store: store, zone: origin, addresses: addresses, ttl: 60, seed: 1, now: .zero,
                                        epochSeconds: epoch)
}
print("provisioned \(customerCount) customers in \(String(format: "%.3f", provisionSeconds)) s")

var config = WebServerConfig(providerZones: [origin], epochSeconds: epoch)
config.accountClasses = [AccountClass(name: "standard", dailyUpdateLimit: 1_000_000)]
var server = try WebServer(store: store, config: config)
// Pre-built requests: customer i % N gets a new address each time (always `good`).
let requests: [[UInt8]] = (0..<updateCount).map { index in
    let customer = customers[index % customers.count]
    let address = IPv4Address(UInt32(0xCB00_7100) + UInt32((index / customers.count) % 250) + 1)  // 203.0.113.x
    let auth = HTTPCredentials.basic(user: customer.account, password: customer.domainToken).authorizationValue
    return Array(("GET /nic/update?hostname=\(customer.domain.description.dropLast())&myip=\(address) HTTP/1.1\r\n"
        + "Host: dyn.example\r\nAuthorization: \(auth)\r\nUser-Agent: web-bench/1.0\r\n\r\n").utf8)
}
var good = 0
var other = 0
let updateSeconds = seconds {
    for (index, bytes) in requests.enumerated() {
        // 11 s apart per token: never rate-limited.
        let now = Instant(nanoseconds: UInt64(index / customers.count) * 11_000_000_000 + UInt64(index % customers.count))
        let outcome = server.handle(requestBytes: bytes, peer: .v4(IPv4Address(198, 51, 100, 1)), now: now)
        if outcome.response.bodyText.hasPrefix("good") { good += 1 } else { other += 1 }
    }
}
print("\(updateCount) updates (\(good) good, \(other) other) in \(String(format: "%.3f", updateSeconds)) s: "
    + "\(Int(Double(updateCount) / updateSeconds)) committed updates/s")
