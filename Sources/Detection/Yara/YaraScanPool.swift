import Dispatch
import ExTriageCore
import Foundation

/// Scans buffers on worker threads, one `YaraScanner` per worker over the shared rules, with at
/// most two buffers per worker in flight: `submit` blocks the reading thread while they are all
/// taken, so memory stays bounded by (2 × workers + 1) × the buffer cap whatever the bundle holds.
final class YaraScanPool: @unchecked Sendable {
    /// One finished scan, tagged with what the caller passed in.
    struct Result<Tag: Sendable>: Sendable {
        var tag: Tag
        var outcome: YaraScanOutcome
        /// The ssdeep hash of the bytes, when asked for and a rule matched.
        var fuzzyHash: String? = nil
    }

    private let queue = DispatchQueue(label: "extriage.yara", attributes: .concurrent)
    private let slots: DispatchSemaphore
    private let group = DispatchGroup()
    private let lock = NSLock()
    private var idle: [YaraScanner]
    private var finished: [Any] = []

    init(rules: YaraRules, workers: Int, timeoutSeconds: Int) throws {
        let count = max(1, workers)
        // Two buffers per worker: one scanning, one queued, so the reading thread rarely waits.
        slots = DispatchSemaphore(value: count * 2)
        idle = try (0..<count * 2).map { _ in try YaraScanner(rules: rules, timeoutSeconds: timeoutSeconds) }
    }

    /// Queues one scan; waits for a free worker first. `bytes` is owned by the scan from here on.
    /// With `fuzzyHashMatches`, a file a rule matched also gets its ssdeep hash, on the same worker.
    func submit<Tag: Sendable>(_ bytes: [UInt8], externals: YaraExternals, tag: Tag, fuzzyHashMatches: Bool = false) {
        slots.wait()
        group.enter()
        queue.async { [self] in
            let scanner = takeScanner()
            let outcome = bytes.withUnsafeBytes { scanner.scan($0, externals: externals) }
            let fuzzy = fuzzyHashMatches && !outcome.matches.isEmpty ? FuzzyHash.ssdeep(bytes) : nil
            lock.lock()
            idle.append(scanner)
            finished.append(Result(tag: tag, outcome: outcome, fuzzyHash: fuzzy))
            lock.unlock()
            slots.signal()
            group.leave()
        }
    }

    /// Waits for every queued scan and returns the results so far (then forgets them).
    func drain<Tag: Sendable>(_ type: Tag.Type) -> [Result<Tag>] {
        group.wait()
        lock.lock()
        defer { lock.unlock() }
        let results = finished.compactMap { $0 as? Result<Tag> }
        finished.removeAll()
        return results
    }

    private func takeScanner() -> YaraScanner {
        lock.lock()
        defer { lock.unlock() }
        // A slot was acquired before dispatch, so a scanner is always idle here.
        return idle.removeLast()
    }
}
