/// The REST API's paths (docs/openapi.yaml `paths`), matched segment by segment on the
/// percent-decoded path. An unknown path is 404; a known path with another method is 405 with
/// `Allow`.
enum APIRoute: Hashable {
    case account
    case domains
    case domain(String)
    case rrsets(domain: String)
    case rrset(domain: String, subname: String, type: String)
    case tokens
    case token(String)
    case logs
    case statistics

    /// The prefix of every API path.
    static let prefix = "/api/v1"

    /// The route of `path` (which starts with `prefix`), or 404.
    init(path: String) throws(APIError) {
        let segments = path.dropFirst(Self.prefix.count).split(separator: "/", omittingEmptySubsequences: false)
            .dropFirst().map(String.init)
        let notFound = APIError.notFound("no such API path; see docs/openapi.yaml")
        guard path.hasPrefix(Self.prefix + "/"), segments.allSatisfy({ !$0.isEmpty }) else { throw notFound }
        switch segments.count {
        case 1:
            switch segments[0] {
            case "account": self = .account
            case "domains": self = .domains
            case "tokens": self = .tokens
            case "logs": self = .logs
            case "statistics": self = .statistics
            default: throw notFound
            }
        case 2 where segments[0] == "domains": self = .domain(segments[1])
        case 2 where segments[0] == "tokens": self = .token(segments[1])
        case 3 where segments[0] == "domains" && segments[2] == "rrsets": self = .rrsets(domain: segments[1])
        case 5 where segments[0] == "domains" && segments[2] == "rrsets":
            self = .rrset(domain: segments[1], subname: segments[3], type: segments[4])
        default:
            throw notFound
        }
    }

    /// The methods the path answers.
    var methods: [String] {
        switch self {
        case .account, .logs, .statistics: ["GET"]
        case .domains, .rrsets, .tokens: ["GET", "POST"]
        case .domain: ["GET", "DELETE"]
        case .rrset: ["GET", "PUT", "PATCH", "DELETE"]
        case .token: ["DELETE"]
        }
    }

    /// 405 unless the route answers `method`.
    func check(method: String) throws(APIError) {
        guard methods.contains(method) else { throw APIError.methodNotAllowed(method, allowed: methods) }
    }
}
