import DNSWire
import DNSZone
import Determinism
import LabMetrics
import Nameserver
import SimNet
import Storage
@testable import Simulation
import Testing

/// The replication machines hosted by the simulator over its UDP and TCP models (issue 4, point 2).
@Suite struct ReplicationTests {
    struct Cluster {
        var simulator: Simulator<ClusterHost>
        var primary: NodeID
        var secondaries: [NodeID]
    }

    /// A primary and `count` secondaries at one site on a 1 ms internal network; the primary commits
    /// an edit every `editEvery` for `editsFor`.
    func cluster(secondaries count: Int, notify: NotifyPolicy, refresh: RefreshPolicy, editEvery: SimDuration,
                 editsFor: SimDuration, seed: UInt64 = 5) -> Cluster {
        var topology = Topology()
        let site = topology.addSite("dc", localPath: LinkModel(delay: DelayModel(baseNanoseconds: 1_000_000)), seed: seed)
        var simulator = Simulator(host: ClusterHost(), topology: topology, seed: seed)
        let zones = SimulationSupport.zones()
        let zone = zones.zones[0]
        func config(_ index: Int) -> NodeConfig {
            NodeConfig(name: "ns\(index)", site: site, networks: 1, addresses: [.v4(IPv4Address(10, 0, 0, UInt8(index)))],
                       cores: 2, serviceTime: .microseconds(20), queueLimit: 1000)
        }
        let primaryID = NodeID(0)
        let secondaryIDs = (1...count).map { NodeID($0) }
        let port53 = { (id: NodeID) in Endpoint(node: id, addressIndex: 0, port: 53) }
        let feed = ZoneEditFeed(interval: editEvery, start: Instant.zero + .seconds(1), stopAt: Instant.zero + .seconds(1) + editsFor,
                                seed: seed, zone: zone)
        _ = simulator.addNode(config: config(0))
        simulator.host.add(try! PrimaryNode(
            zones: zones, store: try! ZoneStore.inMemory(),
            config: PrimaryConfig(secondaries: secondaryIDs.map(port53), notify: notify), port53: port53(primaryID),
            seed: seed, epochSeconds: 1_767_225_600, feeds: [feed]))
        for id in secondaryIDs {
            _ = simulator.addNode(config: config(Int(id.index)))
            let secondaryConfig = SecondaryConfig(primary: port53(primaryID), zones: [zone.origin], refresh: refresh)
            simulator.host.add(try! SecondaryNode(config: secondaryConfig, store: try! ZoneStore.inMemory(), port53: port53(id),
                                                  seed: seed, storedCopies: [zone]))
        }
        return Cluster(simulator: simulator, primary: primaryID, secondaries: secondaryIDs)
    }

    @Test func notifyBringsEveryChangeToEverySecondaryWithin50Milliseconds() {
        var cluster = cluster(secondaries: 2, notify: .onCommit, refresh: .soaTimers, editEvery: .milliseconds(100), editsFor: .seconds(20))
        cluster.simulator.run(until: Instant.zero + .seconds(30))
        let commits = cluster.simulator.host.primaries[0].commits
        // 200 edits; one that sets the address a name already has commits nothing (a dyndns2 nochg).
        #expect(commits.count > 190 && commits.count <= 200)
        for secondary in cluster.simulator.host.secondaries {
            let result = ReplicationLag.measure(commits: commits, applied: secondary.applied)
            #expect(result.missing == 0)
            #expect(result.lag.totalCount == UInt64(commits.count))
            let p99 = result.lag.value(atPercentile: 99)
            #expect(p99 < 50_000_000, "p99 replication lag \(Double(p99) / 1e6) ms")
            // NOTIFY, SOA query and answer, TCP set-up, IXFR: a handful of 1 ms one-way trips.
            #expect(result.lag.minimum >= 4_000_000)
            print("replication lag: p50 \(Double(result.lag.value(atPercentile: 50)) / 1e6) ms, p99 \(Double(p99) / 1e6) ms, max \(Double(result.lag.maximum) / 1e6) ms over \(result.lag.totalCount) changes")
        }
    }

    /// Without NOTIFY, secondaries poll every 5 s: a change waits for the next poll.
    @Test func pollingLagFollowsTheInterval() {
        var cluster = cluster(secondaries: 1, notify: .never, refresh: .fixed(interval: .seconds(5)),
                              editEvery: .milliseconds(370), editsFor: .seconds(40))
        cluster.simulator.run(until: Instant.zero + .seconds(60))
        let commits = cluster.simulator.host.primaries[0].commits
        let result = ReplicationLag.measure(commits: commits, applied: cluster.simulator.host.secondaries[0].applied)
        #expect(result.missing == 0)
        // Lags spread over one interval: mean about 2.5 s, max just over 5 s.
        let mean = Double(result.lag.mean) / 1e9
        let max = Double(result.lag.maximum) / 1e9
        print("polling lag: \(commits.count) changes, mean \(mean) s, max \(max) s")
        #expect(mean > 1.5 && mean < 3.5, "mean lag \(mean) s")
        #expect(max > 4 && max < 5.5, "max lag \(max) s")
    }
}
