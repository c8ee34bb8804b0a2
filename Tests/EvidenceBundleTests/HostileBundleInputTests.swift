import Crypto
@testable import EvidenceBundle
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// Hostile bundles of issue #14: sparse members, unsafe paths, over-long case fields, an
/// unreadable-size manifest, a foreign signature algorithm, and the sidecar after a read error.
@Suite struct HostileBundleInputTests {
    typealias Kind = VerificationReport.Problem.Kind
    static let sparseName = "evidence/C/Windows/Temp/sparse.bin"

    /// Every GNU sparse form claiming a petabyte is refused, named, in well under a second of
    /// work (the old reader hashed the petabyte of zeros).
    @Test(arguments: SparseTar.Form.allCases)
    func aSparseMemberIsRefusedUnread(_ form: SparseTar.Form) throws {
        let temp = try TemporaryDirectory()
        let path = try SampleBundle().write(in: temp)
        try SparseTar.prepend(SparseTar.member(Self.sparseName, form: form), to: path)
        let started = ContinuousClock.now
        let report = BundleVerifier().verify(path: path)
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(report.verdict == .notIntact && report.exitStatus == 3)
        let sparse = report.problems.filter { $0.kind == .sparseMember }
        #expect(sparse.map(\.member) == [Self.sparseName], "\(report.problems.map(\.message))")
        #expect(sparse.first?.message.contains("is a sparse file") == true)
        // The rest of the bundle was still read and checked.
        #expect(report.members == SampleBundle().files.count && report.manifest != nil)
        #expect(!report.problems.contains { $0.kind == .truncated })
    }

