import Crypto
@testable import EvidenceBundle
import ExTriageCore
import Testing

/// `ContentHasher` splits large chunks over threads: its digests must be those of one plain pass.
@Suite struct ContentHasherThreadingTests {
    static func bytes(_ count: Int) -> [UInt8] {
        var state: UInt32 = 2166136261
        return (0..<count).map { _ in
            state = state &* 16777619 ^ 0x5bd1e995
            return UInt8(truncatingIfNeeded: state >> 13)
        }
    }

    /// Chunk sizes below and above the threshold for hashing on other threads, mixed.
    @Test(arguments: [false, true])
    func digestsOfMixedChunksAreThoseOfOnePass(sha256Only: Bool) throws {
        let data = Self.bytes(3 * 1024 * 1024 + 12345)
        let hasher = ContentHasher(sha256Only: sha256Only)
        var offset = 0
        var worked = 0
        for size in [1, 100_000, 1 << 20, 300_000, 5, 1 << 20] where offset < data.count {
            let end = min(data.count, offset + size)
            data.withUnsafeBytes { raw in
                hasher.update(UnsafeRawBufferPointer(rebasing: raw[offset..<end])) { worked += 1 }
            }
            offset = end
        }
        data.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
        let digests = hasher.finalize()
        #expect(worked == 6, "the caller's work runs once per chunk")
        #expect(hasher.count == UInt64(data.count))
        #expect(digests.sha256 == Hex.encode(SHA256.hash(data: data)))
        #expect(digests.sha1 == (sha256Only ? "" : Hex.encode(Insecure.SHA1.hash(data: data))))
        #expect(digests.md5 == (sha256Only ? "" : Hex.encode(Insecure.MD5.hash(data: data))))
    }

    @Test func aThrowingWorkIsRethrownAfterTheHashesStop() {
        struct Stop: Error {}
        let data = Self.bytes(1 << 20)
        let hasher = ContentHasher()
        #expect(throws: Stop.self) {
            try data.withUnsafeBytes { raw in try hasher.update(raw) { throw Stop() } }
        }
    }
}
