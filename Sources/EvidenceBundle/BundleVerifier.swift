import Crypto
import ExTriageCore

/// Checks a bundle in one streaming read: every member against its manifest entry (SHA-256,
/// SHA-1, MD5, size), the member list and order, the seal, the signature and its trust, and the
/// `.sha256` sidecar. Nothing is written anywhere.
///
/// The steps, each returning typed problems: `CustodyBinding` (what the custody log recorded),
/// `BundleScan` (reading the tar), `SidecarCheck`, `ManifestCheck` (the manifest against the
/// members) and `SignatureCheck`. Problems are reported in that order, the sidecar's last.
public struct BundleVerifier {
    public var trustedKeys: [Curve25519.Signing.PublicKey]
    /// Recompute only each member's SHA-256, not SHA-1 and MD5. Equal SHA-256 means equal bytes,
    /// so this proves the same integrity at about half the hashing; `verify` still does all three
    /// so that every digest a court may quote is shown to hold.
    public var sha256Only: Bool
    /// The custody log's head and event count as the receiver recorded them; a log that no
    /// longer holds them makes the bundle NOT INTACT.
    public var custodyExpectation = CustodyExpectation()
    /// When set, an unsigned bundle is a failure of trust too (exit 4).
    public var requireTrustedSigner: Bool { !trustedKeys.isEmpty }
    /// The largest `manifest.json` read (a collector never writes a larger one).
    public var manifestSizeLimit = ManifestCodec.maximumSize
    /// Keep the manifest's entries in the report (`analyze` and `unpack` need them). Without it
    /// `report.manifest` has every field but `entries` (empty), and each entry is dropped once
    /// checked, so memory does not hold every entry at once.
    public var keepsManifestEntries = true

    public init(trustedKeys: [Curve25519.Signing.PublicKey] = [], sha256Only: Bool = false) {
        self.trustedKeys = trustedKeys
        self.sha256Only = sha256Only
    }

    public func verify(path: String) -> VerificationReport {
        verify(path: path, observer: nil)
    }

    /// Verifies while handing each evidence member's bytes to `observer` as they are hashed (the
    /// hashes run on other cores meanwhile), so a caller can analyze in the same single read.
    /// The observer learns only at the end, from the report, whether what it saw verified.
    public func verify(path: String, observer: (any MemberObserver)?) -> VerificationReport {
        var report = VerificationReport(
            bundle: path, bundleSha256: nil, bundleBytes: nil, sidecar: "absent", members: 0, manifest: nil,
            signature: .init(present: false, valid: false, trusted: false, trustRequired: requireTrustedSigner),
            problems: [], warnings: [], verdict: .notIntact)
        report.digestsChecked = sha256Only ? ["sha256"] : ["sha256", "sha1", "md5"]
        let custody = CustodyBinding.read(bundle: path, trustedKeys: trustedKeys)
        report.warnings = custody.warnings
        report.custodyEvents = custody.check?.lineSha256.count
        report.custodyHeadSha256 = custody.check?.headSha256

        let scan: BundleScan
        do {
            scan = try BundleScan.read(path: path, sha256Only: sha256Only, observer: observer, manifestLimit: manifestSizeLimit)
        } catch {
            report.problems = [.notATar(error)]
            report.verdict = .notABundle
            return report
        }
        report.bundleSha256 = scan.bundleSha256
        report.bundleBytes = scan.bundleBytes
        report.members = scan.table.count
        let sidecar = SidecarCheck.check(bundle: path, computed: scan.bundleSha256)
        report.sidecar = sidecar.status
        var problems = scan.problems + custody.bundleChanged(computed: scan.bundleSha256)
            + custody.notAsRecorded(custodyExpectation)

        switch ManifestCheck.manifest(of: scan, limit: manifestSizeLimit, keepingEntries: keepsManifestEntries) {
        case .failure(let unavailable):
            report.problems = problems + [unavailable.problem] + (sidecar.problem.map { [$0] } ?? [])
            report.verdict = unavailable.verdict
        case .success(let loaded):
            report.manifest = loaded.manifest
            problems += ManifestCheck(listed: loaded.listed, seal: loaded.manifest.seal, members: scan.table).problems()
            let signature = SignatureCheck(trustedKeys: trustedKeys)
                .check(signature: scan.signatureBytes, manifest: loaded.source,
                       expectedSigner: custody.record?.manifestSigner)
            report.signature = signature.result
            problems += signature.problems + custody.signerMismatch()
            report.problems = problems + (sidecar.problem.map { [$0] } ?? [])
            report.verdict = !report.problems.isEmpty ? .notIntact : report.signature.valid ? .intactSigned : .intactUnsigned
        }
        return report
    }
}
