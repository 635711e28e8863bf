import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// The TLS identity of the DoT and DoH frontends: a given certificate and key, or a self-signed
/// one made on first run and kept in the data folder (`tls/cert.pem`, `tls/key.pem`).
public struct LiveCertificate: Sendable {
    public var certificatePath: String
    public var keyPath: String
    /// True when this start made the pair.
    public var made: Bool

    /// The pair at `certificate`/`key` if given, else the data folder's, made when missing.
    public static func resolve(certificate: String?, key: String?, dataFolder: String, subjectAddresses: [[UInt8]])
        throws -> LiveCertificate
    {
        if let certificate, let key { return LiveCertificate(certificatePath: certificate, keyPath: key, made: false) }
        let folder = dataFolder + "/tls"
        let certificatePath = folder + "/cert.pem"
        let keyPath = folder + "/key.pem"
        let files = FileManager.default
        if files.fileExists(atPath: certificatePath) && files.fileExists(atPath: keyPath) {
            return LiveCertificate(certificatePath: certificatePath, keyPath: keyPath, made: false)
        }
        try files.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let (certificatePEM, keyPEM) = try makeSelfSigned(addresses: subjectAddresses)
        guard files.createFile(atPath: keyPath, contents: Data(keyPEM.utf8), attributes: [.posixPermissions: 0o600]),
              files.createFile(atPath: certificatePath, contents: Data(certificatePEM.utf8)) else {
            throw CocoaError(.fileWriteUnknown)
        }
        return LiveCertificate(certificatePath: certificatePath, keyPath: keyPath, made: true)
    }

    /// A P-256 key and a certificate for it signed by itself: CN "ddnslab live", names localhost
    /// and the frontends' addresses, valid from an hour ago for ten years.
    static func makeSelfSigned(addresses: [[UInt8]]) throws -> (certificate: String, key: String) {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("ddnslab live") }
        let now = Date()
        let names = [GeneralName.dnsName("localhost")] + addresses.map { GeneralName.ipAddress(ASN1OctetString(contentBytes: $0[...])) }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: now - 3600, notValidAfter: now + 10 * 365 * 86_400, issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                SubjectAlternativeNames(names)
                try ExtendedKeyUsage([.serverAuth])
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
        return (try certificate.serializeAsPEM().pemString, key.pemRepresentation)
    }

    /// A server TLS configuration for this pair, offering `alpn`.
    func serverConfiguration(alpn: [String]) throws -> TLSConfiguration {
        let chain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { NIOSSLCertificateSource.certificate($0) }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: keyPath, format: .pem)))
        configuration.applicationProtocols = alpn
        return configuration
    }
}
