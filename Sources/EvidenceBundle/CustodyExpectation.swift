/// What the receiving analyst recorded of a custody log (its event count and head hash), checked
/// against the log now.
///
/// The hash chain shows an edited or removed line only at the line after it, so lines cut from
/// the end leave a chain that checks out. A recorded head (the SHA-256 of the last line, which
/// `custody show` and `verify` print) or count catches that: the recorded head must still be a
/// line of the log, at the recorded count when both are given. Later events after it are fine.
public struct CustodyExpectation: Sendable, Equatable {
    public var headSha256: String?
    public var events: Int?

    public init(headSha256: String? = nil, events: Int? = nil) {
        self.headSha256 = headSha256?.lowercased()
        self.events = events
    }

    public var isEmpty: Bool { headSha256 == nil && events == nil }

    /// Whether `text` is a head hash as printed: 64 hexadecimal digits.
    public static func isHeadHash(_ text: String) -> Bool {
        text.utf8.count == 64 && text.allSatisfy(\.isHexDigit)
    }

    /// The result of comparing: problems make the log NOT INTACT; notes are for information.
    public struct Outcome: Sendable, Equatable {
        public var problems: [String] = []
        public var notes: [String] = []
    }

    public func compare(with check: CustodyLog.Check) -> Outcome {
        var outcome = Outcome()
        let count = check.lineSha256.count
        if let events, count < events {
            outcome.problems.append("the custody log has \(count) events, \(events) were recorded: "
                                    + "the last \(events - count) were removed (or the log was replaced)")
        }
        if let headSha256 {
            if let index = check.lineSha256.firstIndex(of: headSha256) {
                let position = index + 1
                if let events, position != events {
                    outcome.problems.append("the recorded head \(headSha256.prefix(16))… is event \(position), not event \(events) as recorded")
                } else if position < count {
                    outcome.notes.append("the recorded head is event \(position); \(Self.events(count - position)) added after it")
                }
            } else {
                outcome.problems.append("the recorded head \(headSha256.prefix(16))… is not in the custody log "
                                        + "(head now \(check.headSha256.map { String($0.prefix(16)) + "…" } ?? "none")): "
                                        + "events were removed from its end, or it was edited or replaced")
            }
        } else if let events, count > events {
            outcome.notes.append("\(Self.events(count - events)) added after the \(events) recorded")
        }
        return outcome
    }

    private static func events(_ count: Int) -> String { count == 1 ? "1 event was" : "\(count) events were" }
}
