import EvidenceBundle
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// A signed bundle of a small tree, its keys, and the commands to check it.
struct SignedBundle {
    let temp: TemporaryDirectory
    let bundle: String
    let key: String
    let publicKey: String
    let otherKey: String
    let otherPublicKey: String

    init(signed: Bool = true) throws {
        temp = try TemporaryDirectory()
        try temp.write("vol/inetpub/wwwroot/aspnet_client/a.aspx", "MARKER-A content of a")
        try temp.write("vol/inetpub/wwwroot/b.htm", "MARKER-B content of b")
        try temp.write("vol/Windows/Temp/c.tmp", "MARKER-C content of c")
        #expect(try Run.extriage(["keygen", "--out", temp.path + "/responder"]).status == 0)
        #expect(try Run.extriage(["keygen", "--out", temp.path + "/attacker"]).status == 0)
        key = temp.path + "/responder.key"
        publicKey = temp.path + "/responder.pub"
        otherKey = temp.path + "/attacker.key"
        otherPublicKey = temp.path + "/attacker.pub"
        bundle = temp.path + "/b.tar"
        let run = try Run.extriage(["collect", "--source", temp.path + "/vol", "--output", bundle, "--case", "C-9",
                                    "--examiner", "R. Sponder", "--quiet"] + (signed ? ["--sign-key", key] : []))
        #expect(run.status == 0, "\(run.stderr)")
    }

    func verify(_ extra: [String] = []) throws -> Run {
        try Run.extriage(["verify", bundle] + extra)
    }

    /// Rewrites the bundle's members and refreshes the sidecar, as a careful forger would.
    func rewrite(_ change: (inout [BundleSurgery.Member]) throws -> Void) throws {
        var members = try BundleSurgery.members(of: bundle)
        try change(&members)
        try BundleSurgery.write(members, to: bundle)
        try refreshSidecar()
    }

    func refreshSidecar() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: bundle))
        try "\(sha256Hex(Array(data)))  b.tar\n".write(toFile: bundle + ".sha256", atomically: true, encoding: .utf8)
    }

    func evidenceIndex(_ members: [BundleSurgery.Member], _ suffix: String) -> Int {
        members.firstIndex { $0.path.hasSuffix(suffix) }!
    }
}

