import DNSWire
import Determinism
import Testing

@testable import Traffic

/// Address changes, connections, determinism and cost of the fleet as a whole.
@Suite struct UpdaterFleetTests {
    static func customers(_ count: Int, models: Int = 1, v6EveryNth: Int = 1) -> [UpdaterCustomer] {
        (0..<count).map { FleetFixtures.customer($0, model: $0 % models, v6: $0 % v6EveryNth == 0) }
    }

    @Test(arguments: [FleetFixtures.epoch, 1_699_920_000, 1_699_963_201])
    func dailyReconnectLandsInTheWindowEveryDay(epoch: UInt64) throws {
        let spread: Int64 = 1_800
        let change = IPChangeProcess.dailyReconnect(atSecondOfDay: 4 * 3_600, spread: .seconds(spread))
        var harness = FleetHarness(FleetFixtures.config(customers: Self.customers(200), models: [.fritzbox()],
                                                        changes: [change], hours: 72, epoch: epoch))
        harness.run(until: FleetFixtures.seconds(72 * 3_600))
        let changes = harness.fleet.ipChanges
        var perCustomer = Array(repeating: [Instant](), count: 200)
        for change in changes {
            let wallSeconds = epoch + change.at.seconds
            let secondOfDay = Int64(wallSeconds % 86_400)
            #expect(secondOfDay >= 4 * 3_600 && secondOfDay < 4 * 3_600 + spread)
            perCustomer[change.customer].append(change.at)
        }
        // 72 hours hold three 04:00 windows (a window cut by the start or end may add or drop one).
        #expect(perCustomer.allSatisfy { (2...4).contains($0.count) })
        for instants in perCustomer {
            // A customer's offset is fixed: exactly a day between its changes.
            #expect(zip(instants.dropFirst(), instants).allSatisfy { ($0 - $1).nanoseconds == 86_400_000_000_000 })
        }
        #expect(zip(changes.dropFirst(), changes).allSatisfy { $0.at >= $1.at })
        // Offsets spread over the window, not all at its start.
        let offsets = Set(changes.map { (epoch + $0.at.seconds) % 86_400 })
        #expect(offsets.count > 150)
    }

    @Test func changesHandOutFreeAddressesOnlyAndKeepThemUnique() throws {
        let change = IPChangeProcess.random(meanInterval: .seconds(600), newV6Prefix: true)
        var harness = FleetHarness(FleetFixtures.config(customers: Self.customers(50, v6EveryNth: 2), models: [.fritzbox()],
                                                        changes: [change], poolSize: 60, hours: 10))
        harness.run(until: FleetFixtures.seconds(10 * 3_600))
        let fleet = harness.fleet
        // About 50 customers x 60 changes; the pool of 60 wraps many times.
        #expect(fleet.ipChanges.count > 2_000 && fleet.ipChanges.count < 4_000)
        #expect(fleet.ipChanges.allSatisfy { $0.oldV4 != $0.newV4 })
        #expect(fleet.ipChanges.filter { $0.customer % 2 == 0 }.allSatisfy { $0.families == [.v4, .v6] })
        #expect(fleet.ipChanges.filter { $0.customer % 2 == 1 }.allSatisfy { $0.newV6 == nil })
        let addresses = (0..<50).map { fleet.currentAddresses(customer: $0).0 }
        #expect(Set(addresses).count == 50)
        let indexes = (0..<50).map { fleet.addressIndex(customer: $0) }
        #expect(Set(indexes).count == 50)
        #expect(zip(indexes, addresses).allSatisfy { harness.fleet.config.addressPool[Int($0)] == $1 })
    }

