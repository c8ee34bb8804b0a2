@testable import ArtifactCollection
import EvidenceBundle
import EvidenceSource
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// A file rewritten in place at the same size while read is `partial` (issue #14, case 9).
@Suite struct FileRewrittenWhileReadTests {
    @Test func aFileRewrittenInPlaceWhileReadIsPartial() throws {
        let harness = try Harness()
        try harness.file("Windows/Temp/live.log", [UInt8](repeating: 0x61, count: 10_000))
        let summary = try harness.collect(faults: ["Windows/Temp/live.log": .rewrittenDuringRead])
        let entry = try #require(summary.manifest.entries.first { $0.sourcePath == "Windows/Temp/live.log" })
        #expect(entry.size == 10_000)
        #expect(entry.status == .partial)
        #expect(entry.reason?.contains("file changed while read (modified ") == true)
        #expect(entry.sha256 != ContentHasher.digests(of: [UInt8](repeating: 0x61, count: 10_000)).sha256)
        let row = try #require(summary.manifest.outcomes.first { $0.pattern == "%SystemRoot%/Temp/**/*" })
        #expect(row.status == .partial)
    }
}
