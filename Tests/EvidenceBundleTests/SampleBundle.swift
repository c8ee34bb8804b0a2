import Crypto
import EvidenceBundle
import ExTriageCore
import TestSupport

/// A small bundle built in memory the way the collector writes one: evidence members, then
/// `manifest.json`, then (when signed) `manifest.sig`, every member with the same fixed time.
struct SampleBundle {
    static let time = Timestamp(seconds: 1_614_735_582)

    var files: [(path: String, bytes: [UInt8])] = [
        ("evidence/C/inetpub/wwwroot/aspnet_client/shell.aspx", Array("<%@ Page Language=\"C#\" %>".utf8)),
        ("evidence/C/Logging/HttpProxy/Ecp/HttpProxy_2021030205-1.LOG", Array("#Fields: DateTime,RequestId\n".utf8)),
        ("evidence/C/Windows/System32/winevt/Logs/Security.evtx", [UInt8](repeating: 0x45, count: 3000)),
    ]
    var key: Curve25519.Signing.PrivateKey?

    func entry(_ path: String, _ bytes: [UInt8]) -> Manifest.Entry {
        var entry = Manifest.Entry(path: path, sourcePath: String(path.dropFirst("evidence/C/".count)), sourcePathHex: nil,
                                   volume: "C", size: UInt64(bytes.count), digests: ContentHasher.digests(of: bytes),
                                   times: (SampleBundle.time, nil, nil, nil), artifact: "test.artifact",
                                   status: .collected, reason: nil, stored: nil)
        entry.mode = .content
        return entry
    }

    var manifest: Manifest {
        Manifest(tool: .init(name: "extriage", version: "test", libraries: [:]),
                 case: .init(caseId: "CASE-11", evidenceId: nil, examiner: "A. Examiner", notes: nil),
                 collector: .init(host: "lab", user: "examiner", platform: "test"),
                 source: .init(kind: "directory", path: "/evidence", volumes: [.init(name: "C", fileSystem: nil, label: nil)]),
                 exchangeInstallPath: nil, profile: .init(name: "test", sha256: "00", artifacts: []),
                 options: .init(collectDumps: false, traceHeadBytes: 1 << 20),
                 startedAt: SampleBundle.time, finishedAt: SampleBundle.time,
                 entries: files.map { entry($0.path, $0.bytes) },
                 outcomes: [.init(artifact: "test.artifact", pattern: "**", status: .collected, count: files.count, reason: nil)])
    }

    /// The members in bundle order, with `manifest` (changed by the caller if it likes) encoded.
    func members(manifest: Manifest? = nil) throws -> [BundleSurgery.Member] {
        let manifestBytes = try ManifestCodec.encode(manifest ?? self.manifest)
        var members: [BundleSurgery.Member] = files.map { ($0.path, $0.bytes, SampleBundle.time) }
        members.append((Manifest.memberName, manifestBytes, SampleBundle.time))
        if let key {
            let signature = try ManifestSignature.sign(manifest: manifestBytes, with: key, at: SampleBundle.time)
            members.append((ManifestSignature.memberName, try signature.encoded(), SampleBundle.time))
        }
        return members
    }

    /// Writes the bundle to `name` in `directory` and returns its path.
    func write(in directory: TemporaryDirectory, name: String = "case.tar",
               change: (inout [BundleSurgery.Member]) throws -> Void = { _ in }) throws -> String {
        var members = try members()
        try change(&members)
        let path = directory.path + "/" + name
        try BundleSurgery.write(members, to: path)
        return path
    }
}

/// Keeps what a `MemberObserver` is given, for members whose path ends with `suffix`.
final class RecordingObserver: MemberObserver {
    let suffix: String
    private(set) var offered: [String] = []
    private(set) var received: [String: [UInt8]] = [:]
    private var current: String?

    init(wantingSuffix suffix: String) { self.suffix = suffix }

    func begin(member path: String) -> Bool {
        offered.append(path)
        guard path.hasSuffix(suffix) else { return false }
        current = path
        received[path] = []
        return true
    }

    func consume(_ bytes: UnsafeRawBufferPointer) {
        if let current { received[current, default: []].append(contentsOf: bytes) }
    }

    func end() { current = nil }
}