    @Test func prefixChangeMovesOnlyTheIPv6Address() throws {
        let change = IPChangeProcess.v6PrefixChange(.exponential(meanInterval: .seconds(1_800)))
        var harness = FleetHarness(FleetFixtures.config(customers: Self.customers(20, v6EveryNth: 2), models: [.ddclient()],
                                                        changes: [change], hours: 4))
        harness.run(until: FleetFixtures.seconds(4 * 3_600))
        let fleet = harness.fleet
        #expect(!fleet.ipChanges.isEmpty)
        #expect(fleet.ipChanges.allSatisfy { $0.families == .v6 && $0.customer % 2 == 0 })
        #expect(fleet.ipChanges.allSatisfy { $0.newV6.map { $0.low == 1 && $0.high >> 24 == 0x2001_0db8_ff } ?? false })
        // ddclient noticed each new prefix and sent it along with the unchanged IPv4 address.
        #expect(fleet.requests.allSatisfy { $0.families == [.v4, .v6] && $0.code == "good" })
        for customer in 0..<20 {
            let (v4, v6) = fleet.currentAddresses(customer: customer)
            #expect(v4 == fleet.config.addressPool[customer])
            let lastSent = fleet.requests.last { $0.customer == customer }
            if let lastSent { #expect(lastSent.v6 == v6 || lastSent.sentAt.seconds > 4 * 3_600 - 360) }
        }
    }

    @Test func shareSelectsAboutThatManyCustomers() {
        let change = IPChangeProcess.dailyReconnect(atSecondOfDay: 23 * 3_600, spread: .seconds(60),
                                                    sharePartsPerMillion: 250_000)
        var harness = FleetHarness(FleetFixtures.config(customers: Self.customers(1_000), models: [.fritzbox()],
                                                        changes: [change]))
        harness.run(until: FleetFixtures.seconds(7_200))
        #expect((180...320).contains(harness.fleet.ipChanges.count))
        #expect(Set(harness.fleet.ipChanges.map(\.customer)).count == harness.fleet.ipChanges.count)
    }

    @Test func refusedConnectionsFailOverToTheNextServer() {
        var harness = FleetHarness(FleetFixtures.config(customers: Self.customers(30), models: [.cron()], servers: 3))
        harness.refusing = [0, 1]
        harness.run(until: FleetFixtures.seconds(7_200))
        let fleet = harness.fleet
        #expect(fleet.requests.count == 30 * 24)
        #expect(fleet.requests.allSatisfy { $0.server == 2 && $0.code == "good" })
        #expect(harness.seen.allSatisfy { $0.server == 2 })
        #expect(fleet.counters[0].failovers > 0)
    }

    @Test func noServerReachableIsANetworkFailure() {
        var harness = FleetHarness(FleetFixtures.config(customers: Self.customers(3), models: [.cron()], servers: 2))
        harness.refusing = [0, 1]
        harness.run(until: FleetFixtures.seconds(7_200))
        #expect(harness.fleet.requests.allSatisfy { $0.code == "network" && $0.status == nil })
        #expect(harness.fleet.counters[0].network == harness.fleet.requests.count)
        #expect(harness.seen.isEmpty)
    }

    @Test func aSilentServerEndsInTheModelsTimeout() throws {
        var harness = FleetHarness(FleetFixtures.config(customers: [FleetFixtures.customer(0)], models: [.ddclient()],
                                                        synced: false))
        harness.reply = { _ in .silent }
        harness.run(until: FleetFixtures.seconds(600))
        let first = try #require(harness.fleet.requests.first)
        #expect(first.code == "timeout")
        #expect(first.answeredAt.map { $0 - first.sentAt } == .seconds(120))
        let closes = harness.log.filter { if case .closeTCP = $0.1 { true } else { false } }
        #expect(closes.first?.0 == first.answeredAt)
        #expect(harness.fleet.counters[0].timeouts >= 1)
    }

    static func mixedConfig(customers count: Int, hours: Int64) -> UpdaterFleetConfig {
        let models: [UpdaterModel] = [.ddclient(), .inadyn(), .fritzbox(), .cron()]
        let changes: [IPChangeProcess] = [
            .dailyReconnect(atSecondOfDay: 3_600, spread: .seconds(1_800)),
            .random(meanInterval: .seconds(20 * 3_600), sharePartsPerMillion: 100_000),
            .v6PrefixChange(.exponential(meanInterval: .seconds(10 * 3_600)), sharePartsPerMillion: 50_000),
        ]
        // Epoch at a midnight: the night runs from 00:00 to `hours`.
        return FleetFixtures.config(customers: customers(count, models: 4, v6EveryNth: 2), models: models,
                                    changes: changes, servers: 2, hours: hours, epoch: 1_699_920_000)
    }

    @Test func theSameSeedGivesTheSameActions() {
        func run(seed: UInt64) -> [String] {
            var harness = FleetHarness(Self.mixedConfig(customers: 200, hours: 2), seed: seed)
            var answers = 0
            harness.reply = { _ in
                answers += 1
                return answers % 7 == 0 ? .respond(200, "911") : .respond(200, "good 10.0.0.1")
            }
            harness.run(until: FleetFixtures.seconds(7_200))
            return harness.log.map { "\($0.0.nanoseconds) \($0.1)" }
        }
        let first = run(seed: 42)
        #expect(first.count > 500)
        #expect(run(seed: 42) == first)
        #expect(run(seed: 43) != first)
    }

    @Test func tenThousandCustomersThroughANightAreCheap() throws {
        let clock = ContinuousClock()
        let start = clock.now
        var harness = FleetHarness(Self.mixedConfig(customers: 10_000, hours: 2))
        harness.recording = false
        let built = clock.now - start
        harness.run(until: FleetFixtures.seconds(7_200))
        let elapsed = clock.now - start
        print("fleet: 10,000 customers, 2 h: set-up \(built), total \(elapsed)")
        let fleet = harness.fleet
        // Everybody reconnects between 01:00 and 01:30; cron alone sends 2,500 x 24.
        #expect(fleet.ipChanges.count > 10_000)
        #expect(fleet.requests.count > 60_000)
        #expect(fleet.counters[2].sent >= 5_000)
        #expect(elapsed < .seconds(20), "10,000 customers over two hours took \(elapsed)")
    }
}
