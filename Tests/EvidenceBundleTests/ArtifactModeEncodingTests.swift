import EvidenceBundle
import ExTriageCore
import Testing

/// `mode` in manifest.json is the same word it was as a String: `content` or `trace`, or absent.
@Suite struct ArtifactModeEncodingTests {
    func encodedEntry(mode: ArtifactMode?) throws -> String {
        var manifest = SampleBundle().manifest
        manifest.entries[0].mode = mode
        return String(decoding: try ManifestCodec.encode(manifest), as: UTF8.self)
    }

    @Test func modesEncodeAsTheirWords() throws {
        #expect(try encodedEntry(mode: .trace).contains(#""mode" : "trace""#))
        #expect(try encodedEntry(mode: .content).contains(#""mode" : "content""#))
        #expect(!(try encodedEntry(mode: .content).contains(#""mode" : "trace""#)))
    }

    @Test func anEntryWithoutAModeHasNoModeKey() throws {
        var manifest = SampleBundle().manifest
        for index in manifest.entries.indices { manifest.entries[index].mode = nil }
        let text = String(decoding: try ManifestCodec.encode(manifest), as: UTF8.self)
        #expect(!text.contains("\"mode\""))
        #expect(try ManifestCodec.decode(Array(text.utf8)).entries.allSatisfy { $0.mode == nil })
    }

    @Test func bothWordsDecode() throws {
        let bytes = Array(try encodedEntry(mode: .trace).utf8)
        let entries = try ManifestCodec.decode(bytes).entries
        #expect(entries.map(\.mode) == [.trace, .content, .content])
        #expect(ArtifactMode(rawValue: "trace") == .trace && ArtifactMode(rawValue: "TRACE") == nil)
    }
}
