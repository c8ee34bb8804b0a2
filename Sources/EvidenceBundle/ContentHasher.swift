import Crypto
import Dispatch
import ExTriageCore

/// SHA-256, SHA-1 and MD5 of one byte stream, as lower-case hex.
public struct Digests: Hashable, Sendable, Codable {
    public var sha256: String
    public var sha1: String
    public var md5: String

    public init(sha256: String, sha1: String, md5: String) {
        self.sha256 = sha256
        self.sha1 = sha1
        self.md5 = md5
    }
}

/// Feeds every chunk of a file to SHA-256, SHA-1 and MD5 at once.
///
/// A large chunk is hashed on two cores: MD5, the slowest of the three, on another thread, while
/// the calling thread does its own work for that chunk (writing it to the bundle, or the checks
/// of `analyze`) and then SHA-256 and SHA-1 (together about as costly as MD5 with the SHA
/// extensions). With `sha256Only` the SHA-256 runs on the other thread instead, so the caller's
/// work overlaps it. The caller's buffer must stay untouched until `update` returns; it waits for
/// both halves.
///
/// `sha256Only` skips SHA-1 and MD5 (their digests come out empty): what `analyze` uses to check
/// members, since equal SHA-256 means equal bytes and the manifest's other digests are sealed.
public final class ContentHasher: @unchecked Sendable {
    public let sha256Only: Bool
    private var sha256 = SHA256()
    private var sha1 = Insecure.SHA1()
    private var md5 = Insecure.MD5()
    /// Bytes hashed so far.
    public private(set) var count: UInt64 = 0

    /// Below this chunk size the hand-off to other threads costs more than it saves.
    private static let parallelThreshold = 256 * 1024

    public init(sha256Only: Bool = false) { self.sha256Only = sha256Only }

    public func update(_ buffer: UnsafeRawBufferPointer) {
        update(buffer, meanwhile: {})
    }

    /// Hashes `buffer` and runs `work` on the calling thread at the same time.
    public func update(_ buffer: UnsafeRawBufferPointer, meanwhile work: () throws -> Void) rethrows {
        guard buffer.count > 0 else { return try work() }
        count += UInt64(buffer.count)
        if buffer.count < ContentHasher.parallelThreshold {
            sha256.update(bufferPointer: buffer)
            if !sha256Only {
                sha1.update(bufferPointer: buffer)
                md5.update(bufferPointer: buffer)
            }
            return try work()
        }
        let group = DispatchGroup()
        let chunk = SendableBuffer(buffer)
        let queue = DispatchQueue.global(qos: .userInitiated)
        if sha256Only {
            queue.async(group: group) { [self] in
                sha256.update(bufferPointer: chunk.buffer)
            }
            defer { group.wait() }
            try work()
            return
        }
        queue.async(group: group) { [self] in
            md5.update(bufferPointer: chunk.buffer)
        }
        defer { group.wait() }
        try work()
        sha256.update(bufferPointer: buffer)
        sha1.update(bufferPointer: buffer)
    }

    /// An independent hasher with the same state: its digests cover the bytes so far.
    public func copy() -> ContentHasher {
        let other = ContentHasher(sha256Only: sha256Only)
        other.sha256 = sha256
        other.sha1 = sha1
        other.md5 = md5
        other.count = count
        return other
    }

    /// Feeds `count` zero bytes (the padding of a member whose file came up short).
    public func updateZeros(count: UInt64) {
        let zeros = [UInt8](repeating: 0, count: 64 * 1024)
        var left = count
        while left > 0 {
            let step = Int(min(left, UInt64(zeros.count)))
            zeros.withUnsafeBytes { update(UnsafeRawBufferPointer(rebasing: $0[0..<step])) }
            left -= UInt64(step)
        }
    }

    public func finalize() -> Digests {
        Digests(
            sha256: Hex.encode(sha256.finalize()),
            sha1: sha256Only ? "" : Hex.encode(sha1.finalize()),
            md5: sha256Only ? "" : Hex.encode(md5.finalize())
        )
    }

    /// The three digests of a byte array, for small in-memory content and tests.
    public static func digests(of bytes: [UInt8]) -> Digests {
        let hasher = ContentHasher()
        bytes.withUnsafeBytes { hasher.update($0) }
        return hasher.finalize()
    }
}

/// A buffer handed to another thread for the duration of a call that waits for it.
struct SendableBuffer: @unchecked Sendable {
    let buffer: UnsafeRawBufferPointer
    init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }
}
