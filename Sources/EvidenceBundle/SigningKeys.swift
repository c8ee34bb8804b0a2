#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import ExTriageCore
import Foundation

/// Ed25519 keys for signing manifests and custody events, stored as standard PEM
/// (PKCS#8 `PRIVATE KEY`, SubjectPublicKeyInfo `PUBLIC KEY`) so OpenSSL can read them too.
///
/// A key's fingerprint is the SHA-256 of its raw 32-byte public key, in hex.
public enum SigningKeys {
    /// DER prefixes of the fixed-size Ed25519 PKCS#8 and SPKI structures (RFC 8410).
    static let privatePrefix: [UInt8] = [0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]
    static let publicPrefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]

    public static func fingerprint(_ key: Curve25519.Signing.PublicKey) -> String {
        sha256Hex(Array(key.rawRepresentation))
    }

    public static func privatePEM(_ key: Curve25519.Signing.PrivateKey) -> String {
        pem("PRIVATE KEY", privatePrefix + Array(key.rawRepresentation))
    }

    public static func publicPEM(_ key: Curve25519.Signing.PublicKey) -> String {
        pem("PUBLIC KEY", publicPrefix + Array(key.rawRepresentation))
    }

    public static func privateKey(pem text: String, path: String) throws -> Curve25519.Signing.PrivateKey {
        guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: try rawKey(text, "PRIVATE KEY", privatePrefix, path)) else {
            throw ExTriageError(.invalidArgument, "not an Ed25519 private key (PKCS#8 PEM)", path: path)
        }
        return key
    }

    public static func publicKey(pem text: String, path: String) throws -> Curve25519.Signing.PublicKey {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: try rawKey(text, "PUBLIC KEY", publicPrefix, path)) else {
            throw ExTriageError(.invalidArgument, "not an Ed25519 public key (PEM)", path: path)
        }
        return key
    }

    /// The 32 key bytes of a PEM block with this label and fixed DER prefix; empty when the shape is wrong.
    static func rawKey(_ text: String, _ label: String, _ prefix: [UInt8], _ path: String) throws -> [UInt8] {
        let der = try decodePEM(text, label: label, path: path)
        guard der.count == prefix.count + 32, Array(der.prefix(prefix.count)) == prefix else { return [] }
        return Array(der.suffix(32))
    }

    /// Reads a private key file, refusing one that others may read.
    public static func loadPrivateKey(path: String) throws -> Curve25519.Signing.PrivateKey {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ExTriageError(.invalidArgument, "cannot read the signing key", path: path, cause: String(cString: strerror(errno)))
        }
        guard info.st_mode & 0o077 == 0 else {
            throw ExTriageError(.invalidArgument, "the signing key is readable by others; run chmod 600 on it", path: path)
        }
        return try privateKey(pem: try readText(path), path: path)
    }

    public static func loadPublicKey(path: String) throws -> Curve25519.Signing.PublicKey {
        try publicKey(pem: try readText(path), path: path)
    }

    /// Writes `<base>.key` (mode 0600) and `<base>.pub`; refuses to replace existing files.
    public static func writeKeyPair(_ key: Curve25519.Signing.PrivateKey, base: String) throws -> (privatePath: String, publicPath: String) {
        let privatePath = base + ".key", publicPath = base + ".pub"
        for path in [privatePath, publicPath] where FileManager.default.fileExists(atPath: path) {
            throw ExTriageError(.outputExists, "a key file already exists; choose another name", path: path)
        }
        try writeNew(privatePath, Array(privatePEM(key).utf8), mode: 0o600)
        try writeNew(publicPath, Array(publicPEM(key.publicKey).utf8), mode: 0o644)
        return (privatePath, publicPath)
    }

    static func pem(_ label: String, _ der: [UInt8]) -> String {
        "-----BEGIN \(label)-----\n\(Data(der).base64EncodedString())\n-----END \(label)-----\n"
    }

    static func decodePEM(_ text: String, label: String, path: String) throws -> [UInt8] {
        let begin = "-----BEGIN \(label)-----", end = "-----END \(label)-----"
        guard let start = text.range(of: begin), let stop = text.range(of: end), start.upperBound <= stop.lowerBound,
              let der = Data(base64Encoded: text[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }) else {
            throw ExTriageError(.invalidArgument, "not a PEM \(label.lowercased()) file", path: path)
        }
        return Array(der)
    }

    static func readText(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path), data.count < 64 * 1024 else {
            throw ExTriageError(.invalidArgument, "cannot read the key file", path: path)
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func writeNew(_ path: String, _ bytes: [UInt8], mode: mode_t) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard descriptor >= 0 else {
            throw ExTriageError(.outputUnwritable, "cannot create the key file", path: path, cause: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        fchmod(descriptor, mode)
        guard bytes.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) == bytes.count, fsync(descriptor) == 0 else {
            throw ExTriageError(.outputUnwritable, "cannot write the key file", path: path, cause: String(cString: strerror(errno)))
        }
    }
}

/// An Ed25519 private key that can travel in `Sendable` requests (the key is an immutable value).
public struct SigningKey: @unchecked Sendable {
    public let key: Curve25519.Signing.PrivateKey
    public init(_ key: Curve25519.Signing.PrivateKey) { self.key = key }
    public var fingerprint: String { SigningKeys.fingerprint(key.publicKey) }
}
