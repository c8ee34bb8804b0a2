@testable import Detection
import ExTriageCore
import Testing
import TestSupport

/// Analysis as a library call: outcomes in the bundles' order, each failure with its exit status.
@Suite struct AnalysisTests {
    @Test func outcomesKeepTheBundlesOrderAndSayWhyOneFailed() throws {
        let directory = try TemporaryDirectory()
        let notATar = try directory.write("notes.tar", "just text, not a bundle\n")
        let missing = directory.path + "/missing.tar"
        let outcomes = Analysis.run(bundles: [notATar, missing], data: try TestData.detection(), options: AnalysisOptions())
        #expect(outcomes.map(\.bundle) == [notATar, missing])
        for outcome in outcomes {
            #expect(outcome.failureStatus == .notABundle, "\(outcome.bundle) is not a bundle")
            guard case .failure(let error) = outcome.result else { continue }
            #expect(!"\(error)".contains("--allow-unverified"), "nothing to analyze anyway: \(error)")
        }
    }

    @Test func thresholdsAreASeverityOrAVerdict() {
        #expect(FindingThreshold("high") == .severity(.high))
        #expect(FindingThreshold("likely") == .verdict(.likely))
        #expect(FindingThreshold("loud") == nil)
        #expect(ExitStatus.findingsAtThreshold.rawValue == 6)
    }

    @Test func aMissingDataFolderIsOneClearError() {
        #expect(throws: ExTriageError.self) { _ = try DetectionData.load(profiles: "/nonexistent/Profiles") }
    }
}
