@testable import CaseStore
import ExTriageCore
import Synchronization
import Testing

/// What `case add` writes while it works: plain lines when standard error is not a terminal.
@Suite struct CaseAddProgressTests {
    final class Sink: Sendable {
        let text = Mutex("")
        func write(_ more: String) { text.withLock { $0 += more } }
    }

    @Test func withoutATerminalEachBundleHasOnePlainLine() {
        let sink = Sink()
        let progress = CaseAddProgress(total: 3, live: false, clock: { 0 }, write: sink.write)
        progress.finished("/cases/a.tar", .added(.compromised))
        progress.finished("/cases/b\u{1B}[2J.tar", .alreadyPresent)
        progress.finished("/cases/c.tar", .recordedUnverified("not-intact"))
        progress.end()
        let lines = sink.text.withLock { $0 }.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4 && lines.last == "")
        #expect(lines[0] == "[1/3] /cases/a.tar: added: \(HostVerdict.compromised.text)")
        #expect(lines[1].hasPrefix("[2/3] /cases/b") && lines[1].hasSuffix(".tar: already in the case (same SHA-256): unchanged"))
        #expect(lines[2].hasPrefix("[3/3] /cases/c.tar: recorded as not-intact"))
        // No terminal control goes to a log: not ours, and not the bundle name's either.
        #expect(!sink.text.withLock { $0 }.contains("\u{1B}"))
        #expect(!sink.text.withLock { $0 }.contains("\r"))
    }

    @Test func onATerminalOneLiveLineIsRedrawnAndProblemsStayAboveIt() {
        let sink = Sink()
        let now = Mutex(0.0)
        let progress = CaseAddProgress(total: 4, live: true, clock: { now.withLock { $0 } }, write: sink.write)
        now.withLock { $0 = 1 }
        progress.finished("a.tar", .added(.compromised))
        now.withLock { $0 = 1.1 }
        progress.finished("b.tar", .added(.noEvidenceFound))
        now.withLock { $0 = 2 }
        progress.finished("c.tar", .notABundle("no manifest.json"))
        progress.finished("d.tar", .added(.compromised))
        progress.end()
        let text = sink.text.withLock { $0 }
        #expect(text.contains("\r\u{1B}[Kcase add: 1/4 bundles, 1.0/s"))
        #expect(!text.contains("2/4 bundles"), "redrawn at most four times a second")
        #expect(text.contains("\r\u{1B}[Kc.tar: not recorded: no manifest.json\n\r\u{1B}[Kcase add: 3/4 bundles, 1.5/s, 1 not added, about 1 s left"))
        #expect(text.hasSuffix("case add: 4/4 bundles, 2.0/s, 1 not added\n"))
        #expect(!text.contains("a.tar"))
    }
}
