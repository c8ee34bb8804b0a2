import EvidenceSource
import ExTriageCore
import Foundation

/// A real `DirectorySource` with faults injected for chosen paths: the way to test what the
/// collector does with an unreadable file or one that changes while it is read, deterministically
/// and as root.
struct FaultySource: EvidenceSource {
    enum Fault: Sendable {
        case openFails
        case readFails(afterBytes: Int)
        /// The file claims `bytes` more than it holds (it shrank after being opened).
        case shrinks(byBytes: UInt64)
        /// The file claims `bytes` less than it holds (it grew after being opened).
        case grows(byBytes: UInt64)
        case listFails
        /// After the first read the file on disk is rewritten in place at the same size (new
        /// bytes, a modification time a day later), as a live server rewrites a log.
        case rewrittenDuringRead
    }

    let base: DirectorySource
    let faults: [String: Fault]

    var kind: String { base.kind }
    var location: String { base.location }
    var volumes: [VolumeInfo] { base.volumes }

    func list(volume: String, directory: EvidencePath) throws -> [SourceEntry] {
        if case .listFails = faults[directory.escaped] {
            throw ExTriageError(.io, "cannot list directory", path: directory.escaped, cause: "Input/output error")
        }
        return try base.list(volume: volume, directory: directory)
    }

    func open(volume: String, path: EvidencePath) throws -> any EvidenceFile {
        let fault = faults[path.escaped]
        if case .openFails = fault {
            throw ExTriageError(.io, "cannot open file", path: path.escaped, cause: "Permission denied")
        }
        return FaultyFile(inner: try base.open(volume: volume, path: path), fault: fault, hostPath: base.root + "/" + path.escaped)
    }

    func contains(hostPath: String) -> Bool { base.contains(hostPath: hostPath) }
}

final class FaultyFile: EvidenceFile {
    let inner: any EvidenceFile
    let fault: FaultySource.Fault?
    let hostPath: String
    var delivered = 0

    init(inner: any EvidenceFile, fault: FaultySource.Fault?, hostPath: String) {
        self.inner = inner
        self.fault = fault
        self.hostPath = hostPath
    }

    var size: UInt64 {
        switch fault {
        case .shrinks(let extra): return inner.size + extra
        case .grows(let missing): return inner.size - missing
        default: return inner.size
        }
    }

    var times: FileTimes { inner.times }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if case .readFails(let limit) = fault {
            guard delivered < limit else { throw ExTriageError(.io, "read error", cause: "Input/output error") }
            let count = try inner.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<min(buffer.count, limit - delivered)]))
            delivered += count
            return count
        }
        let count = try inner.read(into: buffer)
        if case .rewrittenDuringRead = fault, delivered == 0, count > 0 { try rewriteInPlace() }
        delivered += count
        return count
    }

    /// Overwrites every byte of the file with `#` through another descriptor and moves its
    /// modification time a day on; the size stays the same.
    private func rewriteInPlace() throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: hostPath))
        try handle.write(contentsOf: Data(repeating: 0x23, count: Int(inner.size)))
        try handle.close()
        let later = (inner.times.modified?.seconds ?? 0) + 86_400
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: TimeInterval(later))], ofItemAtPath: hostPath)
    }

    func sizeNow() -> UInt64? { size }
    func timesNow() -> FileTimes? { inner.timesNow() }
    func close() { inner.close() }
}
