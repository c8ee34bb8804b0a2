import Crypto
import ExTriageCore
import Foundation

/// `manifest.sig`, the bundle's last member: an Ed25519 signature binding `manifest.json`, with
/// the signer's public key, fingerprint and the signing time.
///
/// Version 2 (what `collect` writes) signs `extriage-manifest-v2 NUL <signedAt> NUL <manifestSha256>`,
/// the manifest's SHA-256 in hex, so a manifest streamed into the tar is never held whole (Ed25519
/// needs its whole message at once); the bytes are bound through `manifestSha256`. Version 1,
/// still verified, signs `extriage-manifest-v1 NUL <signedAt> NUL <manifest bytes>`. Either way the
/// signing time cannot be changed without breaking the signature.
public struct ManifestSignature: Codable, Sendable, Equatable {
    public static let memberName = "manifest.sig"
    static let context = "extriage-manifest-v1"
    static let digestContext = "extriage-manifest-v2"
    /// The one algorithm extriage signs and verifies with.
    public static let algorithmName = "ed25519"

    public var schemaVersion: Int
    public var algorithm: String
    /// Base64 of the raw 32-byte Ed25519 public key.
    public var publicKey: String
    public var fingerprint: String
    public var signedAt: Timestamp
    public var manifestSha256: String
    /// Base64 of the 64-byte signature.
    public var signature: String

    public static func sign(manifest: [UInt8], with key: Curve25519.Signing.PrivateKey, at time: Timestamp) throws -> ManifestSignature {
        let signature = try key.signature(for: message(manifest, time))
        return ManifestSignature(schemaVersion: 1, algorithm: algorithmName,
                                 publicKey: key.publicKey.rawRepresentation.base64EncodedString(),
                                 fingerprint: SigningKeys.fingerprint(key.publicKey), signedAt: time,
                                 manifestSha256: sha256Hex(manifest), signature: signature.base64EncodedString())
    }

    /// A version 2 signature over the manifest's SHA-256 (hex), computed while it was written.
    public static func sign(manifestSha256: String, with key: Curve25519.Signing.PrivateKey, at time: Timestamp) throws -> ManifestSignature {
        let signature = try key.signature(for: digestMessage(manifestSha256, time))
        return ManifestSignature(schemaVersion: 2, algorithm: algorithmName,
                                 publicKey: key.publicKey.rawRepresentation.base64EncodedString(),
                                 fingerprint: SigningKeys.fingerprint(key.publicKey), signedAt: time,
                                 manifestSha256: manifestSha256, signature: signature.base64EncodedString())
    }

    /// Whether the signature is valid for these manifest bytes, with the key it names (either version).
    public func isValid(for manifest: [UInt8]) -> Bool {
        switch schemaVersion {
        case 1:
            return isValidSignature(over: ManifestSignature.message(manifest, signedAt))
        case 2:
            return isValid(manifestSha256: sha256Hex(manifest))
        default:
            return false
        }
    }

    /// Whether a version 2 signature is valid for a manifest whose SHA-256 (hex) is `computed`.
    public func isValid(manifestSha256 computed: String) -> Bool {
        schemaVersion == 2 && manifestSha256 == computed
            && isValidSignature(over: ManifestSignature.digestMessage(manifestSha256, signedAt))
    }

    private func isValidSignature(over message: Data) -> Bool {
        guard algorithm == ManifestSignature.algorithmName, let key = signerKey, SigningKeys.fingerprint(key) == fingerprint,
              let signatureBytes = Data(base64Encoded: signature) else { return false }
        return key.isValidSignature(signatureBytes, for: message)
    }

    static func digestMessage(_ manifestSha256: String, _ time: Timestamp) -> Data {
        Data(Array(digestContext.utf8) + [0] + Array(time.iso8601.utf8) + [0] + Array(manifestSha256.utf8))
    }

    public var signerKey: Curve25519.Signing.PublicKey? {
        Data(base64Encoded: publicKey).flatMap { try? Curve25519.Signing.PublicKey(rawRepresentation: $0) }
    }

    /// Built in one buffer: a manifest of hundreds of MiB is copied once, not once per `+`.
    static func message(_ manifest: [UInt8], _ time: Timestamp) -> Data {
        var message = Data(capacity: context.utf8.count + time.iso8601.utf8.count + 2 + manifest.count)
        message.append(contentsOf: Array(context.utf8) + [0] + Array(time.iso8601.utf8) + [0])
        message.append(contentsOf: manifest)
        return message
    }

    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [0x0A]
    }

    public static func decode(_ bytes: [UInt8]) throws -> ManifestSignature {
        guard bytes.count < 64 * 1024, let value = try? JSONDecoder().decode(ManifestSignature.self, from: Data(bytes)) else {
            throw ExTriageError(.notABundle, "manifest.sig is not a valid signature record")
        }
        return value
    }
}
