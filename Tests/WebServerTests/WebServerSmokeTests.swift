import Testing
import WebServer

@Test func configurationDefaultsFollowIPv64() {
    let config = WebServerConfig(providerZones: [], epochSeconds: 0)
    #expect(config.requestsPerWindow == 3)
    #expect(config.maxHostsPerRequest == 20)
}
