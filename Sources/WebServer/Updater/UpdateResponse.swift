import HTTPWire

/// How updater answers are written: statuses per dialect and the bodies.
///
/// | answer | dyndns2 | IPv64 |
/// |---|---|---|
/// | `good`, `nochg` (at least one host accepted) | 200 | 200 |
/// | `badauth` | 200 | 401 |
/// | `nohost` (no host accepted) | 200 | 401 |
/// | `notfqdn`, `numhost`, `badagent` | 200 | 400 |
/// | `abuse` (host blocked) | 200 | 429 |
/// | `dnserr`, `911` | 200 | 500 |
/// | rate limit, daily budget | 429 | 429 |
/// | bad syntax (`notfqdn`, `badip`, `badrequest`): names, addresses, prefixes, duplicates | 400 | 400 |
/// | wrong method | 405 | 405 |
///
/// Classic dyndns2 answers protocol outcomes with HTTP 200 and the code in the body (dyndns.md
/// §1.2); requests whose parameters do not even parse, and limits, get a 4xx in both dialects.
/// Bodies: dyndns2 lines, one per host in request order (`good 192.0.2.1`), account-level codes
/// once. `update.php` answers `{"info": <lines>, "status": "success" | "<status> <reason>"}`;
/// `output=min` answers `ok` on success (errors as in text). The daily budget's body names
/// "Updateintervall" (IPv64's wording, which scripts grep), the rate limit's "429 Too Many
/// Requests". No error body contains good, nochg, ok, success or updated (clients match
/// substrings, dyndns.md §4.4).
enum UpdateResponse {
    /// The HTTP status of a request-level `code` in `dialect`.
    static func status(_ code: UpdateCode, dialect: UpdateDialect) -> Int {
        switch code {
        case .good, .nochg: return 200
        case .ratelimit, .budget: return 429
        case .badrequest, .badip: return 400
        case .badmethod: return 405
        case .notfound: return 404
        case .badhttp: return 400
        default: break
        }
        guard dialect == .ipv64 else { return 200 }
        switch code {
        case .badauth, .nohost: return 401
        case .abuse: return 429
        case .dnserr, .emergency: return 500
        default: return 400
        }
    }

    /// The JSON `status` of a failure: `401 Unauthorized` (IPv64's form), or `error` for a failure
    /// answered with HTTP 200, whose reason phrase "OK" must not reach the body.
    static func failureStatus(_ status: Int) -> String {
        status == 200 ? "error" : "\(status) \(HTTPResponse.reasonPhrase(for: status))"
    }

    /// The text of a refusal of the whole request.
    static func text(_ refusal: UpdateRefusal, config: WebServerConfig) -> String {
        switch refusal.code {
        case .ratelimit:
            return "429 Too Many Requests: at most \(config.requestsPerWindow) updater requests within "
                + "\(config.requestWindow.nanoseconds / 1_000_000_000) s"
        case .budget:
            return "429 Too Many Requests: Updateintervall - " + refusal.detail
        default:
            return refusal.detail.isEmpty ? refusal.code.rawValue : refusal.code.rawValue + " " + refusal.detail
        }
    }

    /// The response to a refusal of the whole request, with `status`.
    static func refusal(_ refusal: UpdateRefusal, status: Int, format: UpdateFormat, config: WebServerConfig)
        -> HTTPResponse
    {
        let text = text(refusal, config: config)
        var response: HTTPResponse
        switch format {
        case .text, .minimal:
            response = .text(status: status, text + "\n")
        case .json:
            response = .json(status: status, ["info": .string(text), "status": .string(failureStatus(status))])
        }
        if status == 405 { response.headers.append(HTTPHeader("Allow", "GET, POST")) }
        return response
    }

    /// The response to a decided request: one line per host.
    static func answers(_ answers: [HostAnswer], dialect: UpdateDialect, format: UpdateFormat) -> HTTPResponse {
        let lines = answers.map { $0.shown.isEmpty ? $0.code.rawValue : $0.code.rawValue + " " + $0.shown }
        let accepted = answers.contains { $0.code.isSuccess }
        let firstFailure = answers.first { !$0.code.isSuccess }?.code ?? .nohost
        let status = accepted ? 200 : Self.status(firstFailure, dialect: dialect)
        switch format {
        case .minimal:
            return .text(status: status, (accepted ? "ok" : lines.joined(separator: "\n")) + "\n")
        case .text:
            return .text(status: status, lines.joined(separator: "\n") + "\n")
        case .json:
            let state = accepted ? "success" : failureStatus(status)
            return .json(status: status, ["info": .string(lines.joined(separator: "\n")), "status": .string(state)])
        }
    }
}
