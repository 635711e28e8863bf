import Testing
@testable import WebServer

@Test func moduleBuilds() {
    _ = WebServerModule.self
}
