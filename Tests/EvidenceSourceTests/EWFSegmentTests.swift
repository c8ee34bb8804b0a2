@testable import EvidenceSource
import Foundation
import Testing
import TestSupport

/// E01 segment naming and discovery from the first segment (no libewf involved).
@Suite struct EWFSegmentTests {
    @Test func segmentNamesFollowLibewf() {
        #expect(EWFMedia.segmentExtension(1, letter: "E", lowercase: false) == "E01")
        #expect(EWFMedia.segmentExtension(99, letter: "E", lowercase: false) == "E99")
        #expect(EWFMedia.segmentExtension(100, letter: "E", lowercase: false) == "EAA")
        #expect(EWFMedia.segmentExtension(101, letter: "E", lowercase: false) == "EAB")
        #expect(EWFMedia.segmentExtension(126, letter: "E", lowercase: false) == "EBA")
        #expect(EWFMedia.segmentExtension(100, letter: "e", lowercase: true) == "eaa")
    }

    @Test func theSetStopsAtAHoleAndNamesIt() throws {
        let temp = try TemporaryDirectory()
        for name in ["x.E01", "x.E02", "x.E04", "x.E05"] { try temp.write(name, "segment") }
        let (found, missing) = EWFMedia.segments(from: temp.path + "/x.E01")
        #expect(found == [temp.path + "/x.E01", temp.path + "/x.E02"])
        #expect(missing.first == temp.path + "/x.E03")
        #expect(missing.last?.contains("2 later segment(s)") == true)

        // Naming a later segment still opens the set from its first one.
        let fromLater = EWFMedia.segments(from: temp.path + "/x.E04")
        #expect(fromLater.found.map { ($0 as NSString).lastPathComponent } == ["x.E01", "x.E02"])
    }
}
