@testable import ArtifactCollection
import EvidenceBundle
import EvidenceSource
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// A folder that cannot be listed is named in its pattern's row, with honest counts (issue #14, case 14).
@Suite struct UnlistedFolderReasonTests {
    @Test func anUnlistableFolderIsNamedInThePatternRow() throws {
        let harness = try Harness()
        try harness.file("inetpub/wwwroot/shell.aspx", "<% %>")
        let summary = try harness.collect(faults: ["inetpub/wwwroot": .listFails])
        let row = try #require(summary.manifest.outcomes.first { $0.pattern == "inetpub/**/*" && $0.path == nil })
        #expect(row.status == .failed && row.count == 0)
        #expect(row.reason == "the directory C:/inetpub/wwwroot could not be listed: cannot list directory: Input/output error")
        #expect(summary.exitStatus == .incomplete)
    }

    @Test func anUnlistableFolderBesideCollectedFilesMakesThePatternPartial() throws {
        let harness = try Harness()
        try harness.file("inetpub/wwwroot/shell.aspx", "<% %>")
        try harness.file("inetpub/custerr/500.htm", "error")
        try harness.file("inetpub/temp/a.txt", "a")
        let summary = try harness.collect(faults: ["inetpub/wwwroot": .listFails, "inetpub/temp/a.txt": .openFails])
        let row = try #require(summary.manifest.outcomes.first { $0.pattern == "inetpub/**/*" && $0.path == nil })
        #expect(row.status == .partial && row.count == 2)
        #expect(row.reason == "the directory C:/inetpub/wwwroot could not be listed: cannot list directory: Input/output error; 1 of 2 matched files failed")
    }
}
