import HTTPWire
import Testing

@Suite struct CredentialsTests {
    @Test(arguments: [
        ("Basic dXNlcjpwYXNz", HTTPCredentials.basic(user: "user", password: "pass")),
        ("basic dXNlcjpwYXNz", .basic(user: "user", password: "pass")),
        ("BASIC   dXNlcjpwYXNz  ", .basic(user: "user", password: "pass")),
        ("Basic dXNlcjpwYTpzcw==", .basic(user: "user", password: "pa:ss")),
        ("Basic dXNlcjo=", .basic(user: "user", password: "")),
        ("Basic dXNlcjo", .basic(user: "user", password: "")),
        ("Basic dXNlcg==", .basic(user: "user", password: "")),
        ("Basic w6l0w6k6cMOkc3M=", .basic(user: "été", password: "päss")),
        ("Bearer abc.def-123", .bearer("abc.def-123")),
        ("bearer abc", .bearer("abc")),
        ("Token abc", .bearer("abc")),
        ("TOKEN abc", .bearer("abc")),
        ("Authorization: Bearer abc", .bearer("abc")),
        ("authorization:Bearer abc", .bearer("abc")),
        ("Authorization: Authorization: Bearer abc", .bearer("abc")),
    ])
    func parsesLeniently(value: String, expected: HTTPCredentials) {
        #expect(HTTPCredentials.parse(authorization: value) == expected)
    }

    @Test(arguments: [
        "", "Basic", "Basic ", "Bearer", "Bearer   ", "Digest username=x", "Basic !!!!", "Basic dXNlcjpwYXNz!",
        "dXNlcjpwYXNz",
    ])
    func refusesWhatIsNotCredentials(value: String) {
        #expect(HTTPCredentials.parse(authorization: value) == nil)
    }

    @Test func basicWithoutUTF8KeepsTheBytesAsUser() {
        let value = "Basic " + Base64.encode([0x75, 0xFF, 0x3A, 0x70])
        guard case .basic(let user, let password) = HTTPCredentials.parse(authorization: value) else {
            Issue.record("not basic")
            return
        }
        #expect(user == String(decoding: [0x75, 0xFF, 0x3A, 0x70], as: UTF8.self))
        #expect(password == "")
    }

    @Test func requestCredentialsInOrder() throws {
        let request = try HTTPRequestParser.parse(
            crlf(
                """
                GET /nic/update HTTP/1.1
                Authorization: Authorization: Bearer key-1
                authorization: Negotiate xyz
                AUTHORIZATION: Basic dXNlcjpwYXNz


                """))
        #expect(request.credentials == [.bearer("key-1"), .basic(user: "user", password: "pass")])
    }

    @Test func authorizationValueRoundTrips() {
        for credentials: HTTPCredentials in [.basic(user: "u@example.org", password: "p:w é"), .bearer("t0k")] {
            #expect(HTTPCredentials.parse(authorization: credentials.authorizationValue) == credentials)
        }
    }

    @Test(arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ])
    func base64RFC4648Vectors(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(Base64.decode(encoded) == Array(plain.utf8))
        let unpadded = String(encoded.prefix { $0 != "=" })
        #expect(Base64.decode(unpadded) == Array(plain.utf8))
    }

    @Test(arguments: [
        "Z", "Zg=", "Zg===", "Z===", "Zm9v YmFy", "Zm9v\n", "Zm-v", "Zm_v", "=Zm9", "Zg==Zg==", "Zm9v=", "é",
    ])
    func base64RefusesGarbage(text: String) {
        #expect(Base64.decode(text) == nil)
    }

    @Test func base64AllByteValues() {
        let bytes = (0...255).map { UInt8($0) }
        let encoded = Base64.encode(bytes)
        #expect(encoded.contains("+") && encoded.contains("/"))
        #expect(Base64.decode(encoded) == bytes)
        for length in 0..<8 {
            #expect(Base64.decode(Base64.encode(Array(bytes.prefix(length)))) == Array(bytes.prefix(length)))
        }
    }
}
