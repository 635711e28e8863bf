import Determinism

/// How one kind of update client behaves: its timers, its request template and how it reads the
/// answer. Parameters and defaults follow the clients' code and manuals as summarised in
/// research/dyndns.md §4 (ddclient `ddclient.in`, inadyn `src/ddns.c` and `plugins/ipv64.c`,
/// AVM's help pages); where the source says nothing the choice is ours and says so.
public struct UpdaterModel: Sendable, Equatable {
    /// The name reports use for this model.
    public var name: String
    public var kind: Kind

    public enum Kind: Sendable, Equatable {
        case ddclient(DDClientSettings)
        case inadyn(InadynSettings)
        case fritzbox(FritzBoxSettings)
        case cron(CronSettings)
    }

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    /// ddclient in daemon mode with the dyndns2 protocol.
    public static func ddclient(_ settings: DDClientSettings = DDClientSettings(), name: String = "ddclient") -> UpdaterModel {
        UpdaterModel(name: name, kind: .ddclient(settings))
    }

    /// inadyn with the `default@ipv64.net` plugin.
    public static func inadyn(_ settings: InadynSettings = InadynSettings(), name: String = "inadyn") -> UpdaterModel {
        UpdaterModel(name: name, kind: .inadyn(settings))
    }

    /// A FRITZ!Box with a user-defined update URL.
    public static func fritzbox(_ settings: FritzBoxSettings = FritzBoxSettings(), name: String = "fritzbox") -> UpdaterModel {
        UpdaterModel(name: name, kind: .fritzbox(settings))
    }

    /// A naive cron script calling curl.
    public static func cron(_ settings: CronSettings = CronSettings(), name: String = "cron") -> UpdaterModel {
        UpdaterModel(name: name, kind: .cron(settings))
    }

    /// How long a request may take from connect to the whole response before it counts as failed.
    var timeout: SimDuration {
        switch kind {
        case .ddclient(let settings): settings.timeout
        case .inadyn(let settings): settings.timeout
        case .fritzbox(let settings): settings.timeout
        case .cron(let settings): settings.timeout
        }
    }
}

/// ddclient (`ddclient.in` cfgvars): checks its address every `daemon` interval and updates only
/// when it differs from `ddclient.cache`, or when `max-interval` has passed since the last
/// success; a failed host is retried once `min-error-interval` has passed since the attempt, for
/// ever (it does not stop after `badauth`). Request: `GET /nic/update?hostname=<h>&myip=<v4>[,<v6>]`
/// with Basic `login:password` through curl.
public struct DDClientSettings: Sendable, Equatable {
    /// `daemon=300`: the sleep between checks.
    public var interval: SimDuration = .seconds(300)
    /// `jitter`: each sleep is lengthened by a uniform draw in [0, this share of `interval`).
    /// ddclient documents 20 % as the default; that the jitter only lengthens is our reading.
    public var jitterPartsPerMillion: UInt32 = 200_000
    /// `max-interval=25d`: a forced update (expect `nochg`) after this long without one.
    public var maxInterval: SimDuration = .seconds(25 * 86_400)
    /// `min-error-interval=5m`: a failed host is retried at the first check at least this long
    /// after the failed attempt.
    public var minErrorInterval: SimDuration = .seconds(300)
    /// `timeout=120`.
    public var timeout: SimDuration = .seconds(120)
    public var userAgent = "ddclient/4.0.1"
    public var path = "/nic/update"
    /// Sends `myip=<v4>,<v6>` when the customer has IPv6 (`usev6`); false: IPv4 only.
    public var updatesIPv6 = true

    public init() {}
}

