import Crypto
import ExTriageCore

/// Verification step 3: `manifest.sig` against the manifest bytes, the trusted keys and the
/// signer the custody log recorded at collection.
struct SignatureCheck {
    typealias Problem = VerificationReport.Problem

    let trustedFingerprints: Set<String>
    /// Trusted keys were given, so only a valid signature by one of them is trusted (exit 4 otherwise).
    let trustRequired: Bool

    init(trustedKeys: [Curve25519.Signing.PublicKey]) {
        trustedFingerprints = Set(trustedKeys.map(SigningKeys.fingerprint))
        trustRequired = !trustedKeys.isEmpty
    }

    /// What the signature says, and what is wrong with it. `expectedSigner` is the fingerprint
    /// the custody log recorded, when it is relied on.
    func check(signature bytes: [UInt8]?, manifest manifestBytes: [UInt8],
               expectedSigner: String?) -> (result: VerificationReport.SignatureResult, problems: [Problem]) {
        check(signature: bytes, manifest: ManifestBytes(manifestBytes), expectedSigner: expectedSigner)
    }

    func check(signature bytes: [UInt8]?, manifest manifestBytes: ManifestBytes,
               expectedSigner: String?) -> (result: VerificationReport.SignatureResult, problems: [Problem]) {
        var result = VerificationReport.SignatureResult(present: false, valid: false, trusted: false, trustRequired: trustRequired)
        guard let bytes else {
            return (result, expectedSigner.map { [.signatureMissing(expectedSigner: $0)] } ?? [])
        }
        result.present = true
        guard let signature = try? ManifestSignature.decode(bytes) else {
            return (result, [.signatureUnreadable()])
        }
        guard signature.algorithm == ManifestSignature.algorithmName else {
            // Nothing to check the bytes with: say so, rather than that the manifest changed.
            result.fingerprint = signature.fingerprint
            return (result, [.signatureAlgorithm(signature.algorithm)])
        }
        // Version 2 needs only the digest computed while reading; version 1 the whole bytes.
        let valid = signature.schemaVersion == 1 ? signature.isValid(for: manifestBytes.array)
                                                 : signature.isValid(manifestSha256: manifestBytes.sha256)
        result = .init(present: true, valid: valid, fingerprint: signature.fingerprint, signedAt: signature.signedAt,
                       trusted: valid && trustedFingerprints.contains(signature.fingerprint), trustRequired: trustRequired)
        var problems: [Problem] = []
        if !valid {
            problems.append(.signatureInvalid(signedSha256: signature.manifestSha256, manifestSha256: manifestBytes.sha256))
        }
        if let expectedSigner, expectedSigner != signature.fingerprint {
            problems.append(.signerChanged(recorded: expectedSigner, found: signature.fingerprint))
        }
        return (result, problems)
    }
}
