import ExTriageCore

/// The time the log checks saw the attack: from the first to the last evidence time of their
/// findings at `attempt` or above. Host checks judge a trace that has no meaning of its own (a
/// hidden task, bytes sent) by how near it lies.
struct AttackWindow: Equatable {
    var first: Timestamp
    var last: Timestamp

    init(first: Timestamp, last: Timestamp) {
        self.first = first
        self.last = last
    }

    /// Nil when the log checks found nothing at `attempt` or above with a time.
    init?(_ findings: [Finding]) {
        let times = findings.filter { $0.verdict >= .attempt }.flatMap(\.evidence).compactMap(\.timestamp)
        guard let first = times.min(), let last = times.max() else { return nil }
        self.init(first: first, last: last)
    }

    /// Whether `time` lies in the window widened by `slack` seconds on both sides.
    func contains(_ time: Timestamp, slack: Int64) -> Bool {
        time.seconds >= first.seconds - slack && time.seconds <= last.seconds + slack
    }
}
