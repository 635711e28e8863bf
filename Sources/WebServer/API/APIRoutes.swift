import Determinism
import DNSWire
import HTTPWire

extension WebServer {
    /// The REST API (`/api/v1`, `RESTAPI`) and the dashboard (`/dashboard`, `Dashboard`): nil when
    /// `request` is for neither (then the server answers 404).
    mutating func routeAPI(_ request: HTTPRequest, peer: IPAddress, now: Instant) -> WebOutcome? {
        if request.path == Dashboard.path {
            let outcome = Dashboard.handle(request, now: now, store: store, server: config)
            return WebOutcome(response: outcome.response, endpoint: .dashboard, rejections: outcome.rejections)
        }
        guard RESTAPI.handles(path: request.path) else { return nil }
        let outcome = api.handle(request, peer: peer, now: now, store: store, server: config)
        return WebOutcome(response: outcome.response, endpoint: .api, committed: outcome.committed,
                          purgeNames: outcome.purgeNames, rejections: outcome.rejections)
    }
}
