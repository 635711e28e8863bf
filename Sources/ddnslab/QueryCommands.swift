import ArgumentParser
import DNSWire
import DNSZone
import Foundation

/// `ddnslab query ZONEFILE NAME [TYPE]`: answers like dig would show, straight from the zone engine.
struct Query: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Answer a query from zone files through the zone engine, printed like dig.")

    @Option(name: .long, help: "A zone file to serve (repeatable).")
    var zone: [String] = ["fixtures/zones/dyn.example.zone"]

    @Argument(help: "The query name.")
    var name: String

    @Argument(help: "The query type (default A).")
    var type: String = "A"

    @Flag(name: .long, help: "Send the query with EDNS (DO bit clear, 1232 octets).")
    var edns = false

    func run() throws {
        let zones: ZoneSet
        do {
            zones = try ZoneFiles.load(zone).0
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(Exit.invalidInput)
        }
        guard let qname = DNSName(name), let qtype = RRType(mnemonic: type) else {
            FileHandle.standardError.write(Data("error: bad name or type\n".utf8))
            throw ExitCode(Exit.invalidInput)
        }
        let query = Message.query(id: 4242, name: qname, type: qtype, edns: edns ? EDNS() : nil)
        switch zones.answer(query) {
        case .response(let response, _): print(response.digText)
        case .transfer(let request): print(";; \(request.type) of \(request.zone) is served by the transfer machinery")
        }
    }
}

/// `ddnslab zone-check FILE…`: parse and validate zone files, like named-checkzone.
struct ZoneCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zone-check", abstract: "Check zone files; errors as file:line:column.")

    @Argument(help: "Zone files.")
    var files: [String]

    @Flag(name: .long, help: "Print the zone in canonical form.")
    var print = false

    func run() throws {
        do {
            let (zones, warnings) = try ZoneFiles.load(files)
            for warning in warnings { FileHandle.standardError.write(Data("\(warning)\n".utf8)) }
            for zone in zones.zones {
                Swift.print("zone \(zone.origin): loaded, \(zone.recordCount) records, serial \(zone.soa?.serial ?? 0)")
                if print { Swift.print(zone.zoneFileText, terminator: "") }
            }
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(Exit.invalidInput)
        }
    }
}
