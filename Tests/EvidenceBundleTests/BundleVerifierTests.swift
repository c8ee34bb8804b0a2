import Crypto
@testable import EvidenceBundle
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// Step 1: reading the tar.
@Suite struct BundleScanTests {
    @Test func readsEveryMemberWithItsDigestsAndTheBundleHash() throws {
        let temp = try TemporaryDirectory()
        let sample = SampleBundle()
        let path = try sample.write(in: temp)
        let scan = try BundleScan.read(path: path, sha256Only: false, observer: nil)
        #expect(scan.problems.isEmpty && !scan.readingFailed)
        #expect(scan.members.map(\.path) == sample.files.map(\.path))
        #expect(scan.members.map(\.digests) == sample.files.map { ContentHasher.digests(of: $0.bytes) })
        #expect(scan.members.map(\.size) == sample.files.map { Int64($0.bytes.count) })
        #expect(scan.manifestBytes == (try ManifestCodec.encode(sample.manifest)))
        #expect(scan.signatureBytes == nil)
        let file = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(scan.bundleSha256 == sha256Hex(file) && scan.bundleBytes == UInt64(file.count))
    }

    @Test func sha256OnlyLeavesTheOtherDigestsEmpty() throws {
        let temp = try TemporaryDirectory()
        let sample = SampleBundle()
        let scan = try BundleScan.read(path: try sample.write(in: temp), sha256Only: true, observer: nil)
        #expect(scan.members.map(\.digests.sha256) == sample.files.map { ContentHasher.digests(of: $0.bytes).sha256 })
        #expect(scan.members.allSatisfy { $0.digests.sha1.isEmpty && $0.digests.md5.isEmpty })
    }

    @Test func theObserverIsOfferedEveryEvidenceMemberAndGetsTheBytesItWants() throws {
        let temp = try TemporaryDirectory()
        let sample = SampleBundle()
        let observer = RecordingObserver(wantingSuffix: ".LOG")
        _ = try BundleScan.read(path: try sample.write(in: temp), sha256Only: true, observer: observer)
        #expect(observer.offered == sample.files.map(\.path))
        #expect(observer.received == [sample.files[1].path: sample.files[1].bytes])
    }

    @Test func membersOutOfPlaceAreProblems() throws {
        let temp = try TemporaryDirectory()
        let key = Curve25519.Signing.PrivateKey()
        let path = try SampleBundle(key: key).write(in: temp) { members in
            members.append(("evidence/C/late.txt", Array("late".utf8), SampleBundle.time))
        }
        let scan = try BundleScan.read(path: path, sha256Only: false, observer: nil)
        #expect(scan.problems == [.memberAfterSignature("evidence/C/late.txt"), .memberAfterManifest("evidence/C/late.txt")])
        #expect(scan.problems.map(\.message) == ["member 'evidence/C/late.txt' follows manifest.sig",
                                                 "member 'evidence/C/late.txt' follows manifest.json"])
    }

    @Test func aSecondManifestIsADuplicateMember() throws {
        let temp = try TemporaryDirectory()
        let path = try SampleBundle().write(in: temp) { members in
            members.append(members[members.count - 1])
        }
        let scan = try BundleScan.read(path: path, sha256Only: false, observer: nil)
        #expect(scan.problems.map(\.kind) == [.duplicateMember])
        #expect(scan.problems.first?.message == "manifest.json appears twice")
    }

    @Test func aTruncatedTarStopsTheReadWithAProblem() throws {
        let temp = try TemporaryDirectory()
        let sample = SampleBundle()
        let path = try sample.write(in: temp)
        let file = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let run = [UInt8](repeating: 0x45, count: 64)
        let evtxStart = try #require((0...(file.count - run.count)).first { Array(file[$0..<$0 + run.count]) == run })
        try BundleSurgery.truncate(path, to: evtxStart + 1000)

        let scan = try BundleScan.read(path: path, sha256Only: false, observer: nil)
        // The tar stops, the file does not: its whole hash is still there for the sidecar check.
        let cut = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(scan.readingFailed && scan.bundleSha256 == sha256Hex(cut) && scan.manifestBytes == nil)
        #expect(scan.members.map(\.path) == Array(sample.files.prefix(2).map(\.path)))
        let problem = try #require(scan.problems.first)
        #expect(scan.problems.count == 1 && problem.kind == .truncated && problem.member == sample.files[1].path)
        #expect(problem.message.hasPrefix("the bundle is damaged or truncated after 2 members: "))
        #expect(scan.looksLikeBundle)
    }

    @Test func somethingThatIsNotATarIsRefused() throws {
        let temp = try TemporaryDirectory()
        let zip = try temp.write("renamed.tar", [0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: 600))
        #expect(throws: ExTriageError.self) { try BundleScan.read(path: zip, sha256Only: false, observer: nil) }
    }
}