@Suite(.serialized) struct VerifyTests {
    @Test func anIntactSignedBundleVerifiesAndStaysUnchanged() throws {
        let signed = try SignedBundle()
        let before = try Data(contentsOf: URL(fileURLWithPath: signed.bundle))
        let trusted = try signed.verify(["--trusted-key", signed.publicKey])
        #expect(trusted.status == 0, "\(trusted.stdout)")
        let fingerprint = try Run.extriage(["keygen", "--out", signed.temp.path + "/third"]).stdout
        #expect(!fingerprint.isEmpty)
        #expect(trusted.stdout.contains("verdict:  intact and signed by "))
        #expect(trusted.stdout.contains("(trusted)"))
        #expect(trusted.stdout.contains("sidecar: matches"))
        let again = try signed.verify(["--trusted-key", signed.publicKey])
        #expect(again.stdout == trusted.stdout)
        #expect(try Data(contentsOf: URL(fileURLWithPath: signed.bundle)) == before)

        let untrusted = try signed.verify(["--trusted-key", signed.otherPublicKey])
        #expect(untrusted.status == 4)
        #expect(untrusted.stdout.contains("(untrusted)") && untrusted.stdout.contains("is not one of the trusted keys"))

        let json = try signed.verify(["--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((object?["report"] as? [String: Any])?["verdict"] as? String == "intact-signed")
    }

    @Test func anUnsignedBundleIsIntactButUnsigned() throws {
        let unsigned = try SignedBundle(signed: false)
        let run = try unsigned.verify()
        #expect(run.status == 0 && run.stdout.contains("verdict:  intact, unsigned"))
        let required = try unsigned.verify(["--trusted-key", unsigned.publicKey])
        #expect(required.status == 4 && required.stdout.contains("not signed, but a trusted signer was required"))
    }

    @Test func aFlippedByteInAMemberIsNamed() throws {
        let signed = try SignedBundle()
        try BundleSurgery.flipByte(in: signed.bundle, after: "MARKER-B content")
        let run = try signed.verify(["--trusted-key", signed.publicKey])
        #expect(run.status == 3)
        #expect(run.stdout.contains("member 'evidence/C/inetpub/wwwroot/b.htm' sha256 differs"))
        #expect(run.stdout.contains("the bundle's SHA-256 differs from b.tar.sha256"))
        #expect(run.stdout.contains("verdict:  NOT INTACT"))
    }

    @Test func removedAddedAndSwappedMembersAreCaught() throws {
        let removed = try SignedBundle()
        try removed.rewrite { $0.remove(at: removed.evidenceIndex($0, "b.htm")) }
        let runRemoved = try removed.verify()
        #expect(runRemoved.status == 3)
        #expect(runRemoved.stdout.contains("'evidence/C/inetpub/wwwroot/b.htm' is listed in the manifest but not in the bundle"))

        let added = try SignedBundle()
        try added.rewrite { $0.insert(("evidence/C/inetpub/wwwroot/planted.aspx", Array("evil".utf8), nil), at: 1) }
        let runAdded = try added.verify()
        #expect(runAdded.status == 3)
        #expect(runAdded.stdout.contains("'evidence/C/inetpub/wwwroot/planted.aspx' is in the bundle but not in the manifest"))

        let swapped = try SignedBundle()
        try swapped.rewrite { $0.swapAt(0, 1) }
        let runSwapped = try swapped.verify()
        #expect(runSwapped.status == 3)
        #expect(runSwapped.stdout.contains("not in manifest order from position 1"))
    }

    @Test func truncationIsCaughtAtABoundaryAndMidMember() throws {
        let boundary = try SignedBundle()
        try boundary.rewrite { $0.removeLast(2) }
        let runBoundary = try boundary.verify()
        #expect(runBoundary.status == 3)
        #expect(runBoundary.stdout.contains("manifest.json is missing"))

        let mid = try SignedBundle()
        try BundleSurgery.truncate(mid.bundle, to: 1700)
        let runMid = try mid.verify()
        #expect(runMid.status == 3)
        #expect(runMid.stdout.contains("damaged or truncated"))
    }

    @Test func anEditedManifestIsCaughtWithOrWithoutResigning() throws {
        let plain = try SignedBundle()
        try plain.rewrite { members in
            let index = members.firstIndex { $0.path == "manifest.json" }!
            let text = String(decoding: members[index].bytes, as: UTF8.self).replacingOccurrences(of: "R. Sponder", with: "Someone Else")
            members[index].bytes = Array(text.utf8)
        }
        let runPlain = try plain.verify(["--trusted-key", plain.publicKey])
        #expect(runPlain.status == 3)
        #expect(runPlain.stdout.contains("the signature does not match manifest.json"))

        // A forger replaces a member, fixes its hashes in the manifest and re-signs with their own key.
        let forged = try SignedBundle()
        let attackerKey = try SigningKeys.loadPrivateKey(path: forged.otherKey)
        try forged.rewrite { members in
            let target = forged.evidenceIndex(members, "a.aspx")
            let newBytes = Array("replaced".utf8)
            let index = members.firstIndex { $0.path == "manifest.json" }!
            var manifest = try ManifestCodec.decode(members[index].bytes)
            let entry = manifest.entries.firstIndex { $0.path == members[target].path }!
            let digests = ContentHasher.digests(of: newBytes)
            manifest.entries[entry].size = UInt64(newBytes.count)
            (manifest.entries[entry].sha256, manifest.entries[entry].sha1, manifest.entries[entry].md5) = (digests.sha256, digests.sha1, digests.md5)
            manifest.seal = Manifest.Seal(entries: manifest.entries)
            members[target].bytes = newBytes
            members[index].bytes = try ManifestCodec.encode(manifest)
            let signature = try ManifestSignature.sign(manifest: members[index].bytes, with: attackerKey, at: .now())
            members[members.count - 1].bytes = try signature.encoded()
        }
        let runForged = try forged.verify(["--trusted-key", forged.publicKey])
        #expect(runForged.status == 3)
        #expect(runForged.stdout.contains("signed by another key than the one the custody log records"))
        #expect(runForged.stdout.contains("is not one of the trusted keys"))
        // Without the custody log, only trust gives it away.
        try FileManager.default.removeItem(atPath: forged.bundle + ".custody.jsonl")
        let runNoLog = try forged.verify(["--trusted-key", forged.publicKey])
        #expect(runNoLog.status == 4 && runNoLog.stdout.contains("(untrusted)"))
    }

    @Test func aRemovedSignatureIsCaught() throws {
        let signed = try SignedBundle()
        try signed.rewrite { $0.removeLast() }
        let run = try signed.verify()
        #expect(run.status == 3)
        #expect(run.stdout.contains("manifest.sig is missing, but the custody log says the bundle was signed"))
        try FileManager.default.removeItem(atPath: signed.bundle + ".custody.jsonl")
        #expect(try signed.verify(["--trusted-key", signed.publicKey]).status == 4)
    }

    @Test func aWrongSidecarIsCaught() throws {
        let signed = try SignedBundle()
        try (String(repeating: "ab", count: 32) + "  b.tar\n").write(toFile: signed.bundle + ".sha256", atomically: true, encoding: .utf8)
        let run = try signed.verify()
        #expect(run.status == 3)
        #expect(run.stdout.contains("differs from b.tar.sha256"))
        #expect(run.stdout.contains("(sidecar: mismatch)"))
    }

    @Test func rewrittenHeadersAndAppendedDataAreCaught() throws {
        let headers = try SignedBundle()
        try headers.rewrite { members in
            let index = headers.evidenceIndex(members, "b.htm")
            members[index].modified = Timestamp(seconds: 1)
        }
        let runHeaders = try headers.verify()
        #expect(runHeaders.status == 3)
        #expect(runHeaders.stdout.contains("member 'evidence/C/inetpub/wwwroot/b.htm' has a rewritten tar header"))
        #expect(runHeaders.stdout.contains("differs from the one recorded when it was collected"))

        let appended = try SignedBundle()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: appended.bundle))
        handle.seekToEndOfFile()
        handle.write(Data("hidden payload after the end of the archive".utf8))
        try handle.close()
        try appended.refreshSidecar()
        let runAppended = try appended.verify(["--trusted-key", appended.publicKey])
        #expect(runAppended.status == 3)
        #expect(runAppended.stdout.contains("data follows the end of the tar archive"))
    }

