import EvidenceSource
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// What is read from NTFS beyond content: alternate data streams, sparse files, both sets of
/// times (so time-stomping shows), MFT entry numbers.
@Suite struct NTFSDetailTests {
    static let zone = Array("[ZoneTransfer]\r\nZoneId=3\r\nHostUrl=http://203.0.113.7/x.aspx\r\n".utf8)
    static let stomped = 1_577_836_800  // 2020-01-01T00:00:00Z

    @Test func alternateDataStreamsAreListedAndReadable() throws {
        let images = try SampleImages()
        let image = try images.ntfs(streams: [.init(file: "inetpub/wwwroot/aspnet_client/discover.aspx", name: "Zone.Identifier",
                                                   content: NTFSDetailTests.zone)])
        let source = try SourceOpener.open(path: image)
        let folder = EvidencePath(parsing: "inetpub/wwwroot/aspnet_client")
        let listing = try source.list(volume: "C", directory: folder)
        let shell = try #require(listing.first { $0.name.escaped == "discover.aspx" })
        #expect(shell.streams == [DataStream(name: "Zone.Identifier", size: UInt64(NTFSDetailTests.zone.count))])
        let others = listing.filter { $0.name.escaped != "discover.aspx" }
        #expect(others.allSatisfy { $0.streams.isEmpty })
        let path = folder.appending(PathComponent("discover.aspx"))
        #expect(try readAll(source.open(volume: "C", path: path, stream: "Zone.Identifier")) == NTFSDetailTests.zone)
        // The default stream is still the file's own content.
        let original = try #require(FileManager.default.contents(atPath: images.tree + "/inetpub/wwwroot/aspnet_client/discover.aspx"))
        #expect(try readAll(source.open(volume: "C", path: path)) == Array(original))
        #expect(throws: ExTriageError.self) { try source.open(volume: "C", path: path, stream: "nope") }
        // A directory source has no streams.
        #expect(throws: ExTriageError.self) { try DirectorySource(path: images.tree).open(volume: "C", path: path, stream: "Zone.Identifier") }
    }

    @Test func sparseFilesReadAsZerosWithTheirData() throws {
        let images = try SampleImages()
        let size = 6_000_000
        let image = try images.ntfs(sparse: [("Windows/Temp/sparse.bin", size)])
        // The image is smaller than the file: the hole really is sparse on disk.
        #expect(try DiskImageBuilder.size(of: image) < 30_000_000)
        let source = try SourceOpener.open(path: image)
        let bytes = try readAll(source.open(volume: "C", path: EvidencePath(parsing: "Windows/Temp/sparse.bin")), chunk: 1 << 20)
        let tail = Array("sparse-tail\n".utf8)
        #expect(bytes.count == size)
        #expect(Array(bytes.suffix(tail.count)) == tail)
        #expect(bytes.prefix(size - tail.count).allSatisfy { $0 == 0 })
    }

    @Test func fileNameTimesExposeTimeStompingAndEntriesHaveMFTNumbers() throws {
        let images = try SampleImages()
        let shell = "inetpub/wwwroot/aspnet_client/system_web/qGtWmKzP.aspx"
        let image = try images.ntfs(stomp: [(shell, NTFSDetailTests.stomped)])
        let source = try SourceOpener.open(path: image)
        let entry = try #require(try source.list(volume: "C", directory: EvidencePath(parsing: shell).parent)
            .first { $0.name.escaped == "qGtWmKzP.aspx" })
        let stomped = Timestamp(seconds: Int64(NTFSDetailTests.stomped))
        #expect(entry.times.modified == stomped && entry.times.created == stomped && entry.times.changed == stomped)
        let fileName = try #require(entry.times.fileName)
        #expect((fileName.created ?? stomped) > Timestamp(seconds: 1_700_000_000))
        #expect(fileName.created != entry.times.created)
        let record = try #require(entry.record)
        #expect(record.entry >= 64 && record.sequence >= 1)  // entries below 64 are NTFS's own

        let file = try source.open(volume: "C", path: EvidencePath(parsing: shell))
        #expect(file.record == record && file.times == entry.times)
        file.close()

        // An untouched file: both sets of times agree.
        let plain = try #require(try source.list(volume: "C", directory: EvidencePath(parsing: "inetpub/wwwroot"))
            .first { $0.name.escaped == "web.config" })
        #expect(plain.times.fileName?.created == plain.times.created)
    }

    @Test func deletedFilesAreNotListed() throws {
        let images = try SampleImages()
        let deleted = "Windows/Temp/tmpA41C.tmp"
        let image = try images.ntfs(delete: [deleted])
        // The Sleuth Kit still sees the deleted name (fls -d lists deleted entries only) ...
        #expect(try DiskImageBuilder.run("fls", ["-r", "-d", image]).contains(deleted))
        // ... but the source does not list it: deleted files are not collected.
        let source = try SourceOpener.open(path: image)
        let names = try source.list(volume: "C", directory: EvidencePath(parsing: "Windows/Temp")).map(\.name.escaped)
        #expect(!names.contains("tmpA41C.tmp"))
        #expect(names.contains("debug01.tmp"))
        #expect(throws: ExTriageError.self) { try source.open(volume: "C", path: EvidencePath(parsing: deleted)) }
    }
}
