import DNSWire
import GRDB
import HTTPWire
import Storage

/// `/account`, `/logs` and `/statistics`.
extension RESTAPI {
    /// Log rows answered when `limit` is not given, and at most.
    static let defaultLogLimit = 50
    static let maxLogLimit = 500
    /// Days of statistics answered when `days` is not given, and at most.
    static let defaultStatisticsDays = 7
    static let maxStatisticsDays = 366

    /// GET /account: the account, its class's limits and today's use.
    func getAccount(_ context: APIContext) throws(APIError) -> APIReply {
        let account = context.scope.account
        let today = context.server.day(at: context.now)
        let (domains, requests) = try Self.read(context.store) { db in
            (try WebStore.domains(ofAccount: account.id, in: db).count,
             try WebStore.requests(ofAccount: account.id, day: today, in: db))
        }
        let document: JSON = .object(JSONObject(pairs: [
            ("name", .string(account.name)),
            ("email", account.email.map(JSON.string) ?? .null),
            ("class", .object(JSONObject(pairs: [
                ("name", .string(account.accountClass)),
                ("domain_limit", .integer(Int64(config.domainLimit(ofClass: account.accountClass)))),
                ("update_limit_per_day", .integer(Int64(context.server.dailyLimit(ofClass: account.accountClass)))),
            ]))),
            ("domains", .integer(Int64(domains))),
            ("updates_today", .integer(Int64(requests))),
            ("api_calls_today", .integer(Int64(counters(account: account.id, day: today).calls + 1))),
            ("created", APIJSON.time(account.created)),
            ("key", .object(JSONObject(pairs: [
                ("id", .integer(context.scope.tokenID)), ("kind", .string(context.scope.kind.rawValue)),
            ]))),
        ]))
        return APIReply(response: .json(status: 200, document))
    }

    /// GET /logs[?domain=&limit=]: the newest log rows the token may see.
    func listLogs(_ context: APIContext) throws(APIError) -> APIReply {
        var domainText: String?
        var limit = Self.defaultLogLimit
        for item in context.request.query {
            switch item.name {
            case "domain": domainText = item.value
            case "limit": limit = try Self.integerParameter(item, in: 1...Self.maxLogLimit)
            default: throw APIError.badRequest("unknown query parameter \(APIError.quote(item.name)); known: domain, limit")
            }
        }
        let scope = context.scope
        let documents = try Self.read(context.store) { db in
            var domainID = scope.isAccountWide ? nil : scope.domain?.id
            if let domainText { domainID = try Self.resolve(domain: domainText, scope: scope, in: db).id }
            let hostname = scope.kind == .record ? scope.recordHostname : nil
            return try WebStore.logRows(ofAccount: scope.account.id, domainID: domainID, hostname: hostname,
                                        limit: limit, in: db)
                .map { APIJSON.log($0.entry, domain: $0.domain) }
        }
        return APIReply(response: .json(status: 200, .array(documents)))
    }

    /// GET /statistics[?days=]: per day up to today, oldest first: updater hosts changed (`updates`)
    /// and unchanged (`nochg`) from `lab_stats`, and API calls and refused API calls from memory.
    func getStatistics(_ context: APIContext) throws(APIError) -> APIReply {
        guard context.scope.isAccountWide else {
            throw APIError.forbidden("statistics are for API keys and account keys")
        }
        var days = Self.defaultStatisticsDays
        for item in context.request.query {
            guard item.name == "days" else {
                throw APIError.badRequest("unknown query parameter \(APIError.quote(item.name)); known: days")
            }
            days = try Self.integerParameter(item, in: 1...Self.maxStatisticsDays)
        }
        let account = context.scope.account.id
        let today = context.server.day(at: context.now)
        let stored = try Self.read(context.store) { db in
            try WebStore.dayCounters(ofAccount: account, from: today - Int64(days) + 1, through: today, in: db)
        }
        var rows: [JSON] = []
        for day in (today - Int64(days) + 1)...today {
            let counters = stored.first { $0.day == day }
            var memory = self.counters(account: account, day: day)
            if day == today { memory.calls += 1 }  // this call
            rows.append(.object(JSONObject(pairs: [
                ("day", .string(APITime.day(day))),
                ("updates", .integer(Int64(counters?.good ?? 0))),
                ("nochg", .integer(Int64(counters?.nochg ?? 0))),
                ("rejected", .integer(Int64(memory.rejected))),
                ("api_calls", .integer(Int64(memory.calls))),
            ])))
        }
        return APIReply(response: .json(status: 200, .object(JSONObject(pairs: [("days", .array(rows))]))))
    }

    static func integerParameter(_ item: FormItem, in range: ClosedRange<Int>) throws(APIError) -> Int {
        guard let value = Int(item.value), String(value) == item.value, range.contains(value) else {
            throw APIError.badRequest("\(item.name) is an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}
