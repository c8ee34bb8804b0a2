@testable import ArtifactCollection
import EvidenceBundle
import EvidenceSource
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// A small profile with one artifact per behaviour under test.
private let testProfiles: [(String, String)] = [
    ("artifacts/t/web/files.yaml", """
        version: 1
        name: t.web.files
        description: Web files.
        paths: ["inetpub/**/*"]
        sizeCap: 1 KiB
        """),
    ("artifacts/t/exchange/logs.yaml", """
        version: 1
        name: t.exchange.logs
        description: Exchange logs.
        paths: ["%ExchangeInstallPath%/Logging/**/*.LOG", "%ExchangeInstallPath%/Logging/NoSuchFolder/*.LOG"]
        sizeCap: 1 GiB
        """),
    ("artifacts/t/hunting/temp.yaml", """
        version: 1
        name: t.hunting.temp
        description: Temp.
        paths: ["%SystemRoot%/Temp/**/*"]
        sizeCap: 64 MiB
        """),
    ("profiles/t.yaml", "version: 1\nname: t\ndescription: test\nartifacts: [t.web.files, t.exchange.logs, t.hunting.temp]\n"),
]

struct Harness {
    let temp: TemporaryDirectory
    let source: String
    let library: ProfileLibrary

    init() throws {
        temp = try TemporaryDirectory()
        source = try temp.makeDirectory("volume")
        for (path, text) in testProfiles { try temp.write("profiles/" + path, text) }
        library = try ProfileLibrary.load(builtIn: Repository.profiles, overrides: [temp.path + "/profiles"])
    }

    func file(_ relative: String, _ bytes: [UInt8]) throws { try temp.write("volume/" + relative, bytes) }
    func file(_ relative: String, _ text: String) throws { try temp.write("volume/" + relative, text) }

    func collect(_ name: String = "out.tar", profile: String = "t", faults: [String: FaultySource.Fault] = [:],
                 collectDumps: Bool = false, force: Bool = false,
                 failing: (step: OutputFile.Step, errno: Int32)? = nil, manifestLimit: Int? = nil,
                 signingKey: SigningKey? = nil) throws -> CollectionSummary {
        let base = try DirectorySource(path: source)
        let evidence: any EvidenceSource = faults.isEmpty ? base : FaultySource(base: base, faults: faults)
        var request = CollectionRequest(
            source: evidence, output: temp.path + "/" + name,
            caseRecord: .init(caseId: "CASE-1", evidenceId: "E1", examiner: "Tester", notes: nil),
            profile: try library.resolve(profile: profile), collectDumps: collectDumps, force: force)
        request.chunkSize = 4096
        request.injectedOutputFailure = failing
        request.signingKey = signingKey
        if let manifestLimit { request.manifestSizeLimit = manifestLimit }
        // The collector keeps no entries: the manifest the tests look at is the one written.
        var summary = try Collector(request: request).run()
        summary.manifest = try summary.writtenManifest()
        return summary
    }
}

