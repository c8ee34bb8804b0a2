import ExTriageCore
import Prefetch
import Testing
import TestSupport

/// libscca behind PrefetchFile over SCCA files written at test time (formats 17, 23 and 30, and
/// format 30 MAM-compressed with LZXPRESS Huffman as Windows 10 and Server 2016+ write it).
@Suite struct PrefetchFileTests {
    static let files = ["\\VOLUME{01d70fe1a2b3c4d5-5e6f7a8b}\\WINDOWS\\SYSTEM32\\NTDLL.DLL",
                        "\\VOLUME{01d70fe1a2b3c4d5-5e6f7a8b}\\PROGRAMDATA\\PROCDUMP64.EXE"]

    static func spec(version: Int, runs: [String], truncate: Int? = nil) -> [String: Any] {
        var spec: [String: Any] = ["version": version, "executable": "PROCDUMP64.EXE", "hash": "1A2B3C4D", "run_count": 5,
                                   "last_runs": runs, "files": files]
        if let truncate { spec["truncate"] = truncate }
        return spec
    }

    @Test(arguments: [17, 23, 30])
    func readsNameRunCountRunTimesAndLoadedFiles(version: Int) throws {
        let runs = ["2021-03-03T07:46:58Z", "2021-03-03T07:20:30Z", "2021-03-02T22:00:00Z"]
        let file = try PrefetchFile(bytes: try SampleFormatWriters.prefetch(Self.spec(version: version, runs: runs)), name: "P.pf")
        #expect(file.formatVersion == UInt32(version))
        #expect(file.executable == "PROCDUMP64.EXE" && file.prefetchHash == 0x1A2B_3C4D && file.runCount == 5)
        // Formats before 26 keep only the last run time.
        let expected = (version >= 26 ? runs : [runs[0]]).compactMap { Timestamp(iso8601: $0) }
        #expect(file.lastRuns == expected)
        #expect(file.loadedFiles == Self.files)
    }

    @Test func aTruncatedFileThrowsWithLibsccasReason() throws {
        let bytes = try SampleFormatWriters.prefetch(Self.spec(version: 30, runs: ["2021-03-03T07:46:58Z"], truncate: 200))
        #expect(bytes.count == 200)
        do {
            _ = try PrefetchFile(bytes: bytes, name: "Windows/Prefetch/CUT.EXE-00000000.pf")
            Issue.record("a cut prefetch file was read")
        } catch let error as ExTriageError {
            #expect(error.path == "Windows/Prefetch/CUT.EXE-00000000.pf")
            #expect(error.message.hasPrefix("not a readable prefetch file"))
        }
    }

    @Test func aWindows10CompressedFileReadsLikeTheUncompressedOne() throws {
        let runs = ["2021-03-03T07:46:31Z", "2021-03-03T07:46:20Z"]
        var spec = Self.spec(version: 30, runs: runs)
        spec["compress"] = true
        let bytes = try SampleFormatWriters.prefetch(spec)
        #expect(Array(bytes.prefix(4)) == Array("MAM".utf8) + [4], "the MAM header, compression format 4 (LZXPRESS Huffman)")
        let plain = try SampleFormatWriters.prefetch(Self.spec(version: 30, runs: runs))
        #expect(bytes.count < plain.count)
        let file = try PrefetchFile(bytes: bytes, name: "PROCDUMP64.EXE-1A2B3C4D.pf")
        #expect(file.formatVersion == 30 && file.executable == "PROCDUMP64.EXE" && file.runCount == 5)
        #expect(file.lastRuns == runs.compactMap { Timestamp(iso8601: $0) })
        #expect(file.loadedFiles == Self.files)
    }

    @Test func aCompressedFileCutShortThrows() throws {
        var spec = Self.spec(version: 30, runs: ["2021-03-03T07:46:58Z"])
        spec["compress"] = true
        let bytes = try SampleFormatWriters.prefetch(spec)
        // Cut inside the Huffman table: libfwnt refuses the stream. (Cut later, libscca reads what decodes: no crash either way.)
        #expect(throws: ExTriageError.self) { _ = try PrefetchFile(bytes: Array(bytes.prefix(100)), name: "CUT.pf") }
        _ = try? PrefetchFile(bytes: Array(bytes.prefix(bytes.count / 2)), name: "CUT.pf")
    }
}
