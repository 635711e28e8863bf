// swift-tools-version:6.1
// libFuzzer targets, built only by `make fuzz-build` (they have no main and link only with
// -sanitize=fuzzer). Kept out of the root package so `swift build` there never sees them.
import PackageDescription

let package = Package(
    name: "ddnslab-fuzz",
    dependencies: [.package(name: "ddnslab", path: "..")],
    targets: [
        .executableTarget(
            name: "fuzz-message",
            dependencies: [.product(name: "DNSWire", package: "ddnslab")],
            path: "Sources/fuzz-message"
        )
    ],
    swiftLanguageModes: [.v6]
)