@Suite struct CollectorTests {
    @Test func bundleMembersMatchTheManifestAndTheSidecar() throws {
        let harness = try Harness()
        try harness.file("Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030305-1.LOG", "#Software: Microsoft Exchange Server\n")
        try harness.file("inetpub/wwwroot/aspnet_client/a.aspx", "<%@ Page %>")
        try harness.file("Windows/Temp/x.tmp", [UInt8](repeating: 9, count: 10_000))
        try harness.file("Windows/System32/not-selected.dll", "MZ")
        let summary = try harness.collect()
        #expect(summary.exitStatus == .success)
        #expect(!FileManager.default.fileExists(atPath: summary.bundlePath + ".partial"))
        let sidecar = try String(contentsOfFile: summary.bundlePath + ".sha256", encoding: .utf8)
        #expect(sidecar == "\(summary.bundleSHA256)  out.tar\n")
        let bytes = try #require(FileManager.default.contents(atPath: summary.bundlePath))
        #expect(sha256Hex(Array(bytes)) == summary.bundleSHA256)

        let contents = try BundleContents.read(summary.bundlePath)
        let manifest = try #require(contents.manifest)
        #expect(contents.members.last?.path == "manifest.json")
        let evidence = contents.members.dropLast()
        #expect(evidence.map(\.path) == manifest.entries.map(\.path))
        #expect(evidence.map(\.path) == evidence.map(\.path).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        for (member, entry) in zip(evidence, manifest.entries) {
            #expect(member.digests == entry.memberDigests)
            #expect(UInt64(member.size) == entry.memberSize)
        }
        #expect(manifest.entries.map(\.sourcePath) == [
            "Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030305-1.LOG",
            "Windows/Temp/x.tmp",
            "inetpub/wwwroot/aspnet_client/a.aspx",
        ])
        #expect(manifest.seal == Manifest.Seal(entries: manifest.entries))
        #expect(manifest.exchangeInstallPath?.discoveredBy == "default-location")
        #expect(manifest.case.caseId == "CASE-1" && manifest.case.examiner == "Tester")
        #expect(manifest.profile.name == "t" && manifest.profile.sha256.count == 64)
    }

    @Test func everyPatternHasAnOutcome() throws {
        let harness = try Harness()
        try harness.file("Program Files/Microsoft/Exchange Server/V15/Logging/ECP/Server/ECPServer20210303-1.LOG", "x")
        _ = try harness.temp.makeDirectory("volume/Windows/Temp")
        let manifest = try harness.collect().manifest
        let summaries = manifest.outcomes.filter { $0.path == nil }
        let expected = try harness.library.resolve(profile: "t").definitions.flatMap { loaded in loaded.value.paths.map { (loaded.value.name, $0) } }
        #expect(summaries.map { "\($0.artifact) \($0.pattern)" } == expected.map { "\($0.0) \($0.1)" })
        #expect(summaries.map(\.status) == [.missing, .collected, .missing, .empty])
        #expect(summaries[2].reason == "no such folder on the evidence")
    }

    @Test func sameEvidenceGivesTheSameMembersAndEntries() throws {
        let harness = try Harness()
        for index in 0..<20 { try harness.file("inetpub/logs/LogFiles/W3SVC1/u_ex2103\(index).log", "line \(index)\n") }
        try harness.file("Windows/Temp/big.bin", (0..<200_000).map { UInt8(truncatingIfNeeded: $0) })
        let first = try harness.collect("a.tar")
        let second = try harness.collect("b.tar")
        #expect(try BundleContents.read(first.bundlePath).members.dropLast() == BundleContents.read(second.bundlePath).members.dropLast())
        #expect(first.manifest.entries == second.manifest.entries)
        #expect(first.manifest.outcomes == second.manifest.outcomes)
        #expect(first.manifest.seal == second.manifest.seal)
    }

    @Test func sizeCapStoresTheHeadAndHashesTheWholeFile() throws {
        let harness = try Harness()
        let content = (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        try harness.file("inetpub/wwwroot/large.js", content)
        let summary = try harness.collect()
        let entry = try #require(summary.manifest.entries.first)
        #expect(entry.status == .partial)
        #expect(entry.size == 5000)
        #expect(entry.sha256 == ContentHasher.digests(of: content).sha256)
        #expect(entry.stored == Manifest.StoredContent(size: 1024, digests: ContentHasher.digests(of: Array(content[0..<1024]))))
        #expect(entry.reason?.contains("size cap") == true)
        let member = try #require(BundleContents.read(summary.bundlePath).members.first)
        #expect(member.size == 1024 && member.digests.sha256 == entry.stored?.sha256)
        #expect(summary.manifest.outcomes.first { $0.artifact == "t.web.files" }?.status == .partial)
    }

    @Test func minidumpsAreTracedUnlessDumpsAreWanted() throws {
        let harness = try Harness()
        let dump: [UInt8] = Array("MDMP".utf8) + [0x93, 0xA7, 0, 0] + [UInt8](repeating: 0x5A, count: (3 << 20) - 8)
        try harness.file("Windows/Temp/debug01.tmp", dump)
        let traced = try #require(try harness.collect("t.tar").manifest.entries.first)
        #expect(traced.mode == .trace && traced.flags == ["minidump"] && traced.status == .partial)
        #expect(traced.size == UInt64(dump.count) && traced.stored?.size == 1 << 20)
        #expect(traced.sha256 == ContentHasher.digests(of: dump).sha256)
        #expect(traced.stored?.sha256 == ContentHasher.digests(of: Array(dump[0..<(1 << 20)])).sha256)

        let whole = try #require(try harness.collect("w.tar", collectDumps: true).manifest.entries.first)
        #expect(whole.mode == .content && whole.stored == nil && whole.flags == ["minidump"])
    }

    @Test func unreadableFilesAreRecordedAndCollectionGoesOn() throws {
        let harness = try Harness()
        try harness.file("Windows/Temp/locked.tmp", "secret")
        try harness.file("Windows/Temp/ok.tmp", "fine")
        let summary = try harness.collect(faults: ["Windows/Temp/locked.tmp": .openFails])
        #expect(summary.exitStatus == .incomplete)
        #expect(summary.manifest.entries.map(\.sourcePath) == ["Windows/Temp/ok.tmp"])
        let failure = try #require(summary.manifest.outcomes.first { $0.path != nil })
        #expect(failure.status == .failed && failure.path == "C:/Windows/Temp/locked.tmp")
        #expect(failure.reason?.contains("Permission denied") == true)
        #expect(summary.manifest.outcomes.first { $0.path == nil && $0.artifact == "t.hunting.temp" }?.status == .partial)
    }

    @Test func readErrorsAndSizeChangesArePartialAndSaySo() throws {
        let harness = try Harness()
        try harness.file("Windows/Temp/bad-sector.bin", [UInt8](repeating: 1, count: 10_000))
        try harness.file("Windows/Temp/growing.log", [UInt8](repeating: 2, count: 6_000))
        try harness.file("Windows/Temp/shrinking.log", [UInt8](repeating: 3, count: 6_000))
        let summary = try harness.collect(faults: [
            "Windows/Temp/bad-sector.bin": .readFails(afterBytes: 4096),
            "Windows/Temp/growing.log": .grows(byBytes: 1000),
            "Windows/Temp/shrinking.log": .shrinks(byBytes: 500),
        ])
        let entries = Dictionary(uniqueKeysWithValues: summary.manifest.entries.map { ($0.sourcePath, $0) })
        #expect(summary.exitStatus == .incomplete)
        #expect(summary.manifest.outcomes.contains { $0.path == "C:/Windows/Temp/bad-sector.bin" && $0.status == .failed })
        let bad = try #require(entries["Windows/Temp/bad-sector.bin"])
        #expect(bad.status == .partial && bad.size == 4096)
        #expect(bad.reason?.contains("read error after 4096 bytes") == true)
        #expect(bad.stored?.size == 10_000)
        #expect(bad.stored?.sha256 == ContentHasher.digests(of: [UInt8](repeating: 1, count: 4096) + [UInt8](repeating: 0, count: 5904)).sha256)
        let grown = try #require(entries["Windows/Temp/growing.log"])
        #expect(grown.status == .partial && grown.size == 6_000 && grown.stored?.size == 5_000)
        #expect(grown.reason?.contains("changed size while read") == true)
        let shrunk = try #require(entries["Windows/Temp/shrinking.log"])
        #expect(shrunk.status == .partial && shrunk.stored?.size == 6_500)
        #expect(shrunk.reason?.contains("padded with 500 zero bytes") == true)
        let members = try BundleContents.read(summary.bundlePath).members
        for entry in summary.manifest.entries {
            #expect(members.first { $0.path == entry.path }?.digests == entry.memberDigests)
        }
    }

    @Test func unlistableDirectoriesAreFailures() throws {
        let harness = try Harness()
        try harness.file("Windows/Temp/sub/a.tmp", "a")
        let summary = try harness.collect(faults: ["Windows/Temp/sub": .listFails])
        let row = try #require(summary.manifest.outcomes.first { $0.path == "C:/Windows/Temp/sub" })
        #expect(row.status == .failed && row.reason?.contains("could not be listed") == true)
        #expect(summary.exitStatus == .incomplete)
    }

    @Test func linksAreRecordedNeverFollowed() throws {
        let harness = try Harness()
        let outside = try harness.temp.write("outside-secret.txt", "outside the evidence")
        _ = try harness.temp.makeDirectory("volume/inetpub/wwwroot")
        try FileManager.default.createSymbolicLink(atPath: harness.source + "/inetpub/wwwroot/escape.aspx", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: harness.source + "/inetpub/loop", withDestinationPath: "..")
        let summary = try harness.collect()
        #expect(summary.manifest.entries.isEmpty)
        let skipped = summary.manifest.outcomes.filter { $0.status == .skipped }
        #expect(skipped.map(\.path) == ["C:/inetpub/loop", "C:/inetpub/wwwroot/escape.aspx"])
        #expect(skipped.last?.reason?.contains(outside) == true)
        #expect(try BundleContents.read(summary.bundlePath).members.map(\.path) == ["manifest.json"])
    }

    @Test func namesThatAreNotUTF8AreCollectedUnderAnEscapedName() throws {
        let harness = try Harness()
        _ = try harness.temp.makeDirectory("volume/inetpub")
        let raw = Array((harness.source + "/inetpub/sh").utf8) + [0xE9, 0x6C, 0x6C] + Array(".aspx".utf8)
        var terminated = raw.map { CChar(bitPattern: $0) } + [0]
        let fd = open(&terminated, O_CREAT | O_WRONLY, 0o644)
        _ = write(fd, "x", 1)
        close(fd)
        let entry = try #require(try harness.collect().manifest.entries.first)
        #expect(entry.path == "evidence/C/inetpub/sh%E9ll.aspx")
        #expect(entry.sourcePathHex == Hex.encode(Array("inetpub/sh".utf8) + [0xE9, 0x6C, 0x6C] + Array(".aspx".utf8)))
    }

    @Test func lookAlikeEscapedNamesAreBothKept() throws {
        let harness = try Harness()
        try harness.file("inetpub/x%FF.aspx", "decoy")
        var raw = Array((harness.source + "/inetpub/x").utf8) + [0xFF] + Array(".aspx".utf8)
        raw.append(0)
        let fd = raw.withUnsafeBufferPointer { $0.baseAddress!.withMemoryRebound(to: CChar.self, capacity: raw.count) { open($0, O_CREAT | O_WRONLY, 0o644) } }
        _ = write(fd, "shell", 5)
        close(fd)
        let summary = try harness.collect()
        #expect(summary.manifest.entries.map(\.path) == ["evidence/C/inetpub/x%FF.aspx", "evidence/C/inetpub/x%FF.aspx~1"])
        #expect(summary.manifest.entries.map(\.size) == [5, 5] || summary.manifest.entries.map(\.size).sorted() == [5, 5])
        #expect(summary.manifest.entries.compactMap(\.sourcePathHex).count == 1)
        #expect(summary.exitStatus == .success)
    }

    @Test func dumpsByNameAreTracedWhateverArtifactMatched() throws {
        let harness = try Harness()
        try harness.file("inetpub/wwwroot/full.dmp", "PAGEDU64" + String(repeating: "x", count: 2000))
        let entry = try #require(try harness.collect().manifest.entries.first)
        #expect(entry.mode == .trace)
        #expect(entry.reason?.contains("named like a memory dump") == true)
    }

    @Test func outputProblemsAreFatalAndNothingIsOverwritten() throws {
        let harness = try Harness()
        try harness.file("inetpub/a.htm", "a")
        #expect(throws: ExTriageError.self) { try harness.collect("missing-dir/out.tar") }
        _ = try harness.collect("out.tar")
        let original = try #require(FileManager.default.contents(atPath: harness.temp.path + "/out.tar"))
        do {
            _ = try harness.collect("out.tar")
            Issue.record("expected outputExists")
        } catch let error as ExTriageError {
            #expect(error.code == .outputExists)
        }
        #expect(FileManager.default.contents(atPath: harness.temp.path + "/out.tar") == original)
        #expect(try harness.collect("out.tar", force: true).exitStatus == .success)
        do {
            _ = try harness.collect("volume/inside.tar")
            Issue.record("expected a refusal to write inside the source")
        } catch let error as ExTriageError {
            #expect(error.code == .invalidArgument)
        }
        #expect(!FileManager.default.fileExists(atPath: harness.source + "/inside.tar.partial"))
    }

    @Test func theSourceIsNotModified() throws {
        let temp = try TemporaryDirectory()
        let source = try Repository.copySample("exchange2016-compromised", into: temp)
        // Times only: reading content here would itself move access times.
        func snapshot() -> [String: String] {
            var out: [String: String] = [:]
            for relative in FileManager.default.subpaths(atPath: source) ?? [] {
                var info = stat()
                lstat(source + "/" + relative, &info)
                out[relative] = "\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) \(info.st_atim.tv_sec).\(info.st_atim.tv_nsec) \(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec) \(info.st_mode) \(info.st_size)"
            }
            return out
        }
        let before = snapshot()
        let library = try ProfileLibrary.load(builtIn: Repository.profiles, overrides: [])
        let request = CollectionRequest(source: try DirectorySource(path: source), output: temp.path + "/b.tar",
                                        caseRecord: .init(caseId: "C", evidenceId: nil, examiner: "E", notes: nil),
                                        profile: try library.resolve(profile: "exchange-triage"))
        let summary = try Collector(request: request).run()
        #expect(summary.filesCollected > 50)
        let after = snapshot()
        for (path, state) in before where after[path] != state {
            Issue.record("changed: \(path): \(state) -> \(after[path] ?? "gone")")
        }
        #expect(after.count == before.count)
        let original = Repository.root + "/Samples/images/exchange2016-compromised"
        for relative in FileManager.default.subpaths(atPath: original) ?? [] {
            #expect(FileManager.default.contents(atPath: source + "/" + relative) == FileManager.default.contents(atPath: original + "/" + relative))
        }
    }
}

