#if canImport(Glibc)
import Glibc
#endif
@testable import ArtifactCollection
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// Issue #14 item 7, ADVERSARIAL-CASES E2/E3: a disk that fills (or a rename that fails) while the
/// sidecar and custody log are written never leaves a final-named bundle, and the error says so.
@Suite struct OutputFaultTests {
    func names(in harness: Harness) -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: harness.temp.path)) ?? []).filter { $0.hasPrefix("out.tar") }
    }

    @Test(arguments: OutputFile.Step.allCases)
    func aFailureWhileFinishingLeavesOnlyThePartialBundle(_ step: OutputFile.Step) throws {
        let harness = try Harness()
        try harness.file("inetpub/wwwroot/aspnet_client/a.aspx", "<%@ Page %>")
        do {
            _ = try harness.collect(failing: (step, ENOSPC))
            Issue.record("collect succeeded although \(step.rawValue) failed")
        } catch let error as ExTriageError {
            #expect(error.description.contains(step == .rename ? "cannot rename" : step.rawValue), "\(error)")
            #expect(error.description.contains("No space left on device"), "\(error)")
            #expect(error.description.contains("no bundle is written"), "\(error)")
            #expect(error.description.contains("out.tar.partial is left for inspection"), "\(error)")
        }
        #expect(names(in: harness) == ["out.tar.partial"])
    }

    /// Fails on the old code, which renamed the bundle first and then could not write its sidecar.
    @Test func aSidecarThatCannotBeCreatedLeavesNoFinalBundle() throws {
        let harness = try Harness()
        try harness.file("inetpub/wwwroot/aspnet_client/a.aspx", "<%@ Page %>")
        _ = try harness.temp.makeDirectory("out.tar.sha256.partial")
        #expect(throws: ExTriageError.self) { try harness.collect() }
        #expect(!FileManager.default.fileExists(atPath: harness.temp.path + "/out.tar"))
        #expect(!FileManager.default.fileExists(atPath: harness.temp.path + "/out.tar.custody.jsonl"))
        #expect(FileManager.default.fileExists(atPath: harness.temp.path + "/out.tar.partial"))
    }

    @Test func aFinishedBundleHasItsSidecarAndOneCustodyEvent() throws {
        let harness = try Harness()
        try harness.file("inetpub/wwwroot/aspnet_client/a.aspx", "<%@ Page %>")
        _ = try harness.collect()
        #expect(names(in: harness) == ["out.tar", "out.tar.sha256", "out.tar.custody.jsonl"])
        let log = try String(contentsOfFile: harness.temp.path + "/out.tar.custody.jsonl", encoding: .utf8)
        #expect(log.split(separator: "\n").count == 1 && log.contains("\"action\":\"collected\""))
    }
}