/// Step 2: the manifest against the members.
@Suite struct ManifestCheckTests {
    func scanned(_ files: [(path: String, bytes: [UInt8])]) -> [BundleScan.Member] {
        files.map { file in
            BundleScan.Member(path: file.path, size: Int64(file.bytes.count), digests: ContentHasher.digests(of: file.bytes),
                              header: MemberHeader(path: file.path, kind: .file, size: Int64(file.bytes.count),
                                                   modified: SampleBundle.time, linkTarget: nil, permissions: 0o444,
                                                   uid: 0, gid: 0, userName: "extriage", groupName: "extriage"))
        }
    }

    @Test func anUntouchedBundleHasNoProblems() {
        let sample = SampleBundle()
        #expect(ManifestCheck(manifest: sample.manifest, members: scanned(sample.files)).problems().isEmpty)
    }

    @Test func aTamperedMemberFailsEveryDigest() throws {
        let sample = SampleBundle()
        var files = sample.files
        files[0].bytes[0] ^= 0x01
        let problems = ManifestCheck(manifest: sample.manifest, members: scanned(files)).problems()
        let path = files[0].path
        let original = ContentHasher.digests(of: sample.files[0].bytes), tampered = ContentHasher.digests(of: files[0].bytes)
        #expect(problems == [.hashMismatch(path, digest: "sha256", expected: original.sha256, found: tampered.sha256),
                             .hashMismatch(path, digest: "sha1", expected: original.sha1, found: tampered.sha1),
                             .hashMismatch(path, digest: "md5", expected: original.md5, found: tampered.md5)])
        #expect(problems.first?.message == "member '\(path)' sha256 differs")
    }

    @Test func aChangedSizeIsReportedBeforeTheDigests() {
        let sample = SampleBundle()
        var files = sample.files
        files[2].bytes.removeLast()
        let problems = ManifestCheck(manifest: sample.manifest, members: scanned(files)).problems()
        #expect(problems.map(\.kind) == [.sizeMismatch, .hashMismatch, .hashMismatch, .hashMismatch])
        #expect(problems.first?.expected == "3000" && problems.first?.found == "2999")
    }

    @Test func aMissingMemberIsNamedAndMissedByTheCount() {
        let sample = SampleBundle()
        let problems = ManifestCheck(manifest: sample.manifest, members: scanned(Array(sample.files.dropFirst()))).problems()
        #expect(problems.map(\.kind) == [.missingMember, .memberCount])
        #expect(problems.first?.member == sample.files[0].path && problems.first?.found == "absent")
        #expect(problems.first?.message == "member '\(sample.files[0].path)' is listed in the manifest but not in the bundle")
        #expect(problems.last?.message == "the number of evidence members differs from the seal")
    }

    @Test func anExtraMemberIsUnlisted() {
        let sample = SampleBundle()
        let extra: (path: String, bytes: [UInt8]) = ("evidence/C/inetpub/wwwroot/aspnet_client/planted.aspx", Array("x".utf8))
        let problems = ManifestCheck(manifest: sample.manifest, members: scanned(sample.files + [extra])).problems()
        #expect(problems == [.unlistedMember(extra.path, sha256: ContentHasher.digests(of: extra.bytes).sha256),
                             .memberCount(sealed: 3, found: 4)])
        #expect(problems.first?.message == "member '\(extra.path)' is in the bundle but not in the manifest")
    }

    @Test func aDuplicatedMemberIsCountedOnce() {
        let sample = SampleBundle()
        let problems = ManifestCheck(manifest: sample.manifest, members: scanned(sample.files + [sample.files[1]])).problems()
        #expect(problems.first == .duplicateMember(sample.files[1].path, times: 2))
        #expect(problems.first?.message == "member '\(sample.files[1].path)' appears 2 times")
    }

    @Test func reorderedMembersNameTheFirstPositionThatDiffers() {
        let sample = SampleBundle()
        let files = [sample.files[0], sample.files[2], sample.files[1]]
        let problems = ManifestCheck(manifest: sample.manifest, members: scanned(files)).problems()
        #expect(problems == [.orderMismatch(at: 1, listed: sample.files[1].path, seen: sample.files[2].path)])
        #expect(problems.first?.message == "members are not in manifest order from position 2")
    }

    @Test func aBadSealIsFound() {
        let sample = SampleBundle()
        var manifest = sample.manifest
        manifest.seal.digest = String(repeating: "0", count: 64)
        let problems = ManifestCheck(manifest: manifest, members: scanned(sample.files)).problems()
        #expect(problems == [.sealMismatch(recorded: manifest.seal.digest, recomputed: sample.manifest.seal.digest)])
        #expect(problems.first?.message == "the manifest's seal does not match its own entries")
    }

    @Test func aRewrittenTarHeaderIsFound() {
        let sample = SampleBundle()
        var members = scanned(sample.files)
        members[1].header.permissions = 0o644
        members[1].header.uid = 1000
        members[1].header.modified = Timestamp(seconds: 1)
        let problems = ManifestCheck(manifest: sample.manifest, members: members).problems()
        #expect(problems.map(\.kind) == [.headerMismatch])
        #expect(problems.first?.found == "mode 644, owner 1000:0, modification time")
        #expect(problems.first?.message == "member '\(sample.files[1].path)' has a rewritten tar header")
    }

    @Test func noManifestMeansNotABundleOrNotIntact() throws {
        var empty = BundleScan()
        empty.members = scanned([("notes/readme.txt", [])])
        guard case .failure(let none) = ManifestCheck.manifest(of: empty) else { Issue.record("decoded nothing"); return }
        #expect(none.verdict == .notABundle && none.problem.kind == .notABundle)

        var cut = BundleScan()
        cut.members = scanned(SampleBundle().files)
        guard case .failure(let missing) = ManifestCheck.manifest(of: cut) else { Issue.record("decoded nothing"); return }
        #expect(missing.verdict == .notIntact && missing.problem == .manifestMissing())

        cut.manifestBytes = Array("{not json".utf8)
        guard case .failure(let invalid) = ManifestCheck.manifest(of: cut) else { Issue.record("decoded garbage"); return }
        #expect(invalid.verdict == .notIntact && invalid.problem.kind == .manifestInvalid)

        cut.manifestBytes = try ManifestCodec.encode(SampleBundle().manifest)
        let loaded = try ManifestCheck.manifest(of: cut).get()
        #expect(loaded.manifest == SampleBundle().manifest && loaded.bytes == cut.manifestBytes)
    }
}