/// inadyn 2.13 (`src/ddns.c`, `plugins/ipv64.c`): checks every `period`, one request per address
/// family (`token=<hostname>&ip=` or `ip6=`, HTTP/1.0, Basic `<token>:NO_PASSWORD_NEEDED`,
/// Host `ipv4.<host>`/`ipv6.<host>`). After a temporary error (`dnserr`, `911`, `abuse`, HTTP 5xx,
/// network, timeout) the next check is `errorPeriod` later; after `badauth`, `!donator`,
/// HTTP 401/403 or another non-200 status, `nohost`, `notfqdn` or an unrecognised body it exits
/// (`check_error` without `--continue-on-error`).
public struct InadynSettings: Sendable, Equatable {
    /// `period`, `DDNS_DEFAULT_PERIOD` = 120 s.
    public var period: SimDuration = .seconds(120)
    /// `forced-update`: 30 days.
    public var forcedUpdate: SimDuration = .seconds(30 * 86_400)
    /// `error_update_period`: 600 s.
    public var errorPeriod: SimDuration = .seconds(600)
    /// `TCP_DEFAULT_TIMEOUT`, 20 s in the versions we read.
    public var timeout: SimDuration = .seconds(20)
    public var userAgent = "inadyn/2.13.0 https://github.com/troglobit/inadyn/issues"
    public var path = "/nic/update"
    public var password = "NO_PASSWORD_NEEDED"
    /// `allow-ipv6`: a second request per check for the customer's IPv6 address.
    public var allowIPv6 = true
    /// The plugin's server names `ipv4.ipv64.net`/`ipv6.ipv64.net`: Host is the fleet's host
    /// header with `ipv4.` or `ipv6.` in front; false: the host header as is.
    public var familyHosts = true
    /// How an HTTP 200 answer is judged.
    public var responseCheck: InadynResponseCheck = .dyndns2Words

    public init() {}
}

/// How inadyn judges an HTTP 200 answer.
public enum InadynResponseCheck: Sendable, Equatable {
    /// The generic dyndns2 parser (`plugins/common.c`): case-insensitive substrings, success when
    /// the body contains `good`, `nochg` or `ok` (so "token" counts, research §4.4), temporary for
    /// `dnserr`, `911`, `abuse`, otherwise exit.
    case dyndns2Words
    /// The ipv64 plugin as released: `http_status_valid` only, any 200 is success.
    case statusOnly
}

/// A FRITZ!Box with a user-defined URL (AVM help; asheiduk.de): it sends an update each time it
/// (re)connects — after each of its address changes — as two requests when the URL field holds
/// two URLs separated by a space (IPv4 with `ip=`, IPv6 with `ip6=` and `ipv6prefix=`), with no
/// URL-escaping of substituted values. Retries: AVM documents none; we retry a failed family
/// `retries` times, `retryDelay` apart (our choice).
public struct FritzBoxSettings: Sendable, Equatable {
    /// Sends an update at `startAt` too (the box connecting as the scenario starts).
    public var updateAtStart = false
    public var retries = 3
    public var retryDelay: SimDuration = .seconds(60)
    public var timeout: SimDuration = .seconds(30)
    public var userAgent = "Fritz!Box DDNS/1.0.1"
    public var path = "/update.php"
    /// Sends `Authorization: Basic base64(<login>:<token>)` as well (the dialog's user and password
    /// fields); off by default because the IPv64 template carries the key in the URL.
    public var basicAuth = false
    /// Sends the second (IPv6) URL when the customer has IPv6.
    public var updatesIPv6 = true

    public init() {}
}

/// A naive script run by cron (`*/5 * * * * curl -s "https://…/update.php?key=…&domain=…&ip=…"`):
/// sends the current IPv4 address every `interval` whether it changed or not, no retry, answers
/// ignored. Cron fires on the wall clock, so every such client sends at the same minute marks,
/// each `offsetSpread` at most later (process start, our choice).
public struct CronSettings: Sendable, Equatable {
    public var interval: SimDuration = .seconds(300)
    /// Each customer's fixed delay after the minute mark: a uniform draw in [0, this).
    public var offsetSpread: SimDuration = .seconds(2)
    /// curl without `-m` has no overall timeout; ours is a bound so the request is recorded.
    public var timeout: SimDuration = .seconds(60)
    public var userAgent = "curl/8.5.0"
    public var path = "/update.php"

    public init() {}
}
