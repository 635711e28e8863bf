import Determinism
import DNSWire
import GRDB
import HTTPWire
import Storage

/// One request of a group commit: its bytes, the peer's address and when it arrived.
public struct WebRequest: Sendable {
    public var bytes: [UInt8]
    public var peer: IPAddress
    public var arrived: Instant

    public init(bytes: [UInt8], peer: IPAddress, arrived: Instant) {
        self.bytes = bytes
        self.peer = peer
        self.arrived = arrived
    }
}

extension WebServer {
    /// Group commit: handles `requests` in order, each exactly as `handle(requestBytes:peer:now:)`
    /// would at its arrival instant, inside ONE write transaction (`ZoneStore.groupTransaction`)
    /// that is committed before this returns. A request's own transaction becomes a savepoint:
    /// it is still committed whole or not at all, and later requests of the group see what earlier
    /// ones wrote (budgets, records, tokens). One journal sync serves the whole group, which is how
    /// the server reaches its update rate with `synchronous = FULL`.
    ///
    /// Every outcome returned is committed: the host may send the responses. If the group's commit
    /// fails, each request that wrote something is answered with a storage failure instead (911
    /// in its updater dialect, 503 elsewhere) and reports nothing committed or acknowledged; the
    /// requests that wrote nothing keep their answers.
    public mutating func handle(group requests: [WebRequest]) -> [WebOutcome] {
        var outcomes: [WebOutcome] = []
        var wrote: [Bool] = []
        outcomes.reserveCapacity(requests.count)
        let zones = store.zones
        do {
            try zones.groupTransaction { db in
                for request in requests {
                    let before = db.totalChangesCount
                    outcomes.append(handle(requestBytes: request.bytes, peer: request.peer, now: request.arrived))
                    wrote.append(db.totalChangesCount != before)
                }
            }
        } catch {
            for index in outcomes.indices where wrote[index] {
                outcomes[index] = outcomes[index].uncommitted()
            }
            stats.failedGroups += 1
        }
        return outcomes
    }
}

extension WebOutcome {
    /// This outcome after its group transaction failed to commit: nothing committed or
    /// acknowledged, the client told to try again.
    func uncommitted() -> WebOutcome {
        let response: HTTPResponse
        if let ifNotCommitted {
            response = ifNotCommitted
        } else if endpoint == .api {
            response = APIError(status: 503, code: .internalFailure, "the database failed to commit; try again",
                                headers: [HTTPHeader("Retry-After", "1")]).response
        } else {
            response = .text(status: 503, "storage unavailable, try again later\n")
        }
        return WebOutcome(response: response, endpoint: endpoint, rejections: [UpdateCode.emergency.rawValue])
    }
}
