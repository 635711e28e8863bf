import ArgumentParser

/// The ddnslab command line. Exit codes: 0 all expectations hold, 1 an expectation failed,
/// 2 invalid input (scenario, zone file, arguments), 3 internal error.
@main
struct DDNSLab: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ddnslab",
        abstract: "A DynDNS provider's DNS stack in a deterministic simulated network.",
        version: "0.1.0",
        subcommands: [Run.self, Validate.self, Compare.self, Query.self, ZoneCheck.self, Pcap.self, Sweep.self, BackupCommand.self, Serve.self]
    )
}

/// Exit codes shared by the commands.
enum Exit {
    static let passed: Int32 = 0
    static let expectationFailed: Int32 = 1
    static let invalidInput: Int32 = 2
    static let internalError: Int32 = 3
}
