import Determinism

/// A captured traffic source (workload item `replay`, issue 8): each client of a pcap capture becomes
/// a simulated client that sends its captured queries at the captured times (scaled by `speed`) to
/// the scenario's balancers, and every answer is compared with the captured one.
///
/// The scenario names the file; the CLI reads it (the loader never reads files) and hands the
/// replay plan to the run.
public struct ReplaySpec: Sendable, Equatable {
    /// How captured client addresses become simulated ones.
    public enum AddressMapping: String, Sendable, CaseIterable {
        /// Each client keeps its captured address.
        case keep
        /// Each client gets a distinct pseudo-random address of its family, drawn from the run's seed
        /// (100.64.0.0/10 or 2001:db8:e::/48): the capture's addresses never reach the report.
        case anonymise
    }

    /// Which transport a replayed query uses.
    public enum TransportChoice: String, Sendable, CaseIterable {
        /// As captured: UDP queries over UDP, TCP queries over a TCP connection of their own.
        case captured
        case udp
        case tcp
    }

    public var name: String
    /// The capture (pcap or pcapng), as written: relative to the scenario file unless absolute.
    public var file: String
    /// Replay speed in parts per million of captured time (2,000,000: twice as fast).
    public var speedPartsPerMillion: UInt64 = 1_000_000
    /// Start the capture again after its last query until the run ends.
    public var loop = false
    public var site: String
    /// Where the queries go: the scenario's balancers unless named (spread over them by client).
    public var targets: [String]
    public var addresses: AddressMapping = .anonymise
    public var transport: TransportChoice = .captured
    /// When the first captured query is sent.
    public var start: SimDuration = .zero
    /// How long a query waits for its answer before it counts as missing.
    public var timeout: SimDuration = .seconds(2)
    public var position: SourcePosition

    public init(name: String, file: String, site: String, targets: [String],
                position: SourcePosition = SourcePosition(line: 0, column: 0)) {
        self.name = name
        self.file = file
        self.site = site
        self.targets = targets
        self.position = position
    }
}
