import ExTriageCore

/// The outcome of checking a bundle: is it exactly what was collected, and who signed it?
public struct VerificationReport: Codable, Sendable {
    /// The overall answer.
    public enum Verdict: String, Codable, Sendable {
        /// Every check passed and a valid signature is present.
        case intactSigned = "intact-signed"
        /// Every check passed; there is no signature.
        case intactUnsigned = "intact-unsigned"
        /// Something was added, removed, reordered, truncated or edited.
        case notIntact = "not-intact"
        /// Not an extriage bundle at all.
        case notABundle = "not-a-bundle"
    }

    /// One thing found wrong, with the member it concerns and what was expected and found.
    ///
    /// Made by the named constructors in `VerificationProblem.swift`, which hold every message.
    public struct Problem: Codable, Sendable, Equatable {
        public var kind: Kind
        public var member: String?
        public var expected: String?
        public var found: String?
        public var message: String
    }

    public struct SignatureResult: Codable, Sendable {
        public var present: Bool
        public var valid: Bool
        public var fingerprint: String?
        public var signedAt: Timestamp?
        /// True only for a valid signature by one of the trusted keys given.
        public var trusted: Bool
        /// Whether trusted keys were given, so an untrusted or missing signature fails (exit 4).
        public var trustRequired: Bool
    }

    public var bundle: String
    public var bundleSha256: String?
    public var bundleBytes: UInt64?
    /// `matches`, `mismatch`, `absent`, or `not checked` (the bundle file could not be read whole).
    public var sidecar: String
    public var members: Int
    public var manifest: Manifest?
    public var signature: SignatureResult
    public var problems: [Problem]
    /// Things worth knowing that do not by themselves make the bundle not intact
    /// (no custody log, a custody log that does not check out).
    public var warnings: [String]
    public var verdict: Verdict
    /// The member digests recomputed and compared: all three, or `sha256` alone (`analyze`).
    public var digestsChecked: [String] = ["sha256", "sha1", "md5"]
    /// The custody log's event count (lines) and head (SHA-256 of its last line), when it was read:
    /// what a receiver records to detect lines cut from its end later.
    public var custodyEvents: Int?
    public var custodyHeadSha256: String?

    /// One line for people: `intact and signed by <fp> (trusted)`, `intact, unsigned`, `NOT INTACT`.
    public var verdictText: String {
        switch verdict {
        case .intactSigned:
            return "intact and signed by \(signature.fingerprint ?? "?") (\(signature.trusted ? "trusted" : "untrusted"))"
        case .intactUnsigned: return "intact, unsigned"
        case .notIntact: return "NOT INTACT"
        case .notABundle: return "NOT A BUNDLE"
        }
    }

    /// Exit code: 0 intact (and trusted when keys were given), 3 not intact, 4 untrusted or
    /// unsigned where a trusted signer was required, 5 not a bundle.
    public var exitStatus: Int32 {
        switch verdict {
        case .notABundle: return 5
        case .notIntact: return 3
        case .intactSigned, .intactUnsigned: return signature.trustRequired && !signature.trusted ? 4 : 0
        }
    }
}