/// Step 3: the signature and its trust.
@Suite struct SignatureCheckTests {
    let key = Curve25519.Signing.PrivateKey()
    let manifestBytes = Array("{\"manifest\" : true}\n".utf8)

    func signature(over bytes: [UInt8], with key: Curve25519.Signing.PrivateKey) throws -> [UInt8] {
        try ManifestSignature.sign(manifest: bytes, with: key, at: SampleBundle.time).encoded()
    }

    @Test func noSignatureIsFineUnlessTheCustodyLogRecordedOne() {
        let check = SignatureCheck(trustedKeys: [])
        let unsigned = check.check(signature: nil, manifest: manifestBytes, expectedSigner: nil)
        #expect(!unsigned.result.present && unsigned.problems.isEmpty)
        let expected = check.check(signature: nil, manifest: manifestBytes, expectedSigner: "ab12")
        #expect(expected.problems == [.signatureMissing(expectedSigner: "ab12")])
        #expect(expected.problems.first?.message == "manifest.sig is missing, but the custody log says the bundle was signed")
    }

    @Test func aTrustedSignatureIsValidAndTrusted() throws {
        let outcome = SignatureCheck(trustedKeys: [key.publicKey])
            .check(signature: try signature(over: manifestBytes, with: key), manifest: manifestBytes, expectedSigner: nil)
        #expect(outcome.problems.isEmpty)
        #expect(outcome.result.valid && outcome.result.trusted && outcome.result.trustRequired)
        #expect(outcome.result.fingerprint == SigningKeys.fingerprint(key.publicKey))
    }

    @Test func anUntrustedSignerIsValidButNotTrusted() throws {
        let other = Curve25519.Signing.PrivateKey()
        let outcome = SignatureCheck(trustedKeys: [other.publicKey])
            .check(signature: try signature(over: manifestBytes, with: key), manifest: manifestBytes, expectedSigner: nil)
        #expect(outcome.problems.isEmpty)
        #expect(outcome.result.valid && !outcome.result.trusted && outcome.result.trustRequired)
    }

