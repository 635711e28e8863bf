// swift-tools-version:6.1
// The dependency graph is the architecture (see ARCHITECTURE.md): core targets depend on the
// standard library only; I/O, NIO and libpcap live at the edges.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "ddnslab",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ddnslab", targets: ["ddnslab"]),
        .library(name: "DNSWire", targets: ["DNSWire"]),
        .library(name: "DNSZone", targets: ["DNSZone"]),
        .library(name: "Determinism", targets: ["Determinism"]),
        .library(name: "PcapDecode", targets: ["PcapDecode"]),
        .library(name: "PcapCapture", targets: ["PcapCapture"]),
        .library(name: "PcapReplay", targets: ["PcapReplay"]),
        .library(name: "HarnessTesting", targets: ["HarnessTesting"]),
        .library(name: "Simulation", targets: ["Simulation"]),
        .library(name: "Scenario", targets: ["Scenario"]),
        .library(name: "Reports", targets: ["Reports"]),
        .library(name: "Regression", targets: ["Regression"]),
        .library(name: "Storage", targets: ["Storage"]),
        .library(name: "Balancer", targets: ["Balancer"]),
        .library(name: "HTTPWire", targets: ["HTTPWire"]),
        .library(name: "WebServer", targets: ["WebServer"]),
        .library(name: "Backup", targets: ["Backup"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // Live mode only (the LiveHost target and the CLI): sockets, TLS, HTTP/1.1 and HTTP/2, and the
        // self-signed certificate made on first run. No core or simulation target imports them.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // Layer 0: pure value code, standard library only.
        .target(name: "Determinism", swiftSettings: strict),
        .target(name: "LabMetrics", swiftSettings: strict),
        .target(name: "DNSWire", swiftSettings: strict),
        .target(name: "DNSZone", dependencies: ["DNSWire"], swiftSettings: strict),
        .target(name: "HTTPWire", swiftSettings: strict),
        // Layer 1: sans-IO protocol machines.
        .target(name: "Nameserver", dependencies: ["DNSWire", "DNSZone", "Determinism"], swiftSettings: strict),
        .target(name: "Traffic", dependencies: ["DNSWire", "DNSZone", "Determinism", "LabMetrics", "HTTPWire"], swiftSettings: strict),
        .target(name: "Balancer", dependencies: ["DNSWire", "Determinism", "LabMetrics"], swiftSettings: strict),
        // Layer 2: storage on SQLite (PowerDNS's gsqlite3 schema) through GRDB.
        .target(
            name: "Storage",
            dependencies: ["DNSWire", "DNSZone", "Determinism", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        // Layer 2: the web server (updater endpoints, REST API, accounts, tokens, limits) over Storage.
        .target(
            name: "WebServer",
            dependencies: ["Storage", "HTTPWire", "DNSWire", "DNSZone", "Determinism", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        // Layer 2: backups of a ZoneStore (snapshots, retention ladder, verification, restore).
        // zlib through a system-library target, for optional gzip compression of snapshots.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "Backup",
            dependencies: [
                "Storage", "DNSWire", "DNSZone", "Determinism", "HTTPWire", "CZlib",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        // Layer 3: the simulated network that hosts the machines, scenarios, reports.
        .target(name: "SimNet", dependencies: ["DNSWire", "Determinism"], swiftSettings: strict),
        .target(
            name: "Scenario",
            dependencies: ["DNSWire", "Determinism", "Balancer", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(name: "Reports", dependencies: ["Determinism", "LabMetrics"], swiftSettings: strict),
        // Layer 3: suites and regression gating over report files (JUnit, suite index, compare), sans-IO.
        .target(
            name: "Regression",
            dependencies: ["Reports", "HTTPWire", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(
            name: "Simulation",
            dependencies: [
                "SimNet", "Scenario", "Nameserver", "Traffic", "Balancer", "Reports", "LabMetrics", "Storage", "DNSZone",
                "DNSWire", "Determinism", "WebServer", "HTTPWire", "PcapReplay", "Backup",
            ],
            swiftSettings: strict
        ),
        // Layer 3: capture decoding (frames -> DNS messages), sans-IO over bytes.
        .target(name: "PcapDecode", swiftSettings: strict),
        // Layer 3: what a capture says (summary, replay plan, comparison), sans-IO over decoded messages.
        .target(name: "PcapReplay", dependencies: ["PcapDecode", "DNSWire", "Determinism", "LabMetrics"], swiftSettings: strict),
        // Edge: libpcap (Debian libpcap-dev) reads and writes capture files; frames go to PcapDecode.
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
        .target(name: "PcapCapture", dependencies: ["CPcap", "PcapDecode"], swiftSettings: strict),
        // Edge: live mode. The same ClusterHost the simulator runs, driven by real sockets and the real
        // clock (NIO), DoT and DoH frontends (NIOSSL, Hummingbird over HTTP/1.1 and HTTP/2), the web
        // server (Hummingbird), backups on the wall clock, Prometheus metrics. Adapters only.
        // Edge: recvmmsg/sendmmsg and epoll for the live host's UDP path (Glibc's module lacks them).
        .target(name: "CLiveSockets"),
        .target(
            name: "LiveHost",
            dependencies: [
                "CLiveSockets",
                "Simulation", "SimNet", "Scenario", "DNSWire", "DNSZone", "Determinism", "HTTPWire", "Backup", "Storage",
                "Balancer", "WebServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Test support: seeded generators, golden helpers.
        .target(name: "HarnessTesting", dependencies: ["DNSWire", "DNSZone", "Determinism"], swiftSettings: strict),
        // Executables.
        .executableTarget(
            name: "ddnslab",
            dependencies: [
                "DNSWire", "DNSZone", "Scenario", "Simulation", "Reports", "PcapCapture", "PcapReplay", "PcapDecode", "Backup",
                "Determinism", "Regression", "LiveHost", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "wirecheck", dependencies: ["DNSWire", "HarnessTesting", "Determinism"], swiftSettings: strict),
        // Tests mirror the source targets.
        .testTarget(name: "DeterminismTests", dependencies: ["Determinism"]),
        .testTarget(name: "LabMetricsTests", dependencies: ["LabMetrics", "Determinism"]),
        .testTarget(name: "DNSWireTests", dependencies: ["DNSWire", "HarnessTesting", "Determinism"]),
        .testTarget(name: "DNSZoneTests", dependencies: ["DNSZone", "DNSWire", "HarnessTesting", "Determinism"]),
        .testTarget(name: "PcapDecodeTests", dependencies: ["PcapDecode", "DNSWire", "HarnessTesting"]),
        .testTarget(
            name: "PcapCaptureTests",
            dependencies: ["PcapCapture", "PcapReplay", "PcapDecode", "DNSWire", "DNSZone", "Scenario", "Simulation", "HarnessTesting"]
        ),
        .testTarget(
            name: "StorageTests",
            dependencies: ["Storage", "DNSZone", "DNSWire", "Determinism", "HarnessTesting", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "NameserverTests", dependencies: ["Nameserver", "DNSZone", "DNSWire", "Determinism"]),
        .testTarget(name: "HTTPWireTests", dependencies: ["HTTPWire", "Determinism"]),
        .testTarget(
            name: "WebServerTests",
            dependencies: ["WebServer", "HTTPWire", "Storage", "DNSZone", "DNSWire", "Determinism", "HarnessTesting", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Yams", package: "Yams")]
        ),
        .testTarget(
            name: "BackupTests",
            dependencies: [
                "Backup", "Storage", "DNSZone", "DNSWire", "Determinism", "HTTPWire", "Scenario", "Simulation", "Reports",
                "HarnessTesting",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "LiveHostTests",
            dependencies: [
                "LiveHost", "Simulation", "SimNet", "Scenario", "DNSWire", "DNSZone", "HTTPWire", "HarnessTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .testTarget(name: "BalancerTests", dependencies: ["Balancer", "DNSWire", "Determinism"]),
        .testTarget(name: "TrafficTests", dependencies: ["Traffic", "HTTPWire", "DNSWire", "DNSZone", "Determinism"]),
        .testTarget(name: "ScenarioTests", dependencies: ["Scenario", "Determinism", "DNSWire"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Determinism"]),
        .testTarget(
            name: "RegressionTests",
            dependencies: ["Regression", "Reports", "HTTPWire", "Simulation", "Scenario", "DNSZone"],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "SimNet", "Scenario", "Nameserver", "Traffic", "Balancer", "Reports", "LabMetrics", "Storage", "DNSZone", "DNSWire", "Determinism"]),
    ],
    swiftLanguageModes: [.v6]
)
