import ArgumentParser
import Crypto
import EvidenceBundle
import Foundation

/// `extriage keygen`: make an Ed25519 key pair for signing bundles and custody events.
struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create an Ed25519 signing key pair (NAME.key, mode 0600, and NAME.pub).",
        discussion: """
            Both files are PEM (PKCS#8 and SubjectPublicKeyInfo). The fingerprint is the SHA-256 of the raw public key. \
            Exit codes: 0 written; 1 a key file already exists or cannot be written.
            """)

    @Option(name: .long, help: ArgumentHelp("Base name of the key files.", valueName: "name"))
    var out: String

    func run() throws {
        let key = Curve25519.Signing.PrivateKey()
        let (privatePath, publicPath) = try SigningKeys.writeKeyPair(key, base: out)
        print("private key: \(privatePath) (keep it secret; mode 0600)")
        print("public key:  \(publicPath) (give it to the lab)")
        print("fingerprint: \(SigningKeys.fingerprint(key.publicKey))")
    }
}
