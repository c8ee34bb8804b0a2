@testable import EvidenceBundle
import ExTriageCore
import Foundation
import Testing

/// Issue #14 item 3: entry-by-entry decoding gives exactly what decoding the whole manifest gives.
@Suite struct ManifestEntryDecoderTests {
    /// A manifest whose strings need escaping: quotes, backslashes, control bytes, slashes, non-ASCII.
    static var awkward: Manifest {
        var sample = SampleBundle()
        sample.files = [("evidence/C/q\"uote\\back/tab\tbell\u{7}", [1]), ("evidence/C/ünï/çødé/😀/日本", [2, 3]),
                        ("evidence/C/plain", [])]
        var manifest = sample.manifest
        manifest.entries[0].flags = ["minidump", "a]b}c"]
        manifest.entries[1].stored = .init(size: 1, digests: ContentHasher.digests(of: [2]))
        manifest.entries[1].fileNameTimes = .init(modified: SampleBundle.time, accessed: nil, changed: nil, created: nil)
        manifest.entries[2].reason = "[{\"not\": \"structure\"}]"
        return manifest
    }

    @Test func sameEntriesAsTheWholeDocument() throws {
        let pretty = try ManifestCodec.encode(Self.awkward)
        let compact = Array(try JSONEncoder().encode(Self.awkward))
        for bytes in [pretty, compact] {
            let whole = try ManifestCodec.decode(bytes)
            #expect(try ManifestCodec.decodeEntryByEntry(bytes) == whole)
            #expect(whole == Self.awkward)
            #expect(ManifestEntryScanner.layout(of: bytes)?.elements.count == 3)
        }
    }

    @Test func escapesWrittenOtherwiseDecodeTheSame() throws {
        let text = String(decoding: try ManifestCodec.encode(Self.awkward), as: UTF8.self)
            .replacingOccurrences(of: "ünï", with: "\\u00fcn\\u00EF")
            .replacingOccurrences(of: "😀", with: "\\ud83d\\ude00")
            .replacingOccurrences(of: "evidence/C/plain", with: "evidence\\/C\\/plain")
        let bytes = Array(text.utf8)
        #expect(ManifestEntryScanner.layout(of: bytes) != nil)
        let whole = try ManifestCodec.decode(bytes)
        #expect(try ManifestCodec.decodeEntryByEntry(bytes) == whole)
        #expect(whole.entries.map(\.path) == Self.awkward.entries.map(\.path))
    }

    @Test func emptyEntriesAndReorderedKeys() throws {
        var manifest = Self.awkward
        manifest.entries = []
        let bytes = try ManifestCodec.encode(manifest)
        #expect(try ManifestCodec.decodeEntryByEntry(bytes) == ManifestCodec.decode(bytes))
        // `entries` first rather than in sorted place: still located.
        let unsorted = Array(try JSONEncoder().encode(Self.awkward))
        #expect(try ManifestCodec.decodeEntryByEntry(unsorted) == Self.awkward)
    }

    /// Odd or broken documents decode, or fail with exactly the error, as the whole document does.
    @Test func malformedManifestsFailAsTheWholeDocumentDoes() throws {
        let good = String(decoding: try ManifestCodec.encode(Self.awkward), as: UTF8.self)
        let broken: [String] = [
            "", "{not json", "[]", "{}", String(good.dropLast(20)), good + "x", good + "{}",
            good.replacingOccurrences(of: "\"entries\" : [", with: "\"entries\" : [,"),
            good.replacingOccurrences(of: "\"entries\" : [", with: "\"entries\" : 7, \"x\" : ["),
            good.replacingOccurrences(of: "\"entries\" : [", with: "\"entries\" : [], \"entries\" : ["),
            good.replacingOccurrences(of: "\"entries\" : [", with: "\"entr\\u0069es\" : [], \"entries\" : ["),
            good.replacingOccurrences(of: "\"sha256\" : \"", with: "\"sha256\" : 1, \"x\" : \""),
            good.replacingOccurrences(of: "\"size\" : ", with: "\"size\" : -"),
            good.replacingOccurrences(of: "\"path\" : \"evidence", with: "\"path\" : \"\u{1}evidence"),
            good.replacingOccurrences(of: "\"schemaVersion\" : 1", with: "\"schemaVersion\" : 2"),
        ]
        for text in broken {
            let bytes = Array(text.utf8)
            var scan = BundleScan()
            scan.manifestBytes = bytes
            let result = ManifestCheck.manifest(of: scan)
            do {
                let whole = try ManifestCodec.decode(bytes)
                #expect((try? result.get().manifest) == whole, "\(text.prefix(60))")
            } catch {
                guard case .failure(let unavailable) = result else {
                    Issue.record("decoded a broken manifest: \(text.prefix(60))")
                    continue
                }
                #expect(unavailable.problem == .manifestInvalid(error))
                #expect(unavailable.verdict == .notIntact)
            }
        }
    }

    @Test func deepNestingFallsBackToTheWholeDocument() throws {
        let deep = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
        let text = String(decoding: try ManifestCodec.encode(Self.awkward), as: UTF8.self)
            .replacingOccurrences(of: "\"artifact\" :", with: "\"extra\" : \(deep), \"artifact\" :")
        let bytes = Array(text.utf8)
        #expect(ManifestEntryScanner.layout(of: bytes) == nil)
        #expect(try ManifestCodec.decodeEntryByEntry(bytes) == ManifestCodec.decode(bytes))
    }
}
