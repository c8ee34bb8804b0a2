@testable import EvidenceBundle
import ExTriageCore
import Testing
import TestSupport

/// Issue #14 item 3: verify holds each member as a compact row (path hash, raw digests, size,
/// header facts) with its path in a spool that moves to disk, and finds exactly what it found
/// when every member was a set of strings.
@Suite struct MemberTableTests {
    @Test func digestsRoundTripThroughTheirRawBytes() {
        let full = ContentHasher.digests(of: Array("web shell".utf8))
        #expect(CompactDigests(full).digests == full)
        let sha256Only = Digests(sha256: full.sha256, sha1: "", md5: "")
        let compact = CompactDigests(sha256Only)
        #expect(compact.digests == sha256Only && compact.has(.sha256) && !compact.has(.sha1) && !compact.has(.md5))
        #expect(compact.same(.sha256, as: CompactDigests(full)) && !compact.same(.sha1, as: CompactDigests(full)))
        // Not canonical lower-case hex: kept as written, compared as the strings compare.
        let upper = Digests(sha256: full.sha256.uppercased(), sha1: full.sha1, md5: full.md5)
        #expect(CompactDigests(upper).digests == upper)
        #expect(!CompactDigests(upper).same(.sha256, as: CompactDigests(full)))
        #expect(CompactDigests(upper).same(.sha1, as: CompactDigests(full)))
        let odd = Digests(sha256: "not a digest", sha1: "other", md5: full.md5)
        #expect(CompactDigests(odd).digests == odd && CompactDigests(odd).hex(.sha1) == "other")
    }

    @Test func pathsMovedToDiskComeBackByteForByte() {
        let spool = PathSpool(memoryLimit: 64)
        let paths = (0..<200).map { "evidence/C/inetpub/wwwroot/aspnet_client/file-\($0)-" + String(repeating: "x", count: $0 % 37) + ".aspx" }
            + ["evidence/C/e\u{301}.aspx", "evidence/C/\u{e9}.aspx", ""]
        let locations = paths.map(spool.append)
        #expect(spool.count == UInt64(paths.reduce(0) { $0 + $1.utf8.count }))
        for (path, location) in zip(paths, locations) {
            #expect(Array(spool.path(at: location).utf8) == Array(path.utf8))
        }
    }

    @Test func membersRoundTripThroughTheTable() {
        let files = SampleBundle().files + [("evidence/C/e\u{301}.aspx", [1]), ("evidence/C/\u{e9}.aspx", [2])]
        let members = files.map { file in
            BundleScan.Member(path: file.path, size: Int64(file.bytes.count), digests: ContentHasher.digests(of: file.bytes),
                              header: MemberHeader(path: file.path, kind: .file, size: Int64(file.bytes.count), modified: SampleBundle.time,
                                                   linkTarget: nil, permissions: 0o444, uid: 0, gid: 0, userName: "extriage", groupName: "extriage"))
        }
        let table = MemberTable(members, paths: PathSpool(memoryLimit: 16))
        #expect(table.count == files.count && table.byKey.count == files.count)
        #expect(table.members.map(\.path) == members.map(\.path))
        #expect(table.members.map(\.digests) == members.map(\.digests))
        #expect(table.members.map(\.size) == members.map(\.size))
        // NFC and NFD spellings are two paths, not one.
        #expect(PathHash("evidence/C/e\u{301}.aspx") != PathHash("evidence/C/\u{e9}.aspx"))
    }

    @Test func theListedTableSealsAndFindsUnsafePathsAsEntriesArrive() {
        let sample = SampleBundle()
        var entries = sample.manifest.entries
        entries.append(sample.entry("evidence/C/../../etc/passwd", [7]))
        let table = ListedTable(entries.map(ListedEntry.init), members: MemberTable(paths: PathSpool(memoryLimit: 8)))
        #expect(table.seal == Manifest.Seal(entries: entries))
        #expect(table.unsafePaths.map(\.kind) == [.unsafeMemberPath])
        #expect(table.unsafePaths.first?.member == "evidence/C/../../etc/passwd")
        #expect((0..<table.count).map(table.path) == entries.map(\.path))
    }

    /// Every problem a bundle of many members can have, found with the spool on disk.
    @Test func aLargeBundleVerifiesWithItsPathsOnDisk() throws {
        let temp = try TemporaryDirectory()
        var sample = SampleBundle()
        sample.files = (0..<3000).map { ("evidence/C/inetpub/wwwroot/aspnet_client/" + String(repeating: "d", count: 400) + "/f\($0).aspx", Array("page \($0)".utf8)) }
        sample.files.sort { PathKey.precedes($0.path, $1.path) }
        let intact = try sample.write(in: temp, name: "intact.tar")
        #expect(BundleVerifier().verify(path: intact).verdict == .intactUnsigned)
        let tampered = try sample.write(in: temp, name: "tampered.tar") { members in
            members[2999].bytes = Array("changed".utf8)
            members.remove(at: 1500)
        }
        let report = BundleVerifier().verify(path: tampered)
        #expect(report.verdict == .notIntact)
        #expect(report.problems.map(\.kind) == [.missingMember, .sizeMismatch, .hashMismatch, .hashMismatch, .hashMismatch, .memberCount])
        #expect(report.problems.first?.member == sample.files[1500].path)
        #expect(report.problems[1].member == sample.files[2999].path)
    }
}