    @Test func aManifestChangedAfterSigningBreaksTheSignature() throws {
        let signed = try signature(over: manifestBytes, with: key)
        let changed = Array("{\"manifest\" : false}\n".utf8)
        let outcome = SignatureCheck(trustedKeys: [key.publicKey]).check(signature: signed, manifest: changed, expectedSigner: nil)
        #expect(outcome.problems == [.signatureInvalid(signedSha256: sha256Hex(manifestBytes), manifestSha256: sha256Hex(changed))])
        #expect(outcome.problems.first?.message == "the signature does not match manifest.json: the manifest was changed after signing")
        #expect(outcome.result.present && !outcome.result.valid && !outcome.result.trusted)
    }

    @Test func anUnreadableSignatureIsInvalid() {
        let outcome = SignatureCheck(trustedKeys: []).check(signature: Array("garbage".utf8), manifest: manifestBytes, expectedSigner: nil)
        #expect(outcome.problems.map(\.kind) == [.signatureInvalid])
        #expect(outcome.problems.first?.message == "manifest.sig cannot be read")
        #expect(outcome.result.present && !outcome.result.valid && outcome.result.fingerprint == nil)
    }

    @Test func anotherSignerThanTheCustodyLogRecordedIsAProblem() throws {
        let outcome = SignatureCheck(trustedKeys: [])
            .check(signature: try signature(over: manifestBytes, with: key), manifest: manifestBytes, expectedSigner: "recorded")
        #expect(outcome.problems == [.signerChanged(recorded: "recorded", found: SigningKeys.fingerprint(key.publicKey))])
        #expect(outcome.result.valid)
    }
}

/// Steps 4 and 5: the custody log and the `.sha256` sidecar beside the bundle.
@Suite struct BesideTheBundleTests {
    @Test func withoutACustodyLogNothingIsBound() throws {
        let temp = try TemporaryDirectory()
        let path = try SampleBundle().write(in: temp)
        let binding = CustodyBinding.read(bundle: path, trustedKeys: [])
        #expect(binding.record == nil && binding.warnings == ["no custody log beside the bundle"])
        #expect(binding.bundleChanged(computed: "ff").isEmpty && binding.signerMismatch().isEmpty)
    }

    @Test func theCollectedEventBindsTheBundleHash() throws {
        let temp = try TemporaryDirectory()
        let path = try SampleBundle().write(in: temp)
        let recorded = try TarReader.sha256(ofFile: path)
        try CustodyLog.append(bundle: path, actor: "A. Examiner", action: .collected, note: nil, bundleSha256: recorded)
        let binding = CustodyBinding.read(bundle: path, trustedKeys: [])
        #expect(binding.record?.bundleSha256 == recorded && binding.warnings.isEmpty)
        #expect(binding.bundleChanged(computed: recorded).isEmpty)
        #expect(binding.bundleChanged(computed: "ff") == [.bundleChanged(recorded: recorded, computed: "ff")])
    }

    @Test func anUnsignedCollectedEventIsNotReliedOnWhenTrustIsRequired() throws {
        let temp = try TemporaryDirectory()
        let path = try SampleBundle().write(in: temp)
        try CustodyLog.append(bundle: path, actor: "A. Examiner", action: .collected, note: nil, bundleSha256: "ff")
        let binding = CustodyBinding.read(bundle: path, trustedKeys: [Curve25519.Signing.PrivateKey().publicKey])
        #expect(binding.record == nil)
        #expect(binding.warnings == ["custody log: the collected event is not signed by a trusted key; its record is not relied on"])
    }

    @Test func theSidecarMatchesOrNot() throws {
        let temp = try TemporaryDirectory()
        let path = try SampleBundle().write(in: temp)
        let computed = try TarReader.sha256(ofFile: path)
        #expect(SidecarCheck.check(bundle: path, computed: computed).status == "absent")
        try temp.write("case.tar.sha256", computed.uppercased() + "  case.tar\n")
        let matching = SidecarCheck.check(bundle: path, computed: computed)
        #expect(matching.status == "matches" && matching.problem == nil)
        let other = SidecarCheck.check(bundle: path, computed: String(repeating: "0", count: 64))
        #expect(other.status == "mismatch" && other.problem?.kind == .sidecarMismatch)
        #expect(other.problem?.message == "the bundle's SHA-256 differs from case.tar.sha256")
        #expect(other.problem?.expected == computed)
    }
}

/// All steps together, through the public entry point other modules use.
@Suite struct BundleVerifierTests {
    @Test func anIntactUnsignedBundle() throws {
        let temp = try TemporaryDirectory()
        let report = BundleVerifier().verify(path: try SampleBundle().write(in: temp))
        #expect(report.problems.isEmpty && report.verdict == .intactUnsigned && report.verdictText == "intact, unsigned")
        #expect(report.members == 3 && report.manifest == SampleBundle().manifest && report.exitStatus == 0)
        #expect(report.digestsChecked == ["sha256", "sha1", "md5"])
        #expect(report.warnings == ["no custody log beside the bundle"])
    }

