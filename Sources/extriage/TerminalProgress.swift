import ArtifactCollection
import ExTriageCore
import Foundation

/// Progress on standard error while collecting: files, bytes, rate and the current artifact,
/// redrawn at most four times a second, and only when standard error is a terminal.
final class TerminalProgress: CollectionObserver {
    private let enabled: Bool
    private var totalFiles = 0
    private var totalBytes: UInt64 = 0
    private var files = 0
    private var bytes: UInt64 = 0
    private var artifact = ""
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(enabled: Bool) { self.enabled = enabled }

    /// Starts a phase (hashing the image, then reading the files): the counters restart.
    func planned(files: Int, bytes: UInt64) {
        totalFiles = files
        totalBytes = bytes
        self.files = 0
        self.bytes = 0
    }

    func started(file: String, artifact: String) {
        files += 1
        self.artifact = artifact
        draw()
    }

    func advanced(bytes: UInt64) {
        self.bytes += bytes
        draw()
    }

    func warning(_ message: String) {
        printError("warning: \(EscapedText.display(message))")
    }

    func finish() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
    }

    private func draw() {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.25 else { return }
        lastDraw = now
        drawn = true
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        let rate = UInt64(Double(bytes) / elapsed)
        let line = "\(files)/\(totalFiles) files  \(ByteCount.format(bytes))/\(ByteCount.format(totalBytes))  \(ByteCount.format(rate))/s  \(artifact)"
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + String(line.prefix(120))).utf8))
    }
}

/// The end-of-run summary printed after a collection.
enum SummaryText {
    /// The last line of a collection that found no Exchange install (README, "The Exchange install path").
    static let installPathMissing = """
        the Exchange install path was not found: no Exchange logs, OAB files or Exchange web folders were collected, \
        so analyze reports the Exchange CVEs as not assessable (not clean); if Exchange is installed elsewhere, \
        check the source (right volume? --volume-map) and collect again
        """

    static func render(_ summary: CollectionSummary) -> String {
        let manifest = summary.manifest
        var lines: [String] = []
        lines.append("Bundle:     \(EscapedText.display(summary.bundlePath)) (\(ByteCount.format(summary.bundleBytes)))")
        lines.append("SHA-256:    \(summary.bundleSHA256)")
        lines.append("Signed:     \(summary.signer.map { "by \($0)" } ?? "no (use --sign-key)")")
        if let table = manifest.source.partitionTable {
            let volumes = manifest.source.volumes.map { "\($0.name) \($0.fileSystem ?? "?")" + ($0.offset.map { " @\($0)" } ?? "") }
            lines.append("Image:      \(manifest.source.kind), partition table \(table); volumes: " + volumes.joined(separator: ", "))
        }
        if let image = manifest.source.image, let sha256 = image.sha256 {
            let agreement = image.acquisitionHashesAgree.map { $0 ? "matches the E01's acquisition hash" : "DIFFERS from the E01's acquisition hash" }
                ?? (image.acquisitionMD5 == nil && manifest.source.kind == "e01" ? "no acquisition hash stored" : nil)
            lines.append("Image hash: sha256 \(sha256)" + (agreement.map { " (\($0))" } ?? ""))
        }
        for warning in manifest.source.warnings ?? [] { lines.append("Warning:    \(EscapedText.display(warning))") }
        if let install = manifest.exchangeInstallPath {
            lines.append("Exchange:   \(install.volume):/\(EscapedText.display(install.path)) (found by \(install.discoveredBy))")
        } else {
            lines.append("Exchange:   install path not found")
        }
        lines.append("Collected:  \(summary.filesCollected) files, \(summary.filesPartial) partial, \(ByteCount.format(summary.bytesRead)) read in \(String(format: "%.1f", summary.seconds)) s")
        lines.append("Patterns:   \(summary.patternsMissing) missing, \(summary.patternsEmpty) empty")
        lines.append("Problems:   \(summary.filesFailed) failed, \(summary.linksSkipped) links skipped")
        let problems = manifest.outcomes.filter { $0.path != nil && ($0.status == .failed || $0.status == .skipped) }
        for outcome in problems.prefix(20) {
            lines.append("  \(outcome.status.rawValue): \(EscapedText.display(outcome.path ?? "")): \(EscapedText.display(outcome.reason ?? ""))")
        }
        if problems.count > 20 { lines.append("  ... \(problems.count - 20) more in manifest.json outcomes") }
        let partial = manifest.entries.filter { $0.status == .partial }
        for entry in partial.prefix(10) {
            lines.append("  partial: \(EscapedText.display(entry.sourcePath)): \(EscapedText.display(entry.reason ?? ""))")
        }
        if partial.count > 10 { lines.append("  ... \(partial.count - 10) more partial entries in manifest.json") }
        lines.append(summary.exitStatus == .success ? "Result:     complete" : "Result:     INCOMPLETE (some artifacts failed; see above)")
        return lines.joined(separator: "\n")
    }
}
