import ExTriageCore
import Foundation
import Synchronization

/// What `case add` says while it works. On a terminal: one live line (bundles done, rate, what
/// was not added, time left) redrawn at most four times a second, with a line of its own above
/// it for each bundle not simply added. Otherwise (a log, a pipe): one plain line per bundle.
public final class CaseAddProgress: Sendable {
    struct State {
        var done = 0
        var notAdded = 0
        var alreadyPresent = 0
        var lastDraw: Double = -1
        var drawn = false
    }

    let total: Int
    let live: Bool
    let write: @Sendable (String) -> Void
    let clock: @Sendable () -> Double
    let start: Double
    let state = Mutex(State())

    /// `live` when standard error is a terminal; `write` takes text as is (no newline added);
    /// `clock` gives seconds (tests pass their own).
    public init(total: Int, live: Bool, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSinceReferenceDate },
                write: @escaping @Sendable (String) -> Void) {
        self.total = total
        self.live = live
        self.write = write
        self.clock = clock
        start = clock()
    }

    /// One bundle finished (from any worker).
    public func finished(_ bundle: String, _ outcome: CaseIngest.Outcome) {
        let now = clock()
        let line = "\(EscapedText.display(bundle)): \(outcome.text)"
        state.withLock { state in
            state.done += 1
            switch outcome {
            case .added: break
            case .alreadyPresent: state.alreadyPresent += 1
            default: state.notAdded += 1
            }
            guard live else {
                write("[\(state.done)/\(total)] \(line)\n")
                return
            }
            var text = ""
            if case .added = outcome {} else { text += "\r\u{1B}[K" + line + "\n" }
            if !text.isEmpty || now - state.lastDraw >= 0.25 || state.done == total {
                text += "\r\u{1B}[K" + status(state, now: now)
                state.lastDraw = now
                state.drawn = true
            }
            if !text.isEmpty { write(text) }
        }
    }

    /// Ends the live line (a newline after it), so what follows starts on a line of its own.
    public func end() {
        state.withLock { state in
            if live && state.drawn { write("\n") }
        }
    }

    /// `case add: 120/1000 bundles, 8.1/s, 2 not added, 3 already in the case, about 1 min 49 s left`
    func status(_ state: State, now: Double) -> String {
        let elapsed = max(now - start, 0.001)
        let rate = Double(state.done) / elapsed
        var parts = ["case add: \(state.done)/\(total) bundles", String(format: "%.1f/s", rate)]
        if state.notAdded > 0 { parts.append("\(state.notAdded) not added") }
        if state.alreadyPresent > 0 { parts.append("\(state.alreadyPresent) already in the case") }
        if state.done < total, rate > 0 {
            let left = Int((Double(total - state.done) / rate).rounded())
            parts.append("about " + (left >= 60 ? "\(left / 60) min \(left % 60) s" : "\(left) s") + " left")
        }
        return parts.joined(separator: ", ")
    }
}
