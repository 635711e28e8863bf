import HTTPWire
import Testing

@Test func headerLookupIgnoresCase() {
    let request = HTTPRequest(method: "GET", target: "/", path: "/", query: [], headers: [HTTPHeader("Host", "a"), HTTPHeader("host", "b")])
    #expect(request.headerValues("HOST") == ["a", "b"])
}
