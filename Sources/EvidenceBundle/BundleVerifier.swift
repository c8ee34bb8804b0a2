#if canImport(Glibc)
import Glibc
#endif
import Crypto
import ExTriageCore
import Foundation

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
    public struct Problem: Codable, Sendable, Equatable {
        public var kind: String
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
    /// `matches`, `mismatch`, or `absent`.
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

/// Checks a bundle in one streaming read: every member against its manifest entry (SHA-256,
/// SHA-1, MD5, size), the member list and order, the seal, the signature and its trust, and the
/// `.sha256` sidecar. Nothing is written anywhere.
public struct BundleVerifier {
    public var trustedKeys: [Curve25519.Signing.PublicKey]
    /// Recompute only each member's SHA-256, not SHA-1 and MD5. Equal SHA-256 means equal bytes,
    /// so this proves the same integrity at about half the hashing; `verify` still does all three
    /// so that every digest a court may quote is shown to hold.
    public var sha256Only: Bool
    /// When set, an unsigned bundle is a failure of trust too (exit 4).
    public var requireTrustedSigner: Bool { !trustedKeys.isEmpty }

    public init(trustedKeys: [Curve25519.Signing.PublicKey] = [], sha256Only: Bool = false) {
        self.trustedKeys = trustedKeys
        self.sha256Only = sha256Only
    }

    /// The custody log's `collected` event, which binds the bundle's hash and signer at collection.
    struct CollectedRecord {
        var bundleSha256: String
        var manifestSigner: String?
        var eventSigner: String?
    }

    struct SeenMember {
        var path: String
        var size: Int64
        var digests: Digests
        var header: MemberHeader
    }

    public func verify(path: String) -> VerificationReport {
        verify(path: path, observer: nil)
    }

    /// Verifies while handing each evidence member's bytes to `observer` as they are hashed (the
    /// hashes run on other cores meanwhile), so a caller can analyze in the same single read.
    /// The observer learns only at the end, from the report, whether what it saw verified.
    public func verify(path: String, observer: (any MemberObserver)?) -> VerificationReport {
        var report = VerificationReport(bundle: path, bundleSha256: nil, bundleBytes: nil, sidecar: "absent", members: 0,
                                        manifest: nil,
                                        signature: .init(present: false, valid: false, trusted: false, trustRequired: requireTrustedSigner),
                                        problems: [], warnings: [], verdict: .notIntact)
        report.digestsChecked = sha256Only ? ["sha256"] : ["sha256", "sha1", "md5"]
        let collected = custodyRecord(path: path, report: &report)
        let problems = Problems()
        let problem = problems.add
        func finished() -> VerificationReport {
            var out = report
            out.problems = problems.items + report.problems
            return out
        }

        var seen: [SeenMember] = []
        var manifestBytes: [UInt8]?
        var signatureBytes: [UInt8]?
        var readingFailed = false
        let reader: TarReader
        do {
            reader = try TarReader(path: path)
        } catch {
            problem("not-a-bundle", nil, nil, nil, "\(error)")
            report.verdict = .notABundle
            return finished()
        }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        do {
            var index = 0
            while let header = try reader.next() {
                defer { index += 1 }
                if signatureBytes != nil {
                    problem("member-after-signature", header.path, nil, nil, "member '\(EscapedText.display(header.path))' follows manifest.sig")
                }
                guard header.kind == .file else {
                    problem("unexpected-member-type", header.path, nil, header.kind.rawValue,
                            "member '\(EscapedText.display(header.path))' is a \(header.kind.rawValue), not a regular file")
                    continue
                }
                if header.path == Manifest.memberName {
                    if manifestBytes != nil { problem("duplicate-member", header.path, nil, nil, "manifest.json appears twice") }
                    manifestBytes = try reader.readAll(limit: ManifestCodec.maximumSize)
                    continue
                }
                if header.path == ManifestSignature.memberName {
                    signatureBytes = try reader.readAll(limit: 64 * 1024)
                    continue
                }
                if manifestBytes != nil {
                    problem("member-after-manifest", header.path, nil, nil, "member '\(EscapedText.display(header.path))' follows manifest.json")
                }
                let hasher = ContentHasher(sha256Only: sha256Only)
                let observed = observer?.begin(member: header.path) ?? false
                while true {
                    let count = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
                    if count == 0 { break }
                    buffer.withUnsafeBytes { raw in
                        let chunk = UnsafeRawBufferPointer(rebasing: raw[0..<count])
                        if observed {
                            hasher.update(chunk) { observer?.consume(chunk) }
                        } else {
                            hasher.update(chunk)
                        }
                    }
                }
                if observed { observer?.end() }
                seen.append(SeenMember(path: header.path, size: header.size, digests: hasher.finalize(), header: header))
            }
            let file = try reader.finishFile()
            report.bundleSha256 = file.sha256
            report.bundleBytes = file.bytes
            if file.trailingData {
                problem("trailing-data", nil, nil, nil, "data follows the end of the tar archive (appended content is not part of the bundle)")
            }
        } catch {
            readingFailed = true
            problem("truncated", seen.last.map { $0.path }, nil, nil, "the bundle is damaged or truncated after \(seen.count) members: \(error)")
        }
        report.members = seen.count
        checkSidecar(path: path, report: &report)
        if let collected, let computed = report.bundleSha256, collected.bundleSha256 != computed {
            problem("bundle-changed", nil, collected.bundleSha256, computed,
                    "the bundle's SHA-256 differs from the one recorded when it was collected (custody log, event 1)")
        }

        guard let manifestBytes else {
            if !readingFailed && signatureBytes == nil && !seen.contains(where: { $0.path.hasPrefix("evidence/") }) {
                problem("not-a-bundle", nil, nil, nil, "no manifest.json and no evidence members: this tar is not an extriage bundle")
                report.verdict = .notABundle
            } else {
                problem("manifest-missing", Manifest.memberName, nil, nil,
                        "manifest.json is missing: the bundle was truncated (possibly at a member boundary) or never finished")
                report.verdict = .notIntact
            }
            return finished()
        }
        let manifest: Manifest
        do {
            manifest = try ManifestCodec.decode(manifestBytes)
        } catch {
            problem("manifest-invalid", Manifest.memberName, nil, nil, "\(error)")
            report.verdict = .notIntact
            return finished()
        }
        report.manifest = manifest
        compare(seen, with: manifest, problem: problem)
        checkHeaders(seen, with: manifest, problem: problem)
        checkSignature(signatureBytes, manifestBytes: manifestBytes, expectedSigner: collected?.manifestSigner,
                       report: &report, problem: problem)
        if let collected, let eventSigner = collected.eventSigner, let manifestSigner = collected.manifestSigner, eventSigner != manifestSigner {
            problem("custody-signer-mismatch", nil, manifestSigner, eventSigner,
                    "the custody log's collected event is signed by another key than the manifest it names")
        }
        if report.problems.isEmpty && problems.items.isEmpty {
            report.verdict = report.signature.valid ? .intactSigned : .intactUnsigned
        } else {
            report.verdict = .notIntact
        }
        return finished()
    }

    func compare(_ seen: [SeenMember], with manifest: Manifest, problem: Problems.Add) {
        var counts: [[UInt8]: Int] = [:]
        for member in seen { counts[Array(member.path.utf8), default: 0] += 1 }
        for (key, count) in counts.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) where count > 1 {
            let path = String(decoding: key, as: UTF8.self)
            problem("duplicate-member", path, nil, "\(count) times", "member '\(EscapedText.display(path))' appears \(count) times")
        }
        let entries = Dictionary(manifest.entries.map { (Array($0.path.utf8), $0) }, uniquingKeysWith: { first, _ in first })
        if entries.count != manifest.entries.count {
            problem("manifest-duplicate-entry", nil, nil, nil, "the manifest lists a path more than once")
        }
        let present = Set(seen.map { Array($0.path.utf8) })
        for entry in manifest.entries where !present.contains(Array(entry.path.utf8)) {
            problem("missing-member", entry.path, entry.memberDigests.sha256, "absent",
                    "member '\(EscapedText.display(entry.path))' is listed in the manifest but not in the bundle")
        }
        for member in seen {
            guard let entry = entries[Array(member.path.utf8)] else {
                problem("unlisted-member", member.path, "absent", member.digests.sha256,
                        "member '\(EscapedText.display(member.path))' is in the bundle but not in the manifest")
                continue
            }
            let expected = entry.memberDigests
            if UInt64(max(0, member.size)) != entry.memberSize {
                problem("size-mismatch", member.path, "\(entry.memberSize)", "\(member.size)",
                        "member '\(EscapedText.display(member.path))' size differs")
            }
            for (name, want, got) in [("sha256", expected.sha256, member.digests.sha256),
                                      ("sha1", expected.sha1, member.digests.sha1),
                                      ("md5", expected.md5, member.digests.md5)] where !got.isEmpty && want != got {
                problem("hash-mismatch", member.path, want, got, "member '\(EscapedText.display(member.path))' \(name) differs")
            }
        }
        let listedOrder = manifest.entries.map(\.path).filter { present.contains(Array($0.utf8)) }
        let seenOrder = seen.map(\.path).filter { entries[Array($0.utf8)] != nil }
        if listedOrder.map({ Array($0.utf8) }) != seenOrder.map({ Array($0.utf8) }), let index = zip(listedOrder, seenOrder).enumerated().first(where: { Array($0.element.0.utf8) != Array($0.element.1.utf8) })?.offset {
            problem("order-mismatch", seenOrder[index], listedOrder[index], seenOrder[index],
                    "members are not in manifest order from position \(index + 1)")
        }
        let recomputed = Manifest.Seal(entries: manifest.entries)
        if recomputed != manifest.seal {
            problem("seal-mismatch", Manifest.memberName, manifest.seal.digest, recomputed.digest,
                    "the manifest's seal does not match its own entries")
        }
        if manifest.seal.memberCount != seen.count {
            problem("member-count", nil, "\(manifest.seal.memberCount)", "\(seen.count)", "the number of evidence members differs from the seal")
        }
    }

    func checkSignature(_ bytes: [UInt8]?, manifestBytes: [UInt8], expectedSigner: String?,
                        report: inout VerificationReport, problem: Problems.Add) {
        let trustedFingerprints = Set(trustedKeys.map(SigningKeys.fingerprint))
        guard let bytes else {
            if let expectedSigner {
                problem("signature-missing", ManifestSignature.memberName, expectedSigner, "absent",
                        "manifest.sig is missing, but the custody log says the bundle was signed")
            }
            return
        }
        guard let signature = try? ManifestSignature.decode(bytes) else {
            problem("signature-invalid", ManifestSignature.memberName, nil, nil, "manifest.sig cannot be read")
            report.signature.present = true
            return
        }
        let valid = signature.isValid(for: manifestBytes)
        report.signature = .init(present: true, valid: valid, fingerprint: signature.fingerprint, signedAt: signature.signedAt,
                                 trusted: valid && trustedFingerprints.contains(signature.fingerprint),
                                 trustRequired: requireTrustedSigner)
        if !valid {
            problem("signature-invalid", ManifestSignature.memberName, signature.manifestSha256, sha256Hex(manifestBytes),
                    "the signature does not match manifest.json: the manifest was changed after signing")
        }
        if let expectedSigner, expectedSigner != signature.fingerprint {
            problem("signer-changed", ManifestSignature.memberName, expectedSigner, signature.fingerprint,
                    "signed by another key than the one the custody log records")
        }
    }

    /// Reads the custody log beside the bundle, if any: its problems become warnings, and its
    /// first `collected` event binds the bundle hash and signer at collection time. A `collected`
    /// event that a trusted key did not sign binds nothing when trusted keys are given.
    func custodyRecord(path: String, report: inout VerificationReport) -> CollectedRecord? {
        let check: CustodyLog.Check
        do {
            var info = stat()
            guard lstat(CustodyLog.path(forBundle: path), &info) == 0 else {
                report.warnings.append("no custody log beside the bundle")
                return nil
            }
            check = try CustodyLog.check(bundle: path)
        } catch {
            report.warnings.append("custody log unreadable: \(error)")
            return nil
        }
        report.warnings += check.problems.map { "custody log: \($0)" }
        guard let first = check.events.first, first.action == .collected, first.sequence == 1 else {
            report.warnings.append("custody log: the first event is not the collection")
            return nil
        }
        let trusted = Set(trustedKeys.map(SigningKeys.fingerprint))
        if requireTrustedSigner, !(first.signature.map { trusted.contains($0.fingerprint) } ?? false) {
            report.warnings.append("custody log: the collected event is not signed by a trusted key; its record is not relied on")
            return nil
        }
        return CollectedRecord(bundleSha256: first.bundleSha256, manifestSigner: first.manifestSigner,
                               eventSigner: first.signature?.fingerprint)
    }

    /// Tar header fields extriage writes the same way every time: anything else was rewritten.
    func checkHeaders(_ seen: [SeenMember], with manifest: Manifest, problem: Problems.Add) {
        let entries = Dictionary(manifest.entries.map { (Array($0.path.utf8), $0) }, uniquingKeysWith: { first, _ in first })
        for member in seen {
            let header = member.header
            var differences: [String] = []
            if header.permissions != 0o444 { differences.append("mode \(String(header.permissions, radix: 8))") }
            if header.uid != 0 || header.gid != 0 { differences.append("owner \(header.uid):\(header.gid)") }
            if header.userName != "extriage" || header.groupName != "extriage" { differences.append("owner names") }
            if let entry = entries[Array(member.path.utf8)], (header.modified?.seconds ?? 0) != (entry.modified?.seconds ?? 0) {
                differences.append("modification time")
            }
            if !differences.isEmpty {
                problem("header-mismatch", member.path, "as written by extriage", differences.joined(separator: ", "),
                        "member '\(EscapedText.display(member.path))' has a rewritten tar header")
            }
        }
    }

    func checkSidecar(path: String, report: inout VerificationReport) {
        var info = stat()
        guard lstat(path + ".sha256", &info) == 0 else { return }
        let data = readSmallRegularFile(path + ".sha256", limit: 4096) ?? []
        let recorded = String(decoding: data.prefix(64), as: UTF8.self).lowercased()
        if recorded == report.bundleSha256 {
            report.sidecar = "matches"
        } else {
            report.sidecar = "mismatch"
            report.problems.append(.init(kind: "sidecar-mismatch", member: nil, expected: recorded, found: report.bundleSha256,
                                         message: "the bundle's SHA-256 differs from \((path as NSString).lastPathComponent).sha256"))
        }
    }
}

/// Collects problems in the order found.
final class Problems {
    typealias Add = (String, String?, String?, String?, String) -> Void
    var items: [VerificationReport.Problem] = []
    func add(_ kind: String, _ member: String?, _ expected: String?, _ found: String?, _ message: String) {
        items.append(.init(kind: kind, member: member, expected: expected, found: found, message: message))
    }
}

/// Receives evidence members' bytes during verification (see `BundleVerifier.verify(path:observer:)`).
public protocol MemberObserver: AnyObject {
    /// Whether this member's bytes are wanted.
    func begin(member path: String) -> Bool
    /// The next chunk of the member, valid only during the call.
    func consume(_ bytes: UnsafeRawBufferPointer)
    /// The member's end.
    func end()
}