    /// Many problems of one kind are one summary line; --verbose and --json list each.
    @Test func manyProblemsOfOneKindAreSummarised() throws {
        let temp = try TemporaryDirectory()
        for number in 1...6 { try temp.write("vol/inetpub/wwwroot/page\(number).htm", "page \(number)") }
        let bundle = temp.path + "/many.tar"
        #expect(try Run.extriage(["collect", "--source", temp.path + "/vol", "--output", bundle, "--case", "C", "--examiner", "E", "--quiet"]).status == 0)
        var members = try BundleSurgery.members(of: bundle)
        for index in members.indices where members[index].path.hasPrefix("evidence/") { members[index].modified = Timestamp(seconds: 1) }
        try BundleSurgery.write(members, to: bundle)
        let run = try Run.extriage(["verify", bundle])
        #expect(run.status == 3)
        let headerLines = run.stdout.split(separator: "\n").filter { $0.contains("rewritten tar header") }
        #expect(headerLines.count == 1, "\(run.stdout)")
        #expect(headerLines.first?.hasPrefix("problem: 6 members have rewritten tar headers (header-mismatch); first: member 'evidence/C/inetpub/wwwroot/page1.htm'") == true,
                "\(run.stdout)")
        let verbose = try Run.extriage(["verify", bundle, "--verbose"])
        #expect(verbose.stdout.split(separator: "\n").filter { $0.contains("has a rewritten tar header") }.count == 6)
        let json = try Run.extriage(["verify", bundle, "--json"])
        #expect(json.stdout.components(separatedBy: "\"header-mismatch\"").count - 1 == 6)
    }

    @Test func aHostileManifestIsRefusedWithoutACrash() throws {
        let unsigned = try SignedBundle(signed: false)
        try unsigned.rewrite { members in
            let index = members.firstIndex { $0.path == "manifest.json" }!
            var text = String(decoding: members[index].bytes, as: UTF8.self)
            text = text.replacingOccurrences(of: "\"size\" : 21,", with: "\"size\" : 18446744073709551615,")
            members[index].bytes = Array(text.utf8)
        }
        let run = try unsigned.verify()
        #expect(run.status == 3, "\(run.stdout)")
        #expect(run.stdout.contains("size differs"))
    }

    @Test func aFifoIsNotReadAsABundle() throws {
        let temp = try TemporaryDirectory()
        let fifo = temp.path + "/pipe.tar"
        #expect(mkfifo(fifo, 0o644) == 0)
        let run = try Run.extriage(["verify", fifo])
        #expect(run.status == 5)
        #expect(run.stdout.contains("not a regular file"))
    }

    @Test func somethingThatIsNotABundleIsSaidSo() throws {
        let temp = try TemporaryDirectory()
        let junk = try temp.write("junk.tar", (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) })
        let run = try Run.extriage(["verify", junk])
        #expect(run.status == 5)
        #expect(run.stdout.contains("NOT A BUNDLE"))
        try BundleSurgery.write([("readme.txt", Array("hello".utf8), nil)], to: temp.path + "/plain.tar")
        #expect(try Run.extriage(["verify", temp.path + "/plain.tar"]).status == 5)
    }
}

