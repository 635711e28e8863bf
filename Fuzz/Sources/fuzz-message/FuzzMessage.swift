import DNSWire

/// libFuzzer entry point: decode arbitrary bytes as a DNS message, and for every message that
/// decodes, check that encode -> decode gives the same message (and that the second encoding is
/// byte-identical to the first). Any trap is a finding; findings become DNSWireTests cases.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let message = try? Message(wire: bytes) else { return 0 }
    let encoded: [UInt8]
    do {
        encoded = try message.wire()
    } catch {
        // A decoded message always fits again: names are not longer once compressed by us.
        fatalError("decoded message failed to encode: \(error)")
    }
    guard let again = try? Message(wire: encoded) else { fatalError("our encoding does not decode") }
    guard again == message else { fatalError("decode -> encode -> decode changed the message") }
    guard let reencoded = try? again.wire(), reencoded == encoded else { fatalError("encoding is not stable") }
    return 0
}
