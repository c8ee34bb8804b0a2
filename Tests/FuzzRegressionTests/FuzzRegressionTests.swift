import Foundation
import FuzzEntryPoints
import Testing
import TestSupport

/// Replays every kept fuzz input (`Tests/FuzzRegressions/<target>/`: crashers and seeds worth
/// keeping) through the same entry point the fuzz target calls; no fuzz build needed.
@Suite struct FuzzRegressionTests {
    static let folder = Repository.root + "/Tests/FuzzRegressions"

    @Test(arguments: FuzzTarget.allCases)
    func keptInputsRunCleanly(_ target: FuzzTarget) throws {
        let temp = try TemporaryDirectory()
        let directory = Self.folder + "/" + target.rawValue
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        for name in names {
            let bytes = try #require(FileManager.default.contents(atPath: directory + "/" + name), "\(name)")
            target.run(Array(bytes), scratch: temp.path + "/scratch.tar")
        }
    }

    @Test func everyTargetHasARegressionFolder() {
        for target in FuzzTarget.allCases {
            var isDirectory: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: Self.folder + "/" + target.rawValue, isDirectory: &isDirectory) && isDirectory.boolValue,
                    "Tests/FuzzRegressions/\(target.rawValue) is missing")
        }
    }
}
