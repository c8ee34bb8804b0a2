import ExTriageCore
import Foundation
import Testing

/// Evidence handed to path-only libraries (libregf, libscca) stays in memory: the path reads back
/// the bytes, names no file on disk, and stops existing when the file is released.
struct InMemoryFileTests {
    @Test func thePathReadsBackTheBytesAndNamesNoFileOnDisk() throws {
        let bytes: [UInt8] = Array("regf".utf8) + (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var file: InMemoryFile? = try InMemoryFile(bytes, name: "test")
        let path = try #require(file?.path)
        #expect(path.hasPrefix("/proc/self/fd/"))
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == bytes)
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: path)
        #expect(target.hasPrefix("/memfd:"))
        file = nil
        #expect(!FileManager.default.fileExists(atPath: path) || (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != target)
    }

    @Test func anEmptyFileIsAllowed() throws {
        let file = try InMemoryFile([], name: "empty")
        #expect(try Data(contentsOf: URL(fileURLWithPath: file.path)).isEmpty)
    }
}
