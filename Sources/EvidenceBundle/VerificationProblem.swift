import ExTriageCore

extension VerificationReport.Problem {
    /// What kind of thing is wrong; the raw value is the `kind` written by `verify --json`.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        // Reading the tar.
        case notABundle = "not-a-bundle"
        case memberAfterSignature = "member-after-signature"
        case unexpectedMemberType = "unexpected-member-type"
        case duplicateMember = "duplicate-member"
        case memberAfterManifest = "member-after-manifest"
        case trailingData = "trailing-data"
        case truncated
        case sparseMember = "sparse-member"
        // The manifest against the members.
        case manifestMissing = "manifest-missing"
        case manifestInvalid = "manifest-invalid"
        case manifestDuplicateEntry = "manifest-duplicate-entry"
        case unsafeMemberPath = "unsafe-member-path"
        case missingMember = "missing-member"
        case unlistedMember = "unlisted-member"
        case sizeMismatch = "size-mismatch"
        case hashMismatch = "hash-mismatch"
        case orderMismatch = "order-mismatch"
        case sealMismatch = "seal-mismatch"
        case memberCount = "member-count"
        case headerMismatch = "header-mismatch"
        // The signature.
        case signatureMissing = "signature-missing"
        case signatureInvalid = "signature-invalid"
        case signatureAlgorithm = "signature-algorithm"
        case signerChanged = "signer-changed"
        // Records kept beside the bundle.
        case bundleChanged = "bundle-changed"
        case custodySignerMismatch = "custody-signer-mismatch"
        case custodyNotAsRecorded = "custody-not-as-recorded"
        case sidecarMismatch = "sidecar-mismatch"
    }

    init(_ kind: Kind, member: String? = nil, expected: String? = nil, found: String? = nil, _ message: String) {
        self.init(kind: kind, member: member, expected: expected, found: found, message: message)
    }

    private static func shown(_ path: String) -> String { EscapedText.display(path) }

    // MARK: Reading the tar

    static func notATar(_ error: any Error) -> Self { .init(.notABundle, "\(error)") }

    static func notABundle() -> Self {
        .init(.notABundle, "no manifest.json and no evidence members: this tar is not an extriage bundle")
    }

    static func memberAfterSignature(_ path: String) -> Self {
        .init(.memberAfterSignature, member: path, "member '\(shown(path))' follows manifest.sig")
    }

    static func unexpectedMemberType(_ path: String, _ kind: MemberHeader.Kind) -> Self {
        .init(.unexpectedMemberType, member: path, found: kind.rawValue,
              "member '\(shown(path))' is a \(kind.rawValue), not a regular file")
    }

    static func duplicateManifest() -> Self {
        .init(.duplicateMember, member: Manifest.memberName, "manifest.json appears twice")
    }

    static func memberAfterManifest(_ path: String) -> Self {
        .init(.memberAfterManifest, member: path, "member '\(shown(path))' follows manifest.json")
    }

    static func trailingData() -> Self {
        .init(.trailingData, "data follows the end of the tar archive (appended content is not part of the bundle)")
    }

    static func truncated(after members: Int, lastMember: String?, _ error: any Error) -> Self {
        .init(.truncated, member: lastMember, "the bundle is damaged or truncated after \(members) members: \(error)")
    }

    /// Refused from its header: a sparse map, extriage never writes one.
    static func sparseMember(_ path: String, claimedSize: Int64) -> Self {
        .init(.sparseMember, member: path, expected: "a regular member", found: "sparse, claiming \(claimedSize) bytes",
              "member '\(shown(path))' is a sparse file; extriage never writes sparse members, so it was not read")
    }

    /// Refused while reading: its data has a hole (e.g. a sparse map past the member's end).
    static func sparseMember(_ path: String, detail: String) -> Self {
        .init(.sparseMember, member: path, expected: "a regular member", found: detail,
              "member '\(shown(path))' is a sparse file; extriage never writes sparse members, so it was not read further")
    }

    // MARK: The manifest against the members

    static func manifestTooLarge(claimedSize: Int64, limit: Int = ManifestCodec.maximumSize) -> Self {
        .init(.manifestInvalid, member: Manifest.memberName, expected: "at most \(ByteCount.format(UInt64(limit)))",
              found: ByteCount.format(UInt64(max(0, claimedSize))),
              "manifest.json is larger than extriage reads, so it was not read")
    }

    /// A manifest entry (or member) whose path could leave the unpack directory or be misread.
    static func unsafeMemberPath(_ path: String, reason: String) -> Self {
        .init(.unsafeMemberPath, member: path, found: reason,
              "member path '\(shown(path))' is unsafe (\(reason)); evidence members are relative paths under evidence/")
    }

    static func manifestMissing() -> Self {
        .init(.manifestMissing, member: Manifest.memberName,
              "manifest.json is missing: the bundle was truncated (possibly at a member boundary) or never finished")
    }

    static func manifestInvalid(_ error: any Error) -> Self {
        .init(.manifestInvalid, member: Manifest.memberName, "\(error)")
    }

    static func duplicateMember(_ path: String, times: Int) -> Self {
        .init(.duplicateMember, member: path, found: "\(times) times", "member '\(shown(path))' appears \(times) times")
    }

    static func manifestDuplicateEntry() -> Self {
        .init(.manifestDuplicateEntry, "the manifest lists a path more than once")
    }

    static func missingMember(_ path: String, sha256: String) -> Self {
        .init(.missingMember, member: path, expected: sha256, found: "absent",
              "member '\(shown(path))' is listed in the manifest but not in the bundle")
    }

    static func unlistedMember(_ path: String, sha256: String) -> Self {
        .init(.unlistedMember, member: path, expected: "absent", found: sha256,
              "member '\(shown(path))' is in the bundle but not in the manifest")
    }

    static func sizeMismatch(_ path: String, expected: UInt64, found: Int64) -> Self {
        .init(.sizeMismatch, member: path, expected: "\(expected)", found: "\(found)", "member '\(shown(path))' size differs")
    }

    /// `digest` names the algorithm: `sha256`, `sha1` or `md5`.
    static func hashMismatch(_ path: String, digest: String, expected: String, found: String) -> Self {
        .init(.hashMismatch, member: path, expected: expected, found: found, "member '\(shown(path))' \(digest) differs")
    }

    /// `position` counts from 0; the message counts from 1.
    static func orderMismatch(at position: Int, listed: String, seen: String) -> Self {
        .init(.orderMismatch, member: seen, expected: listed, found: seen,
              "members are not in manifest order from position \(position + 1)")
    }

    static func sealMismatch(recorded: String, recomputed: String) -> Self {
        .init(.sealMismatch, member: Manifest.memberName, expected: recorded, found: recomputed,
              "the manifest's seal does not match its own entries")
    }

    static func memberCount(sealed: Int, found: Int) -> Self {
        .init(.memberCount, expected: "\(sealed)", found: "\(found)", "the number of evidence members differs from the seal")
    }

    static func headerMismatch(_ path: String, differences: [String]) -> Self {
        .init(.headerMismatch, member: path, expected: "as written by extriage", found: differences.joined(separator: ", "),
              "member '\(shown(path))' has a rewritten tar header")
    }

    // MARK: The signature

    static func signatureMissing(expectedSigner: String) -> Self {
        .init(.signatureMissing, member: ManifestSignature.memberName, expected: expectedSigner, found: "absent",
              "manifest.sig is missing, but the custody log says the bundle was signed")
    }

    static func signatureUnreadable() -> Self {
        .init(.signatureInvalid, member: ManifestSignature.memberName, "manifest.sig cannot be read")
    }

    static func signatureInvalid(signedSha256: String, manifestSha256: String) -> Self {
        .init(.signatureInvalid, member: ManifestSignature.memberName, expected: signedSha256, found: manifestSha256,
              "the signature does not match manifest.json: the manifest was changed after signing")
    }

    static func signatureAlgorithm(_ algorithm: String) -> Self {
        let name = algorithm.count > 64 ? String(algorithm.prefix(64)) + "…" : algorithm
        return .init(.signatureAlgorithm, member: ManifestSignature.memberName, expected: "ed25519", found: name,
                     "signature algorithm '\(shown(name))' is not supported; extriage signs with Ed25519")
    }

    static func signerChanged(recorded: String, found: String) -> Self {
        .init(.signerChanged, member: ManifestSignature.memberName, expected: recorded, found: found,
              "signed by another key than the one the custody log records")
    }

    // MARK: Records kept beside the bundle

    static func bundleChanged(recorded: String, computed: String) -> Self {
        .init(.bundleChanged, expected: recorded, found: computed,
              "the bundle's SHA-256 differs from the one recorded when it was collected (custody log, event 1)")
    }

    static func custodySignerMismatch(manifestSigner: String, eventSigner: String) -> Self {
        .init(.custodySignerMismatch, expected: manifestSigner, found: eventSigner,
              "the custody log's collected event is signed by another key than the manifest it names")
    }

    static func custodyNotAsRecorded(_ message: String) -> Self {
        .init(.custodyNotAsRecorded, "custody log: \(message)")
    }

    static func sidecarMismatch(sidecarName: String, recorded: String, computed: String?) -> Self {
        .init(.sidecarMismatch, expected: recorded, found: computed, "the bundle's SHA-256 differs from \(sidecarName)")
    }
}

