/// Answers of the updater endpoints: the dyndns2 return codes (https://help.dyn.com/return-codes/,
/// dyndns.md §1.2) and our reason codes for refusals that dyndns2 has no word for.
///
/// The raw value is the first word of the answer body and the reason code in
/// `WebOutcome.rejections` and `WebServerStats`.
public enum UpdateCode: String, Sendable, Hashable, CaseIterable {
    /// The host's records changed.
    case good
    /// The host's records already held these values: nothing changed, the serial stays.
    case nochg
    /// No valid update token among the credentials (or an API key).
    case badauth
    /// The User-Agent header is empty or blocked.
    case badagent
    /// No host name at all, or a name that is not a fully qualified domain name.
    case notfqdn
    /// The host is not one of ours, or outside the token's scope.
    case nohost
    /// More hosts than `WebServerConfig.maxHostsPerRequest`.
    case numhost
    /// The host is blocked after repeated `nochg` answers.
    case abuse
    /// The zone refused the change (e.g. a CNAME at the host).
    case dnserr
    /// Storage failed (busy, I/O, disk full): try again later.
    case emergency = "911"
    /// More than `requestsPerWindow` requests within `requestWindow` for one token (HTTP 429).
    case ratelimit
    /// The account's daily update limit is used up (HTTP 429, "Updateintervall").
    case budget
    /// Parameters that do not parse or contradict each other (HTTP 400).
    case badrequest
    /// An address that does not parse or that the address policy refuses (HTTP 400).
    case badip
    /// A method other than GET and POST on an updater path (HTTP 405).
    case badmethod
    /// No such path (HTTP 404).
    case notfound
    /// The request bytes did not form an acceptable HTTP request (400, 413, 414, 431, 501, 505).
    case badhttp

    /// Whether the host was accepted (its answer is written to the log).
    public var isSuccess: Bool { self == .good || self == .nochg }
}

/// A refusal of the whole request before anything was read from or written to the database.
struct UpdateRefusal: Error, Hashable {
    var code: UpdateCode
    /// A short English explanation for the body; never a word clients take for success.
    var detail: String

    init(_ code: UpdateCode, _ detail: String = "") {
        self.code = code
        self.detail = detail
    }
}
