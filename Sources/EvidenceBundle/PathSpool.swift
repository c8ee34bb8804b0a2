#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Member paths written once, read back only to name one in a problem (issue #14 item 3).
///
/// Paths gather in a small buffer; past `memoryLimit` bytes they move to a nameless temporary
/// file (nothing is left behind, however the process ends), so 200,000 paths of 490 bytes cost
/// a few MiB of memory, not 100 MiB. Where no temporary file can be made they stay in memory.
final class PathSpool {
    /// Where one path is: its first byte and its length.
    struct Location: Sendable, Equatable {
        var offset: UInt64
        var length: UInt32
    }

    /// Bytes held in memory before the spool moves to a file.
    let memoryLimit: Int
    private var pending: [UInt8] = []
    /// Bytes already in the file (the offset of `pending`'s first byte).
    private var flushed: UInt64 = 0
    private var descriptor: Int32?
    /// Set when no file could be made: everything stays in `pending`.
    private var memoryOnly = false

    init(memoryLimit: Int = 1 << 20) {
        self.memoryLimit = memoryLimit
    }

    deinit {
        if let descriptor { close(descriptor) }
    }

    /// Bytes written so far.
    var count: UInt64 { flushed + UInt64(pending.count) }

    func append(_ path: String) -> Location {
        let location = Location(offset: count, length: UInt32(clamping: path.utf8.count))
        pending.append(contentsOf: path.utf8.prefix(Int(location.length)))
        if pending.count >= memoryLimit, !memoryOnly { flush() }
        return location
    }

    /// The path at `location`; an unreadable spool (a disk error) gives a placeholder, never a crash.
    func path(at location: Location) -> String {
        let length = Int(location.length)
        if location.offset >= flushed {
            let start = Int(location.offset - flushed)
            guard start + length <= pending.count else { return "<path unavailable>" }
            return String(decoding: pending[start..<start + length], as: UTF8.self)
        }
        guard let descriptor else { return "<path unavailable>" }
        var bytes = [UInt8](repeating: 0, count: length)
        var done = 0
        while done < length {
            let read = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, length - done, off_t(location.offset) + off_t(done)) }
            guard read > 0 else { return "<path unavailable>" }
            done += read
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Moves `pending` to the file (made on first use); on any failure keeps it in memory.
    private func flush() {
        if descriptor == nil {
            guard let made = ManifestBytes.nameless() else {
                memoryOnly = true
                return
            }
            descriptor = made
        }
        guard let descriptor else { return }
        var offset = 0
        while offset < pending.count {
            let written = pending.withUnsafeBytes { pwrite(descriptor, $0.baseAddress! + offset, pending.count - offset, off_t(flushed) + off_t(offset)) }
            guard written > 0 else {
                // The disk is full or failing: what is not written stays in memory.
                memoryOnly = true
                pending.removeFirst(offset)
                flushed += UInt64(offset)
                return
            }
            offset += written
        }
        flushed += UInt64(pending.count)
        pending.removeAll(keepingCapacity: true)
    }
}
