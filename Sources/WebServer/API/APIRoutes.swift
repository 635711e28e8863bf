import Determinism
import DNSWire
import HTTPWire

extension WebServer {
    /// The REST API (`/api/v1`) and the dashboard: nil when `request` is for neither (then the
    /// server answers 404). Placeholder until the API lands in `API/`.
    mutating func routeAPI(_ request: HTTPRequest, peer: IPAddress, now: Instant) -> WebOutcome? {
        nil
    }
}
