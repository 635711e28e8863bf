// Hostile input: random bytes, mutated and truncated frames and files never trap, and every frame is
// accounted for.

import PcapDecode
import Testing

/// SplitMix64: a small seeded generator so the garbage is the same on every run.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }
}

@Suite("Robustness")
struct RobustnessTests {
    static let linkTypes: [LinkType] = [
        .null, .ethernet, .ppp, .rawLegacy, .raw, .loop, .linuxCooked, .ipv4, .ipv6, .linuxCookedV2,
        LinkType(rawValue: 999),
    ]

    /// Valid frames of every shape the decoder knows, to mutate.
    static var seeds: [[UInt8]] {
        let query = Build.query(id: 9)
        return [
            Build.udpQueryFrame(id: 1),
            Build.tcpFrame(Build.prefixed(query) + Build.prefixed(query), sequence: 1),
            Build.ethernet(
                Build.ipv6(
                    Build.extensionHeader(next: 44)
                        + Build.fragmentHeader(next: 17, offset: 0, more: true, identification: 1) + Build.udp(query),
                    nextHeader: 0), etherType: 0x86DD),
            Build.ethernet(Build.ipv4(Build.udp(query), moreFragments: true), tags: [(0x8100, 1)]),
        ]
    }

    @Test("Random bytes under every link type", arguments: linkTypes)
    func randomFrames(linkType: LinkType) {
        var random = SplitMix64(state: UInt64(linkType.rawValue) &+ 1)
        var extractor = DNSExtractor()
        var output: [CapturedDNSMessage] = []
        for _ in 0..<2_000 {
            let bytes = random.bytes(random.below(120))
            let original = bytes.count + (random.below(4) == 0 ? random.below(100) : 0)
            extractor.process(
                linkType: linkType, timestampNanoseconds: random.next(), bytes: bytes[...], originalLength: original,
                into: &output)
        }
        extractor.finish(into: &output)
        #expect(extractor.statistics.frames == 2_000)
        #expect(extractor.statistics.messages == output.count)
    }

    @Test("Mutated and truncated valid frames")
    func mutatedFrames() {
        var random = SplitMix64(state: 0xD15EA5E)
        var extractor = DNSExtractor(
            configuration: {
                var configuration = DNSExtractor.Configuration()
                configuration.maximumTCPStreams = 8
                configuration.maximumOutOfOrderSegments = 4
                configuration.maximumFragmentedDatagrams = 4
                return configuration
            }())
        var output: [CapturedDNSMessage] = []
        let seeds = Self.seeds
        for round in 0..<5_000 {
            var bytes = seeds[round % seeds.count]
            for _ in 0...random.below(4) {
                bytes[random.below(bytes.count)] = UInt8(truncatingIfNeeded: random.next())
            }
            let cut = random.below(3) == 0 ? random.below(bytes.count + 1) : bytes.count
            extractor.process(
                CapturedFrame(timestampNanoseconds: 0, linkType: .ethernet, bytes: Array(bytes.prefix(cut))),
                into: &output)
        }
        extractor.finish(into: &output)
        #expect(extractor.statistics.frames == 5_000)
    }

    @Test("Every truncation of a valid frame")
    func everyTruncation() {
        for seed in Self.seeds {
            for length in 0...seed.count {
                let captured = CapturedFrame(
                    timestampNanoseconds: 0, linkType: .ethernet, bytes: Array(seed.prefix(length)),
                    originalLength: seed.count)
                _ = DNSExtractor.extract(from: [captured])
                let cutWire = CapturedFrame(
                    timestampNanoseconds: 0, linkType: .ethernet, bytes: Array(seed.prefix(length)))
                _ = DNSExtractor.extract(from: [cutWire])
            }
        }
    }

    @Test("Random TCP segments on one connection")
    func randomSegments() {
        var random = SplitMix64(state: 7)
        var frames: [[UInt8]] = []
        for _ in 0..<3_000 {
            let flags = UInt8(truncatingIfNeeded: random.next()) & 0x1F
            let payload = random.below(4) == 0 ? Build.prefixed(Build.query(id: 3)) : random.bytes(random.below(40))
            let sequence =
                UInt32(truncatingIfNeeded: 1_000 + random.below(400)) &+ (random.below(50) == 0 ? 0x8000_0000 : 0)
            frames.append(Build.tcpFrame(payload, sequence: sequence, flags: flags, response: random.below(2) == 0))
        }
        let result = extract(frames)
        #expect(result.statistics.frames == 3_000)
    }

    @Test("Every prefix and random corruptions of capture files")
    func damagedFiles() throws {
        var random = SplitMix64(state: 11)
        let classic = Build.pcap(Self.seeds)
        let nextGeneration =
            NextGeneration.sectionHeader(bigEndian: true)
            + NextGeneration.interface(linkType: 1, options: [(9, [0xFF]), (14, [1, 2, 3])], bigEndian: true)
            + NextGeneration.enhancedPacket(interface: 0, timestamp: UInt64.max, Self.seeds[0], bigEndian: true)
        for file in [classic, nextGeneration] {
            for length in 0...file.count {
                _ = PcapFile.readFrames(Array(file.prefix(length)))
            }
            for _ in 0..<2_000 {
                var bytes = file
                for _ in 0...random.below(6) {
                    bytes[random.below(bytes.count)] = UInt8(truncatingIfNeeded: random.next())
                }
                let read = PcapFile.readFrames(bytes)
                _ = DNSExtractor.extract(from: read.frames)
            }
        }
        for _ in 0..<500 {
            _ = PcapFile.readFrames(random.bytes(random.below(200)))
        }
    }

    @Test("Extreme pcapng timestamps saturate instead of overflowing")
    func timestampSaturation() throws {
        let bytes =
            NextGeneration.sectionHeader(bigEndian: false)
            + NextGeneration.interface(
                linkType: 1, options: [(9, [0]), (14, [UInt8](repeating: 0x7F, count: 8))], bigEndian: false)
            + NextGeneration.enhancedPacket(interface: 0, timestamp: UInt64.max, [0], bigEndian: false)
            + NextGeneration.interface(linkType: 1, options: [(9, [0x7F])], bigEndian: false)
            + NextGeneration.enhancedPacket(interface: 1, timestamp: UInt64.max, [0], bigEndian: false)
        let read = PcapFile.readFrames(bytes)
        #expect(read.error == nil)
        #expect(read.frames.map(\.timestampNanoseconds) == [UInt64.max, 0])
    }
}
