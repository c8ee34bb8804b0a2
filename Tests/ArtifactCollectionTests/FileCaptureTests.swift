@testable import ArtifactCollection
import EvidenceBundle
import EvidenceSource
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// A definition for the captures below: content mode, 1 KiB cap unless told otherwise.
func definition(_ mode: ArtifactMode = .content, sizeCap: UInt64 = 1024) -> ArtifactDefinition {
    ArtifactDefinition(name: "test.files", description: "test", paths: ["**"], sizeCap: sizeCap, mode: mode, references: [])
}

func selected(_ path: String) -> SelectedFile {
    let evidencePath = EvidencePath(parsing: path)
    return SelectedFile(volume: "C", path: evidencePath,
                        entry: SourceEntry(name: evidencePath.name ?? PathComponent(path), kind: .file, size: 0, times: FileTimes()),
                        artifactIndex: 0, patternIndexes: [0], memberPath: "evidence/C/" + path)
}

/// Step 1: how a file will be stored.
@Suite struct StoragePlanTests {
    func plan(_ head: [UInt8], name: String = "file.log", _ definition: ArtifactDefinition = definition(),
              size: UInt64 = 100, collectDumps: Bool = false) -> StoragePlan {
        StoragePlan(head: head, foldedName: name, definition: definition, declaredSize: size,
                    collectDumps: collectDumps, traceHeadBytes: 16)
    }

    @Test func anOrdinaryFileIsStoredWholeUpToTheCap() {
        let small = plan(Array("#Fie".utf8))
        #expect(!small.trace && small.mode == .content && small.storedSize == 100 && small.reasons.isEmpty)
        #expect(plan(Array("#Fie".utf8), size: 5000).storedSize == 1024)
    }

    @Test func theMinidumpMagicTracesTheFile() {
        let dump = plan(Array("MDMP".utf8), size: 5000)
        #expect(dump.isMinidump && dump.trace && dump.mode == .trace && dump.storedSize == 16)
        #expect(dump.reasons == ["starts with the minidump magic MDMP"])
        #expect(!plan(Array("MDM".utf8)).isMinidump)
    }

    @Test func aDumpNameTracesTheFileAndSaysWhyUnlessTheDefinitionAskedForTrace() {
        let named = plan(Array("abcd".utf8), name: "lsass.dmp")
        #expect(named.namedLikeDump && named.trace && named.reasons == ["named like a memory dump"])
        let traced = plan(Array("abcd".utf8), name: "lsass.dmp", definition(.trace))
        #expect(traced.trace && traced.reasons.isEmpty)
    }

    @Test func collectDumpsStoresDumpsWholeButStillNotesTheMagic() {
        let whole = plan(Array("MDMP".utf8), name: "x.hdmp", collectDumps: true)
        #expect(!whole.trace && whole.mode == .content && whole.storedSize == 100)
        #expect(whole.reasons == ["starts with the minidump magic MDMP"])
    }
}

/// Step 2: one read of the file through the hashers into its member.
@Suite struct FileCopyTests {
    let temp: TemporaryDirectory
    let volume: String

    init() throws {
        temp = try TemporaryDirectory()
        volume = try temp.makeDirectory("volume")
    }