extension VerificationReport.Problem.Kind {
    /// What many problems of this kind say together, after their count: "455 members have rewritten tar headers".
    public var summaryPhrase: String {
        switch self {
        case .notABundle: return "problems show this is not an extriage bundle"
        case .memberAfterSignature: return "members follow manifest.sig"
        case .unexpectedMemberType: return "members are not regular files"
        case .duplicateMember: return "members appear more than once"
        case .memberAfterManifest: return "members follow manifest.json"
        case .trailingData: return "blocks of data follow the end of the archive"
        case .truncated: return "members are cut short"
        case .sparseMember: return "members are sparse files"
        case .manifestMissing: return "manifests are missing"
        case .manifestInvalid: return "problems make the manifest unreadable"
        case .manifestDuplicateEntry: return "paths are listed more than once in the manifest"
        case .unsafeMemberPath: return "member paths are unsafe"
        case .missingMember: return "members listed in the manifest are not in the bundle"
        case .unlistedMember: return "members are in the bundle but not in the manifest"
        case .sizeMismatch: return "members have another size than the manifest records"
        case .hashMismatch: return "member digests differ from the manifest"
        case .orderMismatch: return "members are out of manifest order"
        case .sealMismatch: return "seals do not match"
        case .memberCount: return "member counts differ from the seal"
        case .headerMismatch: return "members have rewritten tar headers"
        case .signatureMissing: return "signatures are missing"
        case .signatureInvalid: return "signatures do not verify"
        case .signatureAlgorithm: return "signatures use an unsupported algorithm"
        case .signerChanged: return "signers differ from the custody log"
        case .bundleChanged: return "bundle hashes differ from the custody log"
        case .custodySignerMismatch: return "custody signers differ from the manifest's"
        case .custodyNotAsRecorded: return "custody log differences from what was recorded"
        case .sidecarMismatch: return "sidecar hashes differ"
        }
    }
}

extension VerificationReport {
    /// Problems of one kind, in the order first seen, for a summary line per kind.
    public struct ProblemGroup: Sendable {
        public var kind: Problem.Kind
        public var problems: [Problem]
    }

    /// The problems grouped by kind, kinds in the order their first problem appears.
    public var problemGroups: [ProblemGroup] {
        var groups: [ProblemGroup] = []
        var position: [Problem.Kind: Int] = [:]
        for problem in problems {
            if let index = position[problem.kind] {
                groups[index].problems.append(problem)
            } else {
                position[problem.kind] = groups.count
                groups.append(ProblemGroup(kind: problem.kind, problems: [problem]))
            }
        }
        return groups
    }
}