@Suite(.serialized) struct CustodyLogTests {
    func lines(_ signed: SignedBundle) throws -> [String] {
        try String(contentsOfFile: signed.bundle + ".custody.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func writeLines(_ signed: SignedBundle, _ lines: [String]) throws {
        try (lines.joined(separator: "\n") + "\n").write(toFile: signed.bundle + ".custody.jsonl", atomically: true, encoding: .utf8)
    }

    func threeEvents() throws -> SignedBundle {
        let signed = try SignedBundle()
        #expect(try Run.extriage(["custody", "add", signed.bundle, "--actor", "Courier", "--action", "transferred", "--note", "sealed bag 17"]).status == 0)
        #expect(try Run.extriage(["custody", "add", signed.bundle, "--actor", "Lab", "--action", "received", "--sign-key", signed.otherKey]).status == 0)
        #expect(try Run.extriage(["verify", signed.bundle, "--record", "--actor", "Analyst", "--sign-key", signed.key]).status == 0)
        return signed
    }

    @Test func anIntactChainShowsEveryEvent() throws {
        let signed = try threeEvents()
        let show = try Run.extriage(["custody", "show", signed.bundle])
        #expect(show.status == 0, "\(show.stdout)")
        #expect(show.stdout.contains("1. ") && show.stdout.contains("collected  by R. Sponder"))
        #expect(show.stdout.contains("transferred  by Courier") && show.stdout.contains("sealed bag 17"))
        #expect(show.stdout.contains("received  by Lab") && show.stdout.contains("verified  by Analyst"))
        #expect(show.stdout.contains("chain: intact (4 events, the bundle matches the last one)"))
        #expect(try lines(signed).count == 4)
    }

    @Test func anEditedLineIsReported() throws {
        let signed = try threeEvents()
        var log = try lines(signed)
        log[1] = log[1].replacingOccurrences(of: "Courier", with: "Nobody")
        try writeLines(signed, log)
        let show = try Run.extriage(["custody", "show", signed.bundle])
        #expect(show.status == 3)
        #expect(show.stdout.contains("line 3: chain broken: line 2 was edited, removed or reordered"))
    }

    @Test func aSignedLastLineCannotBeEditedUnnoticed() throws {
        let signed = try threeEvents()
        var log = try lines(signed)
        log[3] = log[3].replacingOccurrences(of: "Analyst", with: "Intruder")
        try writeLines(signed, log)
        let show = try Run.extriage(["custody", "show", signed.bundle])
        #expect(show.status == 3)
        #expect(show.stdout.contains("line 4: signature by"))
    }

    @Test func aDeletedLineIsReported() throws {
        let signed = try threeEvents()
        var log = try lines(signed)
        log.remove(at: 1)
        try writeLines(signed, log)
        let show = try Run.extriage(["custody", "show", signed.bundle])
        #expect(show.status == 3)
        #expect(show.stdout.contains("line 2: chain broken"))
        #expect(show.stdout.contains("line 2: sequence number 3, expected 2"))
    }

    @Test func reorderedLinesAreReported() throws {
        let signed = try threeEvents()
        var log = try lines(signed)
        log.swapAt(1, 2)
        try writeLines(signed, log)
        let show = try Run.extriage(["custody", "show", signed.bundle])
        #expect(show.status == 3)
        #expect(show.stdout.contains("line 2: chain broken"))
    }

    /// The `events: N, head H` line `custody show` prints.
    func recorded(_ show: Run) throws -> (events: String, head: String) {
        let line = try #require(show.stdout.split(separator: "\n").first { $0.hasPrefix("events: ") }, "\(show.stdout)")
        let words = line.split(separator: " ").map(String.init)
        return (String(words[1].dropLast()), words[3])
    }

    /// Issue #14 item 7: an empty log (its write failed) is never "intact".
    @Test func anEmptyLogIsNotIntact() throws {
        let signed = try SignedBundle()
        try Data().write(to: URL(fileURLWithPath: signed.bundle + ".custody.jsonl"))
        let show = try Run.extriage(["custody", "show", signed.bundle])
        #expect(show.status == 3, "\(show.stdout)")
        #expect(show.stdout.contains("no events: the collected event is missing"))
        #expect(show.stdout.contains("chain: NOT INTACT") && !show.stdout.contains("intact (0 events"))
        let verify = try signed.verify()
        #expect(verify.stdout.contains("custody log: no events: the collected event is missing"))
    }

    /// Issue #14 item 8: lines cut from the end keep the chain whole; the recorded head and count catch it.
    @Test func linesCutFromTheEndAreCaughtByTheRecordedHead() throws {
        let signed = try threeEvents()
        let (events, head) = try recorded(try Run.extriage(["custody", "show", signed.bundle]))
        let lastLine = try lines(signed)[3]
        #expect(events == "4" && head == sha256Hex(Array(lastLine.utf8)))
        let verified = try signed.verify()
        #expect(verified.stdout.contains("custody:  4 events, head \(head)"), "\(verified.stdout)")
        #expect(try Run.extriage(["custody", "show", signed.bundle, "--expect-head", head, "--expect-events", "4"]).status == 0)

        try writeLines(signed, Array(try lines(signed).prefix(2)))
        let plain = try Run.extriage(["custody", "show", signed.bundle])
        #expect(plain.status == 0 && plain.stdout.contains("events: 2, head "), "the chain alone cannot tell")
        let byHead = try Run.extriage(["custody", "show", signed.bundle, "--expect-head", head])
        #expect(byHead.status == 3, "\(byHead.stdout)")
        #expect(byHead.stdout.contains("the recorded head \(head.prefix(16))… is not in the custody log"))
        #expect(byHead.stdout.contains("chain: NOT INTACT"))
        let byCount = try Run.extriage(["custody", "show", signed.bundle, "--expect-events", events])
        #expect(byCount.status == 3 && byCount.stdout.contains("the custody log has 2 events, 4 were recorded"), "\(byCount.stdout)")
        let verify = try signed.verify(["--expect-head", head, "--expect-events", events])
        #expect(verify.status == 3 && verify.stdout.contains("verdict:  NOT INTACT"), "\(verify.stdout)")
        #expect(verify.stdout.contains("problem: custody log: the custody log has 2 events, 4 were recorded"))
        #expect(verify.stdout.contains("problem: custody log: the recorded head"))
    }

    @Test func eventsAddedAfterTheRecordedHeadAreFine() throws {
        let signed = try threeEvents()
        let (_, head) = try recorded(try Run.extriage(["custody", "show", signed.bundle]))
        #expect(try Run.extriage(["custody", "add", signed.bundle, "--actor", "Lab", "--action", "note"]).status == 0)
        let show = try Run.extriage(["custody", "show", signed.bundle, "--expect-head", head, "--expect-events", "4"])
        #expect(show.status == 0, "\(show.stdout)")
        #expect(show.stdout.contains("note: the recorded head is event 4; 1 event was added after it"))
        #expect(try signed.verify(["--expect-head", head, "--expect-events", "4"]).status == 0)
        let wrongPlace = try Run.extriage(["custody", "show", signed.bundle, "--expect-head", head, "--expect-events", "5"])
        #expect(wrongPlace.status == 3 && wrongPlace.stdout.contains("is event 4, not event 5"))
        let bad = try Run.extriage(["custody", "show", signed.bundle, "--expect-head", "abc"])
        #expect(bad.status == 1 && bad.stderr.contains("64 hexadecimal digits"))
    }

    @Test func customFieldsAreLimited() throws {
        let signed = try SignedBundle()
        let long = try Run.extriage(["custody", "add", signed.bundle, "--actor", "A", "--action", "note", "--note", String(repeating: "x", count: 5000)])
        #expect(long.status == 1 && long.stderr.contains("at most 4096"))
        let bad = try Run.extriage(["custody", "add", signed.bundle, "--actor", "A", "--action", "collected"])
        #expect(bad.status == 1)
    }
}

@Suite struct KeyTests {
    @Test func keysAreWrittenPrivatelyAndReadBack() throws {
        let temp = try TemporaryDirectory()
        let run = try Run.extriage(["keygen", "--out", temp.path + "/k"])
        #expect(run.status == 0)
        var info = stat()
        stat(temp.path + "/k.key", &info)
        #expect(info.st_mode & 0o777 == 0o600)
        let key = try SigningKeys.loadPrivateKey(path: temp.path + "/k.key")
        let publicKey = try SigningKeys.loadPublicKey(path: temp.path + "/k.pub")
        #expect(key.publicKey.rawRepresentation == publicKey.rawRepresentation)
        #expect(run.stdout.contains("fingerprint: \(SigningKeys.fingerprint(publicKey))"))
        #expect(try Run.extriage(["keygen", "--out", temp.path + "/k"]).status == 1)
        chmod(temp.path + "/k.key", 0o644)
        #expect(throws: ExTriageError.self) { try SigningKeys.loadPrivateKey(path: temp.path + "/k.key") }
    }

    @Test func opensslReadsTheKeys() throws {
        let temp = try TemporaryDirectory()
        #expect(try Run.extriage(["keygen", "--out", temp.path + "/k"]).status == 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["pkey", "-in", temp.path + "/k.key", "-pubout", "-out", temp.path + "/derived.pub"]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(try String(contentsOfFile: temp.path + "/derived.pub", encoding: .utf8) == String(contentsOfFile: temp.path + "/k.pub", encoding: .utf8))
    }
}
