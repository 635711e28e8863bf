import Determinism
import DNSWire
import HTTPWire
import GRDB
import Storage

/// `GET /dashboard`: one self-contained HTML page (no scripts, no stylesheets or images to fetch;
/// a Content-Security-Policy forbids both) with the account's domains as the token sees them
/// (`TokenScope.sees`), their current addresses and last update, and the newest log rows.
///
/// The credential is a Bearer header or `?token=` (a browser cannot send the header from a link).
/// Every value from the database is HTML-escaped: host names, user agents and log content come
/// from clients. Reads only; writes nothing, refused or not.
public enum Dashboard {
    /// The path of the page.
    public static let path = "/dashboard"
    /// Log rows on the page.
    public static let logRows = 20

    static let securityPolicy = "default-src 'none'; style-src 'unsafe-inline'"

    /// Answers a request for `path`.
    public static func handle(_ request: HTTPRequest, now: Instant, store: WebStore,
                              server: WebServerConfig) -> APIOutcome {
        do throws(APIError) {
            guard request.method == "GET" else { throw APIError.methodNotAllowed(request.method, allowed: ["GET"]) }
            let scope = try authenticate(request, store: store)
            let page = try RESTAPI.read(store) { db in try render(scope, in: db) }
            var response = HTTPResponse.html(status: 200, page)
            response.headers.append(HTTPHeader("Content-Security-Policy", securityPolicy))
            response.headers.append(HTTPHeader("Cache-Control", "no-store"))
            return APIOutcome(response: response)
        } catch {
            let text = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ddnslab dashboard: "
                + "\(error.status)</title></head>\n<body><h1>\(error.status) \(escape(error.code.rawValue))</h1>\n<p>"
                + escape(error.safeMessage) + "</p></body></html>\n"
            var response = HTTPResponse.html(status: error.status, text)
            response.headers += error.headers + [HTTPHeader("Content-Security-Policy", securityPolicy)]
            return APIOutcome(response: response, rejections: ["dashboard:" + error.code.rawValue])
        }
    }

    static func authenticate(_ request: HTTPRequest, store: WebStore) throws(APIError) -> TokenScope {
        if let secret = request.query.first(where: { $0.name == "token" })?.value {
            return try RESTAPI.scope(secret: secret, store: store)
        }
        return try RESTAPI.authenticate(request, store: store)
    }

    static func render(_ scope: TokenScope, in db: Database) throws -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>ddnslab: \(escape(scope.account.name))</title>
            <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}\
            td,th{border:1px solid #999;padding:.2em .5em;text-align:left}</style></head>
            <body>
            <h1>Account \(escape(scope.account.name))</h1>
            <h2>Domains</h2>
            <table><thead><tr><th>Domain</th><th>IPv4</th><th>IPv6</th><th>Last update</th></tr></thead><tbody>

            """
        for summary in try WebStore.domainSummaries(ofAccount: scope.account.id, in: db) where scope.sees(summary.domain) {
            let domain = summary.domain
            let addresses = try WebStore.addresses(at: domain.name, zoneID: domain.zoneID, in: db)
            let last = try WebStore.lastUpdate(ofDomain: domain.id, in: db)
            let cells = [
                APINames.text(domain.name),
                addresses.a.map { $0.rdatas.map(\.description).joined(separator: ", ") } ?? "",
                addresses.aaaa.map { $0.rdatas.map(\.description).joined(separator: ", ") } ?? "",
                last.map { APITime.timestamp(unixSeconds: $0) } ?? "never",
            ]
            html += row(cells)
        }
        html += """
            </tbody></table>
            <h2>Last \(logRows) updates</h2>
            <table><thead><tr><th>Time</th><th>Host</th><th>Client</th><th>Via</th><th>Result</th><th>Content</th>\
            <th>Serial</th></tr></thead><tbody>

            """
        let domainID = scope.isAccountWide ? nil : scope.domain?.id
        let hostname = scope.kind == .record ? scope.recordHostname : nil
        for (entry, _) in try WebStore.logRows(ofAccount: scope.account.id, domainID: domainID, hostname: hostname,
                                               limit: logRows, in: db) {
            html += row([APITime.timestamp(unixSeconds: entry.unixSeconds), entry.hostname, entry.peer, entry.dialect,
                         entry.result, entry.content, String(entry.serial)])
        }
        return html + "</tbody></table>\n</body></html>\n"
    }

    static func row(_ cells: [String]) -> String {
        "<tr>" + cells.map { "<td>" + escape($0) + "</td>" }.joined() + "</tr>\n"
    }

    /// `text` safe in HTML element content and quoted attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\u{00}"..."\u{08}", "\u{0B}", "\u{0C}", "\u{0E}"..."\u{1F}", "\u{7F}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}
