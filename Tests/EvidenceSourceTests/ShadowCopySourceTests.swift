import EvidenceSource
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// Volume Shadow Copy stores read through libvshadow, from an NTFS image whose store is written
/// at test time (`ShadowCopyImage`): each store is a volume `C@vss<N>` showing the volume as it
/// was; a damaged catalog or store is a recorded failure, never an error for the image.
@Suite struct ShadowCopySourceTests {
    static let shell = "inetpub/wwwroot/aspnet_client/shell.aspx"
    static let log = "Windows/System32/winevt/Logs/Security.evtx"
    static let shellText = Array("<%@ Page Language=\"C#\" %><% System.Diagnostics.Process.Start(Request[\"c\"]); %>".utf8)
    static let logBytes: [UInt8] = Array("ElfFile\0".utf8) + (0..<150_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }

    static func makeImage(_ temp: TemporaryDirectory) throws -> ShadowCopyImage {
        try temp.write("tree/" + shell, shellText)
        try temp.write("tree/" + log, logBytes)
        try temp.write("tree/Windows/System32/config/SYSTEM", Array("regf".utf8) + [UInt8](repeating: 1, count: 4096))
        return try ShadowCopyImage(tree: temp.path + "/tree", to: temp.path + "/c.ntfs", delete: [shell], shorten: [(log, 70_000)])
    }

    func read(_ source: any EvidenceSource, _ volume: String, _ path: String) throws -> [UInt8] {
        let file = try source.open(volume: volume, path: EvidencePath(parsing: path))
        defer { file.close() }
        var out: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try file.read(into: buffer)
            if count == 0 { break }
            out += buffer.prefix(count)
        }
        return out
    }

    @Test func eachStoreIsAVolumeShowingTheEarlierFiles() throws {
        let temp = try TemporaryDirectory()
        let built = try ShadowCopySourceTests.makeImage(temp)
        #expect(built.layout.changedBlocks > 0)
        // libvshadow's own tool agrees with what the writer wrote.
        let info = try DiskImageBuilder.run("vshadowinfo", [built.image])
        #expect(info.contains("Number of stores:\t1") && info.contains(ShadowCopyImage.storeIdentifier), "\(info)")

        let image = try #require(try SourceOpener.open(path: built.image, shadowCopies: true) as? ImageSource)
        #expect(image.volumes.map(\.name) == ["C", "C@vss1"])
        #expect(image.shadowCopies.status == .read && image.shadowCopies.stores == 1 && image.shadowCopies.failures.isEmpty)
        let shadow = try #require(image.volumes.last?.shadowCopy)
        #expect(shadow.of == "C" && shadow.store == 1 && shadow.identifier == ShadowCopyImage.storeIdentifier)
        #expect(shadow.created == Timestamp(seconds: Int64(ShadowCopyImage.created)))

        // The live volume lost the shell and most of the log; the snapshot has both whole.
        let folder = EvidencePath(parsing: "inetpub/wwwroot/aspnet_client")
        #expect(try image.list(volume: "C", directory: folder).isEmpty)
        #expect(try image.list(volume: "C@vss1", directory: folder).map(\.name.escaped) == ["shell.aspx"])
        #expect(try read(image, "C@vss1", ShadowCopySourceTests.shell) == ShadowCopySourceTests.shellText)
        #expect(try read(image, "C@vss1", ShadowCopySourceTests.log) == ShadowCopySourceTests.logBytes)
        do { let got = try read(image, "C@vss1", ShadowCopySourceTests.log); let want = ShadowCopySourceTests.logBytes
            let first = zip(got, want).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset
            print("DIAG got \(got.count) want \(want.count) first-diff \(String(describing: first)) changedBlocks \(built.layout.changedBlocks) layout \(built.layout)") }
        #expect(try read(image, "C", ShadowCopySourceTests.log) == Array(ShadowCopySourceTests.logBytes.prefix(70_000)))
        // Unchanged files read the same on both (their blocks come from the live volume).
        #expect(try read(image, "C@vss1", "Windows/System32/config/SYSTEM") == read(image, "C", "Windows/System32/config/SYSTEM"))
    }

    @Test func withoutTheOptionNothingChanges() throws {
        let temp = try TemporaryDirectory()
        let built = try ShadowCopySourceTests.makeImage(temp)
        let image = try #require(try SourceOpener.open(path: built.image) as? ImageSource)
        #expect(image.volumes.map(\.name) == ["C"])
        #expect(image.shadowCopies.status == .notRequested)
        // An image without VSS data: read, nothing found, nothing failed.
        try DiskImageBuilder.ntfs(from: temp.path + "/tree", to: temp.path + "/plain.ntfs")
        let plain = try #require(try SourceOpener.open(path: temp.path + "/plain.ntfs", shadowCopies: true) as? ImageSource)
        #expect(plain.volumes.map(\.name) == ["C"])
        #expect(plain.shadowCopies.status == .read && plain.shadowCopies.stores == 0 && plain.shadowCopies.failures.isEmpty)
    }

    @Test func aDamagedCatalogOrStoreIsARecordedFailure() throws {
        let temp = try TemporaryDirectory()
        let built = try ShadowCopySourceTests.makeImage(temp)
        let pristine = try Data(contentsOf: URL(fileURLWithPath: built.image))

        try built.damage(at: built.layout.catalog)
        let catalog = try #require(try SourceOpener.open(path: built.image, shadowCopies: true) as? ImageSource)
        #expect(catalog.volumes.map(\.name) == ["C"])
        #expect(catalog.shadowCopies.failures.count == 1)
        #expect(catalog.shadowCopies.failures.first?.contains("C shadow copies") == true, "\(catalog.shadowCopies.failures)")
        #expect(try read(catalog, "C", ShadowCopySourceTests.log).count == 70_000)

        try pristine.write(to: URL(fileURLWithPath: built.image))
        try built.damage(at: built.layout.blockList)
        let store = try #require(try SourceOpener.open(path: built.image, shadowCopies: true) as? ImageSource)
        #expect(store.volumes.map(\.name) == ["C"])
        #expect(store.shadowCopies.failures.count == 1)
        #expect(store.shadowCopies.failures.first?.contains("store 1") == true, "\(store.shadowCopies.failures)")
    }
}
