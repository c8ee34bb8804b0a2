#if canImport(Glibc)
import Glibc
#endif
import Crypto
import ExTriageCore

/// Verification step 4: what the custody log beside the bundle recorded at collection.
///
/// The log's own problems are warnings, never problems: a bundle copied without its log is
/// still checkable. Its first `collected` event binds the bundle's hash and signer; with
/// trusted keys given, only a `collected` event signed by one of them binds anything.
struct CustodyBinding {
    typealias Problem = VerificationReport.Problem

    /// The custody log's `collected` event, relied on.
    struct Record {
        var bundleSha256: String
        var manifestSigner: String?
        var eventSigner: String?
    }

    var record: Record?
    var warnings: [String] = []
    /// The log as read, when it could be: its event count and head go into the report.
    var check: CustodyLog.Check?

    /// Reads `<bundle>.custody.jsonl`, if there is one.
    static func read(bundle path: String, trustedKeys: [Curve25519.Signing.PublicKey]) -> CustodyBinding {
        var info = stat()
        guard lstat(CustodyLog.path(forBundle: path), &info) == 0 else {
            return CustodyBinding(warnings: ["no custody log beside the bundle"])
        }
        let check: CustodyLog.Check
        do {
            check = try CustodyLog.check(bundle: path)
        } catch {
            return CustodyBinding(warnings: ["custody log unreadable: \(error)"])
        }
        var binding = CustodyBinding(warnings: check.problems.map { "custody log: \($0)" }, check: check)
        guard let first = check.events.first, first.action == .collected, first.sequence == 1 else {
            binding.warnings.append("custody log: the first event is not the collection")
            return binding
        }
        let trusted = Set(trustedKeys.map(SigningKeys.fingerprint))
        if !trustedKeys.isEmpty, !(first.signature.map { trusted.contains($0.fingerprint) } ?? false) {
            binding.warnings.append("custody log: the collected event is not signed by a trusted key; its record is not relied on")
            return binding
        }
        binding.record = Record(bundleSha256: first.bundleSha256, manifestSigner: first.manifestSigner,
                                eventSigner: first.signature?.fingerprint)
        return binding
    }

    /// The log against the count and head the receiver recorded (`--expect-events`, `--expect-head`).
    func notAsRecorded(_ expectation: CustodyExpectation) -> [Problem] {
        guard !expectation.isEmpty else { return [] }
        guard let check else {
            return [.custodyNotAsRecorded("there is none to compare with the recorded head or count (\(warnings.joined(separator: "; ")))")]
        }
        return expectation.compare(with: check).problems.map(Problem.custodyNotAsRecorded)
    }

    /// The bundle's hash now against the one recorded at collection.
    func bundleChanged(computed: String?) -> [Problem] {
        guard let record, let computed, record.bundleSha256 != computed else { return [] }
        return [.bundleChanged(recorded: record.bundleSha256, computed: computed)]
    }

    /// The `collected` event's own signer against the manifest signer it records.
    func signerMismatch() -> [Problem] {
        guard let eventSigner = record?.eventSigner, let manifestSigner = record?.manifestSigner,
              eventSigner != manifestSigner else { return [] }
        return [.custodySignerMismatch(manifestSigner: manifestSigner, eventSigner: eventSigner)]
    }
}
