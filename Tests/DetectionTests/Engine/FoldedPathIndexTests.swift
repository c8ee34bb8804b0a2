@testable import Detection
import EvidenceBundle
import ExTriageCore
import Testing

/// The folded-path index answers as a `[String: Manifest.Entry]` keyed by the lowercased source
/// path would, without holding those keys.
@Suite struct FoldedPathIndexTests {
    static func entry(_ path: String, stream: String? = nil) -> Manifest.Entry {
        var entry = WebShellLocationTests.entry(path)
        if let stream {
            entry.path += ":" + stream
            entry.stream = stream
        }
        return entry
    }

    @Test func findsEntriesByFoldedPathKeepingTheLaterOfTwoAlike() {
        let entries = [
            Self.entry("inetpub/wwwroot/Shell.aspx"),
            Self.entry("inetpub/wwwroot/Shell.aspx", stream: "Zone.Identifier"),
            Self.entry("Windows/Temp/a.tmp"),
            Self.entry("Windows/Temp/caf\u{E9}.aspx"),
        ]
        let index = FoldedPathIndex(entries)
        var dictionary: [String: Manifest.Entry] = [:]
        for entry in entries { dictionary[entry.sourcePath.lowercased()] = entry }

        #expect(index.count == dictionary.count)
        for (key, entry) in dictionary { #expect(index[key] == entry) }
        #expect(index["inetpub/wwwroot/shell.aspx"]?.stream == "Zone.Identifier")
        // Canonically equivalent keys find the same entry, as String keys do.
        #expect(index["windows/temp/cafe\u{301}.aspx"]?.sourcePath == "Windows/Temp/caf\u{E9}.aspx")
        #expect(index["windows/temp/b.tmp"] == nil)
        #expect(index["Windows/Temp/a.tmp"] == nil)
        #expect(Dictionary(uniqueKeysWithValues: index.map { ($0.key, $0.value) }) == dictionary)
        #expect(index.valuesByPath().map(\.path) == dictionary.values.map(\.path).sorted())
    }
}