    /// Copies `path` with `plan` through a `chunkSize` buffer; returns the result and the member's bytes.
    func copy(_ path: String, plan: (UInt64) -> StoragePlan, chunkSize: Int = 1000,
              fault: FaultySource.Fault? = nil) throws -> (FileCopy, [UInt8]) {
        let base = try DirectorySource(path: volume)
        let source: any EvidenceSource = fault.map { FaultySource(base: base, faults: [path: $0]) } ?? base
        let bundle = temp.path + "/out.tar"
        let descriptor = open(bundle, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { close(descriptor) }
        let writer = try TarWriter(descriptor: descriptor, displayPath: bundle)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        let capture = FileCapture(writer: writer, buffer: buffer, traceHeadBytes: 0, collectDumps: false, observer: nil)
        let file = try FileCapture.open(selected(path), in: source)
        defer { file.close() }
        let result = try capture.copy(file, firstChunk: capture.readChunk(file), plan: plan(file.size), member: "evidence/C/" + path)
        _ = try writer.close()
        let member = try #require(try BundleSurgery.members(of: bundle).first)
        return (result, member.bytes)
    }

    func content(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7) } }

    func plan(storing limit: UInt64) -> (UInt64) -> StoragePlan {
        { size in
            StoragePlan(head: [], foldedName: "f", definition: definition(sizeCap: limit), declaredSize: size,
                        collectDumps: false, traceHeadBytes: 0)
        }
    }

    @Test func aWholeFileIsStoredAndHashedAsRead() throws {
        let bytes = content(3500)
        try temp.write("volume/whole.log", bytes)
        let (copy, member) = try self.copy("whole.log", plan: plan(storing: 1 << 20))
        #expect(member == bytes)
        #expect(copy.total == 3500 && copy.stored == 3500 && copy.padded == 0 && copy.readError == nil && copy.sizeAfter == 3500)
        #expect(copy.fileDigests == ContentHasher.digests(of: bytes) && copy.memberDigests == nil && !copy.changedContent)
    }

    @Test func aCutInsideAChunkStoresTheHeadAndHashesBoth() throws {
        let bytes = content(3500)
        try temp.write("volume/big.log", bytes)
        let (copy, member) = try self.copy("big.log", plan: plan(storing: 1500))
        #expect(member == Array(bytes.prefix(1500)))
        #expect(copy.total == 3500 && copy.stored == 1500 && copy.changedContent)
        #expect(copy.fileDigests == ContentHasher.digests(of: bytes))
        #expect(copy.memberDigests == ContentHasher.digests(of: Array(bytes.prefix(1500))))
    }

    @Test func aReadErrorKeepsWhatWasReadAndPadsTheMember() throws {
        let bytes = content(3500)
        try temp.write("volume/bad.log", bytes)
        let (copy, member) = try self.copy("bad.log", plan: plan(storing: 1 << 20), fault: .readFails(afterBytes: 2200))
        let kept = Array(bytes.prefix(2200))
        #expect(copy.readError?.contains("Input/output error") == true)
        #expect(copy.total == 2200 && copy.stored == 2200 && copy.padded == 1300)
        #expect(member == kept + [UInt8](repeating: 0, count: 1300))
        #expect(copy.fileDigests == ContentHasher.digests(of: kept) && copy.memberDigests == ContentHasher.digests(of: member))
    }

    @Test func aFileThatShrankIsPaddedToItsDeclaredSize() throws {
        try temp.write("volume/shrank.log", content(800))
        let (copy, member) = try self.copy("shrank.log", plan: plan(storing: 1 << 20), fault: .shrinks(byBytes: 200))
        #expect(copy.total == 800 && copy.padded == 200 && member.count == 1000 && copy.readError == nil)
    }
}

/// Step 3: the manifest entry and the outcome.
@Suite struct CapturedFileTests {
    func captured(_ copy: FileCopy, plan: StoragePlan? = nil, declaredSize: UInt64 = 100,
                  unreadable: [UnreadableRange] = []) -> CapturedFile {
        let plan = plan ?? StoragePlan(head: Array("abcd".utf8), foldedName: "a.log", definition: definition(),
                                       declaredSize: declaredSize, collectDumps: false, traceHeadBytes: 16)
        return CapturedFile(selected: selected("inetpub/a.log"), definition: definition(), plan: plan, copy: copy,
                            declaredSize: declaredSize, times: FileTimes(modified: Timestamp(seconds: 1_614_735_582)),
                            record: FileRecordInfo(entry: 42, sequence: 0), unreadable: unreadable)
    }

    let digests = ContentHasher.digests(of: Array("whole".utf8))
    let head = ContentHasher.digests(of: Array("head".utf8))

    @Test func aFileReadWholeIsCollectedWithoutAReason() {
        let entry = captured(FileCopy(total: 100, stored: 100, sizeAfter: 100, fileDigests: digests)).entry
        #expect(entry.status == .collected && entry.reason == nil && entry.stored == nil)
        #expect(entry.path == "evidence/C/inetpub/a.log" && entry.sourcePath == "inetpub/a.log" && entry.size == 100)
        #expect(entry.sha256 == digests.sha256 && entry.mode == .content && entry.flags == nil)
        #expect(entry.modified == Timestamp(seconds: 1_614_735_582) && entry.mftEntry == 42 && entry.mftSequence == nil)
    }

    @Test func aTracedDumpIsPartialWithItsHeadDigests() {
        let plan = StoragePlan(head: Array("MDMP".utf8), foldedName: "lsass.dmp", definition: definition(),
                               declaredSize: 100, collectDumps: false, traceHeadBytes: 16)
        let entry = captured(FileCopy(total: 100, stored: 16, sizeAfter: 100, fileDigests: digests, memberDigests: head),
                             plan: plan).entry
        #expect(entry.status == .partial && entry.mode == .trace && entry.flags == ["minidump"])
        #expect(entry.reason == "starts with the minidump magic MDMP; trace mode: whole file hashed, only the first 16 bytes stored")
        #expect(entry.stored == Manifest.StoredContent(size: 16, digests: head) && entry.memberSize == 16)
    }

