import Dispatch
import EvidenceBundle
import ExTriageCore
import Foundation
import Testing
import TestSupport

extension Run {
    /// Runs `extriage` and kills it after `seconds`: a hang is then a failed test, not a stuck suite.
    static func extriage(_ arguments: [String], killAfter seconds: Double) throws -> (run: Run, seconds: Double) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let started = Date()
        try process.run()
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { if process.isRunning { process.terminate() } }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                    stderr: String(decoding: errData, as: UTF8.self)), Date().timeIntervalSince(started))
    }
}

/// Issue #14 through the commands: what `verify`, `analyze` and `unpack` say about hostile bundles.
@Suite(.serialized) struct HostileVerifyTests {
    static let sparseName = "evidence/C/Windows/Temp/sparse.bin"

    @Test(arguments: [SparseTar.Form.oldGNU, .pax00, .pax10, .mapPastTheEnd])
    func sparseMembersAreRefusedByEveryCommandAtOnce(_ form: SparseTar.Form) throws {
        let unsigned = try SignedBundle(signed: false)
        try SparseTar.prepend(SparseTar.member(Self.sparseName, form: form), to: unsigned.bundle)
        try unsigned.refreshSidecar()
        let (verify, seconds) = try Run.extriage(["verify", unsigned.bundle], killAfter: 30)
        #expect(verify.status == 3, "\(verify.stdout)\(verify.stderr)")
        #expect(seconds < 10)
        #expect(verify.stdout.contains("problem: member '\(Self.sparseName)' is a sparse file"), "\(verify.stdout)")
        let (analyze, _) = try Run.extriage(["analyze", unsigned.bundle, "--format", "summary"], killAfter: 30)
        #expect(analyze.status == 3 && analyze.stderr.contains("is a sparse file"), "\(analyze.stderr)")
        let out = unsigned.temp.path + "/out"
        let (unpack, _) = try Run.extriage(["unpack", unsigned.bundle, "--to", out], killAfter: 30)
        #expect(unpack.status == 3 && unpack.stderr.contains("is a sparse file"), "\(unpack.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let (anyway, _) = try Run.extriage(["unpack", unsigned.bundle, "--to", out, "--allow-unverified"], killAfter: 30)
        #expect(anyway.status == 2 || anyway.status == 0, "\(anyway.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + "/" + Self.sparseName))
    }

    @Test func aDamagedTarWithARightSidecarReportsTheReadErrorOnly() throws {
        let signed = try SignedBundle()
        try BundleSurgery.truncate(signed.bundle, to: 1700)
        try signed.refreshSidecar()
        let run = try signed.verify()
        #expect(run.status == 3)
        #expect(run.stdout.contains("damaged or truncated"))
        #expect(!run.stdout.contains("differs from b.tar.sha256"), "\(run.stdout)")
        #expect(run.stdout.contains("(sidecar: matches)"))
    }

    @Test(arguments: ["../../x", "/tmp/x", "C:\\x"])
    func unsafeManifestPathsAreNotIntactEverywhere(_ unsafe: String) throws {
        let unsigned = try SignedBundle(signed: false)
        try unsigned.rewrite { members in
            let index = members.firstIndex { $0.path == Manifest.memberName }!
            var manifest = try ManifestCodec.decode(members[index].bytes)
            let bytes = Array("planted".utf8)
            manifest.entries.insert(Manifest.Entry(path: unsafe, sourcePath: "x", sourcePathHex: nil, volume: "C", size: UInt64(bytes.count),
                                                   digests: ContentHasher.digests(of: bytes), times: (nil, nil, nil, nil), artifact: "x",
                                                   status: .collected, reason: nil, stored: nil), at: 0)
            manifest.seal = Manifest.Seal(entries: manifest.entries)
            members[index].bytes = try ManifestCodec.encode(manifest)
            members.insert((unsafe, bytes, nil), at: 0)
        }
        let verify = try unsigned.verify()
        #expect(verify.status == 3 && verify.stdout.contains("verdict:  NOT INTACT"), "\(verify.stdout)")
        #expect(verify.stdout.contains("is unsafe"), "\(verify.stdout)")
        let json = try unsigned.verify(["--json"])
        #expect(json.stdout.contains("\"unsafe-member-path\""))
        let analyze = try Run.extriage(["analyze", unsigned.bundle, "--format", "summary"])
        #expect(analyze.status == 3 && analyze.stderr.contains("is unsafe"), "\(analyze.stderr)")
    }

    @Test func aHugeExaminerIsRefusedAndNeverPrintedWhole() throws {
        let unsigned = try SignedBundle(signed: false)
        let long = String(repeating: "E", count: 300_000)
        try unsigned.rewrite { members in
            let index = members.firstIndex { $0.path == Manifest.memberName }!
            var manifest = try ManifestCodec.decode(members[index].bytes)
            manifest.case.examiner = long
            members[index].bytes = try ManifestCodec.encode(manifest)
        }
        let run = try unsigned.verify()
        #expect(run.status == 3)
        #expect(run.stdout.contains("examiner is 300000 bytes; at most 4096 are allowed"), "\(run.stdout.prefix(2000))")
        #expect(run.stdout.count < 5000)
        let json = try unsigned.verify(["--json"])
        #expect(json.stdout.count < 20_000)
        let analyze = try Run.extriage(["analyze", unsigned.bundle, "--allow-unverified", "--format", "json"])
        #expect(!analyze.stdout.contains(String(repeating: "E", count: 5000)) && !analyze.stderr.contains(String(repeating: "E", count: 5000)))
    }

    @Test func aForeignSignatureAlgorithmIsNamedNotCalledAChange() throws {
        let signed = try SignedBundle()
        try signed.rewrite { members in
            var signature = try ManifestSignature.decode(members[members.count - 1].bytes)
            signature.algorithm = "ecdsa-p256"
            members[members.count - 1].bytes = try signature.encoded()
        }
        let run = try signed.verify()
        #expect(run.status == 3)
        #expect(run.stdout.contains("signature algorithm 'ecdsa-p256' is not supported; extriage signs with Ed25519"), "\(run.stdout)")
        #expect(!run.stdout.contains("changed after signing"))
    }
}