    @Test func anIntactBundleSignedByATrustedKey() throws {
        let temp = try TemporaryDirectory()
        let key = Curve25519.Signing.PrivateKey()
        let report = BundleVerifier(trustedKeys: [key.publicKey], sha256Only: true).verify(path: try SampleBundle(key: key).write(in: temp))
        let fingerprint = SigningKeys.fingerprint(key.publicKey)
        #expect(report.problems.isEmpty && report.verdict == .intactSigned && report.exitStatus == 0)
        #expect(report.verdictText == "intact and signed by \(fingerprint) (trusted)")
        #expect(report.digestsChecked == ["sha256"])
    }

    @Test func anUntrustedSignerIsIntactButExitsFour() throws {
        let temp = try TemporaryDirectory()
        let key = Curve25519.Signing.PrivateKey()
        let path = try SampleBundle(key: key).write(in: temp)
        let report = BundleVerifier(trustedKeys: [Curve25519.Signing.PrivateKey().publicKey]).verify(path: path)
        #expect(report.problems.isEmpty && report.verdict == .intactSigned && report.exitStatus == 4)
        #expect(report.verdictText == "intact and signed by \(SigningKeys.fingerprint(key.publicKey)) (untrusted)")
    }

    @Test func aManifestEditedAfterSigningIsNotIntact() throws {
        let temp = try TemporaryDirectory()
        let sample = SampleBundle(key: Curve25519.Signing.PrivateKey())
        let path = try sample.write(in: temp) { members in
            var edited = sample.manifest
            edited.case.examiner = "Someone Else"
            members[sample.files.count].bytes = try ManifestCodec.encode(edited)
        }
        let report = BundleVerifier().verify(path: path)
        #expect(report.problems.map(\.kind) == [.signatureInvalid] && report.verdict == .notIntact)
        #expect(report.verdictText == "NOT INTACT" && report.exitStatus == 3)
    }

    @Test func aTamperedMemberIsNotIntactAndTheObserverStillSawIt() throws {
        let temp = try TemporaryDirectory()
        let sample = SampleBundle()
        let path = try sample.write(in: temp) { members in members[1].bytes[0] ^= 0x20 }
        let observer = RecordingObserver(wantingSuffix: ".LOG")
        let report = BundleVerifier(sha256Only: true).verify(path: path, observer: observer)
        #expect(report.problems.map(\.kind) == [.hashMismatch] && report.verdict == .notIntact)
        #expect(report.problems.map(\.message) == ["member '\(sample.files[1].path)' sha256 differs"])
        #expect(observer.received[sample.files[1].path]?.first == sample.files[1].bytes[0] ^ 0x20)
    }

    @Test func aBundleCutAtAMemberBoundaryHasNoManifest() throws {
        let temp = try TemporaryDirectory()
        let path = try SampleBundle().write(in: temp) { members in members.removeLast() }
        let report = BundleVerifier().verify(path: path)
        #expect(report.problems == [.manifestMissing()] && report.verdict == .notIntact && report.manifest == nil)
    }

    @Test func aTarWithoutBundleMembersIsNotABundle() throws {
        let temp = try TemporaryDirectory()
        let path = temp.path + "/other.tar"
        try BundleSurgery.write([("notes/readme.txt", Array("hello".utf8), nil)], to: path)
        let report = BundleVerifier().verify(path: path)
        #expect(report.problems == [.notABundle()] && report.verdict == .notABundle && report.exitStatus == 5)
        #expect(report.verdictText == "NOT A BUNDLE")
    }

    @Test func problemsEncodeTheirKindAsTheWordVerifyJSONAlwaysWrote() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(VerificationReport.Problem.sizeMismatch("evidence/C/a", expected: 2, found: 1)),
                          as: UTF8.self)
        #expect(json == #"{"expected":"2","found":"1","kind":"size-mismatch","member":"evidence\/C\/a","message":"member 'evidence\/C\/a' size differs"}"#)
    }

    @Test func theSidecarProblemComesLast() throws {
        let temp = try TemporaryDirectory()
        let path = try SampleBundle().write(in: temp) { members in members.remove(at: 0) }
        try temp.write("case.tar.sha256", String(repeating: "0", count: 64) + "\n")
        let report = BundleVerifier().verify(path: path)
        #expect(report.problems.map(\.kind) == [.missingMember, .memberCount, .sidecarMismatch])
        #expect(report.sidecar == "mismatch")
    }
}