    @Test func aFileOverTheCapSaysSo() {
        let file = captured(FileCopy(total: 5000, stored: 1024, sizeAfter: 5000, fileDigests: digests, memberDigests: head),
                            declaredSize: 5000)
        #expect(file.isPartial)
        #expect(file.reasons == ["larger than the size cap of \(ByteCount.format(1024)): whole file hashed, only the first 1024 bytes stored"])
    }

    @Test func aReadErrorAndPaddingAreBothStated() {
        let file = captured(FileCopy(total: 60, stored: 60, padded: 40, readError: "Input/output error", sizeAfter: 100,
                                     fileDigests: digests, memberDigests: head))
        #expect(file.reasons == ["read error after 60 bytes (Input/output error)",
                                 "member padded with 40 zero bytes after offset 60 to its declared size"])
        #expect(file.entry.status == .partial)
    }

    @Test func aFileThatGrewWhileReadIsPartial() {
        let grew = captured(FileCopy(total: 150, stored: 100, sizeAfter: 150, fileDigests: digests, memberDigests: head))
        #expect(grew.isPartial)
        #expect(grew.reasons == ["file changed size while read: 100 bytes when opened, 150 read, 150 after"])
    }

    @Test func aFileThatChangedOnlyAfterItsReadIsCollectedWithAReason() {
        let changed = captured(FileCopy(total: 100, stored: 100, sizeAfter: 150, fileDigests: digests))
        #expect(!changed.isPartial && changed.entry.status == .collected && changed.entry.stored == nil)
        #expect(changed.entry.reason == "file changed size while read: 100 bytes when opened, 100 read, 150 after")
    }

    @Test func unreadableImageRangesAreRecorded() {
        let lost = [UnreadableRange(offset: 10, length: 5, imageOffset: 4096, cause: "bad sector")]
        let entry = captured(FileCopy(total: 100, stored: 100, sizeAfter: 100, fileDigests: digests), unreadable: lost).entry
        #expect(entry.status == .partial && entry.unreadableRanges == lost)
        #expect(entry.reason == "5 bytes in 1 range(s) could not be read from the image and are zeros in the member: \(lost[0])")
    }
}

/// The outcome a captured file adds to the collection's file rows.
@Suite struct FileProblemTests {
    func entry(size: UInt64, unreadable: [UnreadableRange]? = nil) -> Manifest.Entry {
        var entry = Manifest.Entry(path: "evidence/C/a", sourcePath: "a", sourcePathHex: nil, volume: "C", size: size,
                                   digests: ContentHasher.digests(of: []), times: (nil, nil, nil, nil), artifact: "test.files",
                                   status: .partial, reason: nil, stored: nil)
        entry.unreadableRanges = unreadable
        return entry
    }

    @Test func aReadErrorFailsTheFile() {
        let problem = FileProblem.afterCapture(selected("a"), entry: entry(size: 60), bytesRead: 60, readError: "Input/output error")
        #expect(problem?.status == .failed)
        #expect(problem?.reason == "read error after 60 bytes (Input/output error); the member holds the bytes read, zero-padded")
    }

    @Test func unreadableRangesFailAWholeFileAndMakeAPartOfOnePartial() {
        let some = [UnreadableRange(offset: 0, length: 10, imageOffset: nil, cause: "bad sector")]
        let partial = FileProblem.afterCapture(selected("a"), entry: entry(size: 100, unreadable: some), bytesRead: 100, readError: nil)
        #expect(partial?.status == .partial && partial?.reason == "unreadable in the image, zeros in the member: file bytes 0-9: bad sector")
        let all = FileProblem.afterCapture(selected("a"), entry: entry(size: 10, unreadable: some), bytesRead: 10, readError: nil)
        #expect(all?.status == .failed)
    }

    @Test func aCleanCaptureHasNoProblem() {
        #expect(FileProblem.afterCapture(selected("a"), entry: entry(size: 10), bytesRead: 10, readError: nil) == nil)
    }

    @Test func aFileThatCannotBeOpenedFailsWithoutAMember() throws {
        let temp = try TemporaryDirectory()
        let volume = try temp.makeDirectory("volume")
        try temp.write("volume/locked.log", "secret")
        let source = FaultySource(base: try DirectorySource(path: volume), faults: ["locked.log": .openFails])
        let bundle = temp.path + "/out.tar"
        let descriptor = open(bundle, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { close(descriptor) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1024, alignment: 64)
        defer { buffer.deallocate() }
        let capture = FileCapture(writer: try TarWriter(descriptor: descriptor, displayPath: bundle), buffer: buffer,
                                  traceHeadBytes: 16, collectDumps: false, observer: nil)
        guard case .failed(let reason) = try capture.capture(selected("locked.log"), from: source, definition: definition()) else {
            Issue.record("a member was written for a file that cannot be opened")
            return
        }
        #expect(reason.hasPrefix("cannot open: ") && reason.contains("Permission denied"))
    }
}
