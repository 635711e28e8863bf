// swift-tools-version:6.1
// Benchmarks, built in release by `make bench`; results as JSON under reports/bench/.
// A nested package so the root package never builds them in debug.
import PackageDescription

let package = Package(
    name: "ddnslab-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "ddnslab", path: "..")],
    targets: [
        .executableTarget(
            name: "codec-bench",
            dependencies: [.product(name: "DNSWire", package: "ddnslab")],
            path: "Sources/codec-bench"
        ),
        .executableTarget(
            name: "sim-bench",
            dependencies: [
                .product(name: "Simulation", package: "ddnslab"), .product(name: "Scenario", package: "ddnslab"),
                .product(name: "DNSZone", package: "ddnslab"), .product(name: "DNSWire", package: "ddnslab"),
                .product(name: "Determinism", package: "ddnslab"), .product(name: "Reports", package: "ddnslab"),
            ],
            path: "Sources/sim-bench"
        ),
        .executableTarget(
            name: "balancer-bench",
            dependencies: [
                .product(name: "Balancer", package: "ddnslab"), .product(name: "DNSWire", package: "ddnslab"),
                .product(name: "Determinism", package: "ddnslab"),
            ],
            path: "Sources/balancer-bench"
        ),
        .executableTarget(
            name: "zone-bench",
            dependencies: [
                .product(name: "Storage", package: "ddnslab"), .product(name: "DNSZone", package: "ddnslab"),
                .product(name: "DNSWire", package: "ddnslab"),
            ],
            path: "Sources/zone-bench"
        ),
        .executableTarget(
            name: "web-bench",
            dependencies: [
                .product(name: "WebServer", package: "ddnslab"), .product(name: "Storage", package: "ddnslab"),
                .product(name: "HTTPWire", package: "ddnslab"), .product(name: "DNSZone", package: "ddnslab"),
                .product(name: "DNSWire", package: "ddnslab"), .product(name: "Determinism", package: "ddnslab"),
            ],
            path: "Sources/web-bench"
        ),
        .executableTarget(
            name: "backup-bench",
            dependencies: [
                .product(name: "Simulation", package: "ddnslab"), .product(name: "Scenario", package: "ddnslab"),
                .product(name: "DNSZone", package: "ddnslab"), .product(name: "DNSWire", package: "ddnslab"),
                .product(name: "Reports", package: "ddnslab"),
            ],
            path: "Sources/backup-bench"
        ),
        .executableTarget(
            name: "pcap-bench",
            dependencies: [
                .product(name: "PcapCapture", package: "ddnslab"), .product(name: "PcapDecode", package: "ddnslab"),
                .product(name: "PcapReplay", package: "ddnslab"), .product(name: "DNSWire", package: "ddnslab"),
            ],
            path: "Sources/pcap-bench"
        ),
    ],
    swiftLanguageModes: [.v6]
)
