import EvidenceSource
import ExTriageCore
import Foundation
import Testing
import TestSupport

@Suite struct DirectorySourceTests {
    @Test func listsEntriesWithKindsSizesAndTimes() throws {
        let temp = try TemporaryDirectory()
        try temp.write("Windows/Temp/a.log", "hello")
        _ = try temp.makeDirectory("Windows/System32")
        try FileManager.default.createSymbolicLink(atPath: temp.path + "/Windows/link", withDestinationPath: "/etc/passwd")
        let source = try DirectorySource(path: temp.path)
        let entries = try source.list(volume: "C", directory: EvidencePath(parsing: "Windows"))
        #expect(entries.map(\.name.escaped) == ["System32", "Temp", "link"])
        #expect(entries.map(\.kind) == [.directory, .directory, .symlink])
        #expect(entries[2].linkTarget == "/etc/passwd")
        let file = try #require(try source.list(volume: "C", directory: EvidencePath(parsing: "Windows/Temp")).first)
        #expect(file.kind == .file)
        #expect(file.size == 5)
        #expect(file.times.modified != nil && file.times.changed != nil)
    }

    @Test func keepsNamesThatAreNotUTF8() throws {
        let temp = try TemporaryDirectory()
        let raw: [UInt8] = Array("\(temp.path)/bad".utf8) + [0xFF, 0x2E, 0x61, 0x73, 0x70, 0x78]
        let fd = raw.withUnsafeBufferPointer { buffer -> Int32 in
            var terminated = Array(buffer) + [0]
            return terminated.withUnsafeMutableBufferPointer { open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o644) }
        }
        #expect(fd >= 0)
        close(fd)
        let entry = try #require(try DirectorySource(path: temp.path).list(volume: "C", directory: .root).first)
        #expect(!entry.name.isValidUTF8)
        #expect(entry.name.bytes == [0x62, 0x61, 0x64, 0xFF, 0x2E, 0x61, 0x73, 0x70, 0x78])
        #expect(entry.name.escaped == "bad%FF.aspx")
    }

    @Test func readsWithoutChangingTheSource() throws {
        let temp = try TemporaryDirectory()
        let path = try temp.write("evidence.bin", [UInt8](repeating: 7, count: 300_000))
        let before = try FileManager.default.attributesOfItem(atPath: path)
        var statBefore = stat()
        stat(path, &statBefore)
        let source = try DirectorySource(path: temp.path)
        let file = try source.open(volume: "C", path: EvidencePath(parsing: "evidence.bin"))
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var total = 0
        while true {
            let count = try buffer.withUnsafeMutableBytes { try file.read(into: $0) }
            if count == 0 { break }
            total += count
        }
        file.close()
        #expect(total == 300_000)
        var statAfter = stat()
        stat(path, &statAfter)
        #expect(statAfter.st_atim.tv_sec == statBefore.st_atim.tv_sec && statAfter.st_atim.tv_nsec == statBefore.st_atim.tv_nsec)
        #expect(statAfter.st_mtim.tv_nsec == statBefore.st_mtim.tv_nsec)
        #expect(statAfter.st_ctim.tv_nsec == statBefore.st_ctim.tv_nsec)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == before[.size] as? Int)
    }

    @Test func refusesToOpenLinksAndMissingSources() throws {
        let temp = try TemporaryDirectory()
        try temp.write("target.txt", "x")
        try FileManager.default.createSymbolicLink(atPath: temp.path + "/link.txt", withDestinationPath: "target.txt")
        let source = try DirectorySource(path: temp.path)
        #expect(throws: ExTriageError.self) { try source.open(volume: "C", path: EvidencePath(parsing: "link.txt")) }
        #expect(throws: ExTriageError.self) { try DirectorySource(path: temp.path + "/nope") }
        #expect(throws: ExTriageError.self) { try DirectorySource(path: temp.path + "/target.txt") }
        #expect(source.contains(hostPath: source.root + "/sub"))
        #expect(!source.contains(hostPath: source.root + "-other"))
    }
}
