import EvidenceBundle
import ExTriageCore

/// What a file's two NTFS time sets say about time-stomping. `$STANDARD_INFORMATION` times are
/// what `SetFileTime` (and so every time-stomping tool) changes; `$FILE_NAME` times are written by
/// NTFS itself. A file is created with both equal, so an `$SI` creation time well before the
/// `$FN` one was set back; `$SI` times with no fraction of a second where `$FN` has one were
/// written by a tool. Only image collections record `$FN` times (`Manifest.Entry.fileNameTimes`).
struct TimeStomp: Sendable {
    var siCreated: Timestamp?
    var fnCreated: Timestamp
    /// `$SI` creation more than the slack (`TimeStompRules.slackSeconds`) before `$FN` creation.
    var backdated: Bool
    /// `$SI` creation and modification whole seconds while `$FN` creation is not.
    var zeroedFractions: Bool

    /// Nil when the entry has no `$FN` creation time or nothing is odd.
    init?(_ entry: Manifest.Entry, slackSeconds: Int64) {
        guard let fnCreated = entry.fileNameTimes?.created else { return nil }
        self.fnCreated = fnCreated
        siCreated = entry.created
        backdated = entry.created.map { fnCreated.seconds - $0.seconds > slackSeconds } ?? false
        let siTimes = [entry.created, entry.modified].compactMap { $0 }
        zeroedFractions = !siTimes.isEmpty && siTimes.allSatisfy { $0.nanoseconds == 0 } && fnCreated.nanoseconds != 0
        guard backdated || zeroedFractions else { return nil }
    }

    /// One sentence for the finding.
    var text: String {
        var parts: [String] = []
        if backdated, let siCreated {
            parts.append("its $STANDARD_INFORMATION creation time \(siCreated.iso8601) is before its $FILE_NAME creation time "
                + "\(fnCreated.iso8601): set back (time-stomping); the $FILE_NAME time is when NTFS created it")
        }
        if zeroedFractions {
            parts.append("its $STANDARD_INFORMATION times have no fraction of a second where $FILE_NAME's do, as time-setting tools write them")
        }
        return parts.joined(separator: "; ")
    }

    /// An evidence item at the `$FN` creation time, so the timeline shows when the file really appeared.
    func evidence(for entry: Manifest.Entry) -> Evidence {
        var details = ["timestamp": "$FILE_NAME created", "fileNameCreated": fnCreated.iso8601]
        if let siCreated { details["created"] = siCreated.iso8601 }
        if let modified = entry.modified { details["modified"] = modified.iso8601 }
        if let fnModified = entry.fileNameTimes?.modified { details["fileNameModified"] = fnModified.iso8601 }
        return Evidence(member: entry.path, originalPath: entry.sourcePath, timestamp: fnCreated,
                        excerpt: "$FILE_NAME created \(fnCreated.iso8601); $STANDARD_INFORMATION says \(siCreated?.iso8601 ?? "nothing")",
                        sha256: entry.sha256, details: details)
    }
}

/// The time-stomped files of a bundle, by lower-cased source path, with the tier each alone has:
/// the web-shell findings carry them (`EXT-C10`, `EXT-C09`).
struct TimeStomps: Exhibit {
    let byPath: [String: (stomp: TimeStomp, verdict: Verdict)]

    func stomp(at sourcePath: String) -> (stomp: TimeStomp, verdict: Verdict)? { byPath[sourcePath.lowercased()] }
}
