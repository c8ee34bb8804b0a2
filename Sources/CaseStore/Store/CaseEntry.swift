import ExTriageCore

/// One bundle as the case records it: who and what it is, how it verified, and its analysis when
/// there is one (a bundle that did not verify is recorded without, unless analyzed anyway).
public struct CaseEntry: Sendable {
    /// The bundle's identity and manifest summary.
    public struct BundleRecord: Sendable {
        public var sha256: String
        public var path: String
        public var caseId: String?
        public var evidenceId: String?
        public var examiner: String?
        public var host: String?
        public var hostSource: String?
        public var collectedAt: Timestamp?
        /// What was collected from (`directory /mnt/x`, `image srv.E01`), when the manifest was read.
        public var source: String?
        public var verification: VerificationSummary

        public init(sha256: String, path: String, caseId: String? = nil, evidenceId: String? = nil, examiner: String? = nil,
                    host: String? = nil, hostSource: String? = nil, collectedAt: Timestamp? = nil, source: String? = nil,
                    verification: VerificationSummary) {
            self.sha256 = sha256
            self.path = path
            self.caseId = caseId
            self.evidenceId = evidenceId
            self.examiner = examiner
            self.host = host
            self.hostSource = hostSource
            self.collectedAt = collectedAt
            self.source = source
            self.verification = verification
        }
    }

    public var bundle: BundleRecord
    public var report: AnalysisReport?

    /// A bundle recorded without analysis (it did not verify).
    public init(unanalyzed bundle: BundleRecord) {
        self.bundle = bundle
        self.report = nil
    }

    /// An analyzed bundle; `source` and `evidenceId` come from its manifest when the caller read it.
    public init(report: AnalysisReport, source: String? = nil, evidenceId: String? = nil, sha256: String) {
        bundle = BundleRecord(sha256: sha256, path: report.bundle.path, caseId: report.bundle.caseId, evidenceId: evidenceId,
                              examiner: report.bundle.examiner, host: report.bundle.host, hostSource: report.bundle.hostSource,
                              collectedAt: report.bundle.collectedAt, source: source, verification: report.verification)
        self.report = report
    }
}
