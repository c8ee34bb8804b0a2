@testable import EvidenceBundle
import ExTriageCore
import Testing
import TestSupport

/// Issue #14 item 3: verify without keeping the manifest's entries finds exactly the same.
@Suite struct ManifestEntriesDroppedTests {
    @Test func droppingEntriesChangesNoResult() throws {
        let temp = try TemporaryDirectory()
        let sample = SampleBundle()
        let changes: [(inout [BundleSurgery.Member]) -> Void] = [
            { _ in },
            { $0.remove(at: 0) },
            { $0[1].bytes = [9, 9, 9] },
            { $0.swapAt(0, 1) },
            { $0.insert(("evidence/C/extra", [1], SampleBundle.time), at: 1) },
        ]
        for (index, change) in changes.enumerated() {
            let path = try sample.write(in: temp, name: "case\(index).tar", change: change)
            var verifier = BundleVerifier()
            let kept = verifier.verify(path: path)
            verifier.keepsManifestEntries = false
            let dropped = verifier.verify(path: path)
            #expect(dropped.problems == kept.problems && dropped.verdict == kept.verdict && dropped.members == kept.members)
            #expect(kept.manifest?.entries.count == sample.files.count && dropped.manifest?.entries.isEmpty == true)
            var head = kept.manifest
            head?.entries = []
            #expect(dropped.manifest == head)
        }
    }

    @Test func theSealOfListedEntriesIsTheSealOfTheEntries() {
        let entries = SampleBundle().manifest.entries
        #expect(Manifest.Seal(listed: entries.map(ListedEntry.init)) == Manifest.Seal(entries: entries))
    }
}

extension ManifestEntriesDroppedTests {
    @Test func sharedStringsAreTakenOnlyWhenTheBytesAreEqual() {
        let entry = SampleBundle().manifest.entries[0]
        let listed = ListedEntry(entry)
        let digests = Digests(sha256: entry.sha256, sha1: "other", md5: entry.md5)
        let member = BundleScan.Member(path: entry.path, size: 0, digests: digests,
                                       header: MemberHeader(path: entry.path, kind: .file, size: 0))
        let shared = listed.sharingStrings(with: member)
        #expect(shared.path == entry.path && shared.memberDigests == entry.memberDigests)
        // Canonically equivalent, but other bytes: never taken.
        let decomposed = BundleScan.Member(path: "evidence/C/e\u{301}", size: 0, digests: digests,
                                           header: MemberHeader(path: "", kind: .file, size: 0))
        var composed = listed
        composed.path = "evidence/C/\u{e9}"
        #expect(Array(composed.sharingStrings(with: decomposed).path.utf8) == Array("evidence/C/\u{e9}".utf8))
    }
}