    @Test func theReaderNeverHandsOutSynthesizedZeros() throws {
        let temp = try TemporaryDirectory()
        for form in [SparseTar.Form.mapPastTheEnd, .wholeClaim] {
            let path = temp.path + "/\(form).tar"
            try Data(SparseTar.member(Self.sparseName, form: form) + [UInt8](repeating: 0, count: 1024)).write(to: URL(fileURLWithPath: path))
            let reader = try TarReader(path: path)
            let header = try #require(try reader.next())
            #expect(header.path == Self.sparseName)
            var total = 0
            #expect(throws: SparseMemberError.self) {
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let count = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
                    if count == 0 { break }
                    total += count
                }
            }
            #expect(total <= 512)
        }
    }

    @Test func unpackSkipsASparseMember() throws {
        let temp = try TemporaryDirectory()
        let sample = SampleBundle()
        var manifest = sample.manifest
        manifest.entries.insert(sample.entry(Self.sparseName, [UInt8](repeating: 0x41, count: 512)), at: 0)
        manifest.seal = Manifest.Seal(entries: manifest.entries)
        for form in SparseTar.Form.allCases {
            let path = try sample.write(in: temp, name: "\(form).tar") { members in
                members[members.count - 1].bytes = try ManifestCodec.encode(manifest)
            }
            try SparseTar.prepend(SparseTar.member(Self.sparseName, form: form), to: path)
            let result = try BundleUnpacker(manifest: manifest).unpack(bundle: path, to: temp.path + "/out-\(form)")
            #expect(result.skipped.map(\.member) == [Self.sparseName], "\(form)")
            #expect(result.written == sample.files.count)
            #expect(!FileManager.default.fileExists(atPath: temp.path + "/out-\(form)/" + Self.sparseName))
        }
    }

    /// A damaged tar is still a whole file: its hash is computed and matches a sidecar that
    /// `sha256sum -c` would accept; the read error is the problem, not a false mismatch.
    @Test func aReadErrorIsNotReportedAsASidecarMismatch() throws {
        let temp = try TemporaryDirectory()
        let path = try SampleBundle().write(in: temp)
        try BundleSurgery.truncate(path, to: 1700)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        try "\(sha256Hex(bytes))  case.tar\n".write(toFile: path + ".sha256", atomically: true, encoding: .utf8)
        let report = BundleVerifier().verify(path: path)
        #expect(report.problems.contains { $0.kind == .truncated })
        #expect(!report.problems.contains { $0.kind == .sidecarMismatch }, "\(report.problems.map(\.message))")
        #expect(report.sidecar == "matches" && report.bundleSha256 == sha256Hex(bytes))
        // A sidecar that really differs is still said to.
        try (String(repeating: "ab", count: 32) + "  case.tar\n").write(toFile: path + ".sha256", atomically: true, encoding: .utf8)
        #expect(BundleVerifier().verify(path: path).problems.contains { $0.kind == .sidecarMismatch })
    }

    static let unsafePaths = ["../../x", "/tmp/x", "C:\\x", "C:x", "evidence/C/a\\..\\..\\x", "evidence/C/../../x",
                              "evidence/C/./x", "evidence//x", "evidence/C/a\u{1B}[31m", "evidence/C/a\u{0}b", "x/y"]

    @Test func unsafePathsAreNamed() {
        for path in Self.unsafePaths { #expect(MemberPathSafety.unsafeReason(path) != nil, "\(path)") }
        #expect(MemberPathSafety.unsafeReason("../../x")?.contains("..") == true)
        #expect(MemberPathSafety.unsafeReason("/tmp/x")?.contains("absolute") == true)
        #expect(MemberPathSafety.unsafeReason("C:\\x")?.contains("drive letter") == true)
        for path in ["evidence/C/inetpub/wwwroot/a.aspx", "evidence/C/a.exe:Zone.Identifier", "evidence/C/x:y", "evidence/vol2/a b/c~1"] {
            #expect(MemberPathSafety.unsafeReason(path) == nil, "\(path)")
        }
    }

    /// A manifest listing unsafe paths (with those members present) is NOT INTACT for every
    /// command, not only for unpack.
    @Test func aManifestListingUnsafePathsIsNotIntact() throws {
        let temp = try TemporaryDirectory()
        for (index, unsafe) in Self.unsafePaths.enumerated() {
            var sample = SampleBundle()
            sample.files.insert((unsafe, Array("planted".utf8)), at: 0)
            let report = BundleVerifier().verify(path: try sample.write(in: temp, name: "\(index).tar"))
            #expect(report.verdict == .notIntact, "\(unsafe)")
            #expect(report.problems.contains { $0.kind == .unsafeMemberPath && $0.member == unsafe }, "\(unsafe): \(report.problems.map(\.message))")
        }
    }

    @Test func overlongOrControlCaseFieldsMakeTheManifestInvalid() throws {
        let temp = try TemporaryDirectory()
        let long = String(repeating: "E", count: 1 << 20)
        let cases: [(Manifest.CaseRecord, String)] = [
            (.init(caseId: "C", evidenceId: nil, examiner: long, notes: nil), "examiner is 1048576 bytes; at most 4096"),
            (.init(caseId: String(repeating: "c", count: 5000), evidenceId: nil, examiner: "E", notes: nil), "case id is 5000 bytes"),
            (.init(caseId: "C", evidenceId: String(repeating: "e", count: 5000), examiner: "E", notes: nil), "evidence id is 5000 bytes"),
            (.init(caseId: "C", evidenceId: nil, examiner: "E", notes: String(repeating: "n", count: 5000)), "notes is 5000 bytes"),
            (.init(caseId: "C", evidenceId: nil, examiner: "E\u{1B}]0;owned\u{7}", notes: nil), "examiner contains a control"),
            (.init(caseId: "", evidenceId: nil, examiner: "E", notes: nil), "case id must not be empty"),
        ]
        for (index, (record, phrase)) in cases.enumerated() {
            let sample = SampleBundle()
            var manifest = sample.manifest
            manifest.case = record
            let path = try sample.write(in: temp, name: "\(index).tar") { members in
                members[members.count - 1].bytes = try ManifestCodec.encode(manifest)
            }
            let report = BundleVerifier().verify(path: path)
            #expect(report.verdict == .notIntact && report.manifest == nil)
            let problem = report.problems.first { $0.kind == .manifestInvalid }
            #expect(problem?.message.contains(phrase) == true, "\(report.problems.map(\.message))")
            #expect(report.problems.allSatisfy { $0.message.count < 1000 })
        }
    }

    /// A manifest header claiming 2 GiB is refused from the header, before any of it is read.
    @Test func aHugeManifestIsRefusedFromItsHeader() throws {
        let temp = try TemporaryDirectory()
        let path = temp.path + "/huge.tar"
        try HostileTar.write([.init("evidence/C/a.txt", data: Array("a".utf8)),
                              .init(Manifest.memberName, data: Array("{}".utf8), claimedSize: 2 << 30)], to: path)
        let scan = try BundleScan.read(path: path, sha256Only: true, observer: nil)
        #expect(scan.manifestBytes == nil && scan.manifestRefusedSize == 2 << 30)
        let report = BundleVerifier().verify(path: path)
        #expect(report.verdict == .notIntact)
        #expect(report.problems.contains { $0.kind == .manifestInvalid && $0.message.contains("larger than extriage reads") },
                "\(report.problems.map(\.message))")
        #expect(ManifestCodec.maximumSize >= 512 << 20)
    }

    @Test func aForeignSignatureAlgorithmIsNamed() throws {
        let temp = try TemporaryDirectory()
        var sample = SampleBundle()
        sample.key = Curve25519.Signing.PrivateKey()
        let path = try sample.write(in: temp) { members in
            var signature = try ManifestSignature.decode(members[members.count - 1].bytes)
            signature.algorithm = "rsa-pss-sha256"
            members[members.count - 1].bytes = try signature.encoded()
        }
        let report = BundleVerifier().verify(path: path)
        #expect(report.verdict == .notIntact)
        let messages = report.problems.map(\.message)
        #expect(messages == ["signature algorithm 'rsa-pss-sha256' is not supported; extriage signs with Ed25519"], "\(messages)")
        #expect(report.problems.first?.kind == .signatureAlgorithm)
    }
}