@Suite struct InstallPathDiscoveryTests {
    func discover(_ files: [String]) throws -> InstallPathDiscovery.Found? {
        let temp = try TemporaryDirectory()
        for file in files { try temp.write(file, "x") }
        return InstallPathDiscovery(source: try DirectorySource(path: temp.path)).discover()
    }

    @Test func findsTheDefaultLocationInAnyCase() throws {
        let found = try discover(["PROGRAM FILES/microsoft/Exchange Server/v15/Bin/ExSetup.exe"])
        #expect(found?.path.escaped == "PROGRAM FILES/microsoft/Exchange Server/v15")
        #expect(found?.method == "default-location")
    }

    @Test func searchesForTheLoggingFolderElsewhere() throws {
        let found = try discover(["Exchange/V15/Logging/HttpProxy/Owa/HttpProxy_2022120708-1.LOG", "Other/V15/readme.txt"])
        #expect(found?.path.escaped == "Exchange/V15")
        #expect(found?.method == "logging-search")
    }

    @Test func fallsBackToExSetup() throws {
        let found = try discover(["Apps/Mail/Server/Bin/ExSetup.exe"])
        #expect(found?.path.escaped == "Apps/Mail/Server")
        #expect(found?.method == "exsetup-search")
    }

    @Test func reportsNothingWithoutExchange() throws {
        #expect(try discover(["Windows/System32/config/SYSTEM"]) == nil)
    }
}
