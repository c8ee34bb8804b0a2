import EvidenceBundle
import ExTriageCore

/// One reason a file's place, name, times or attributes are odd (no content needed).
struct LocationNote: Sendable, Hashable {
    var verdict: Verdict
    var text: String
}

/// Location and allow-list analysis over the manifest (EXCHANGE-ARTIFACTS.md C09): drop zones and
/// their known files, look-alike and indicator names, times in an attack window or after the
/// neighbours', hidden or system attributes where the source recorded them.
///
/// An unknown script file in a drop zone is `likely`; every other oddity alone is `informational`.
/// Empty files are skipped: they run nothing (git keeps empty folders with them, for one).
struct LocationVerdicts {
    let list: WebShellLocationList
    let selection: WebFileSelection
    let exchange: String?
    /// Resolved zone folders (lower-case, no trailing slash) with their zone.
    let zones: [(folder: String, zone: WebShellLocationList.Zone)]
    /// The newest and second-newest distinct modification times per folder, over every
    /// collected file in it (so each file's newest *other* time is known without a rescan).
    let newestInFolder: [String: (first: Timestamp, second: Timestamp?)]

    /// Every modification time per folder, in seconds, sorted (for update-cluster checks).
    let timesInFolder: [String: [Int64]]
    /// The attack as this bundle's logs show it (first to last likely-or-confirmed evidence).
    let observed: WebShellLocationList.Window?

    init(list: WebShellLocationList, facts: BundleFacts, observed: WebShellLocationList.Window? = nil) {
        self.list = list
        self.observed = observed
        selection = WebFileSelection(list)
        exchange = facts.exchangeInstallPath
        zones = list.zones.compactMap { zone in
            WebShellLocationList.resolve(zone.folder, exchange: facts.exchangeInstallPath).map { (folder: $0, zone: zone) }
        }
        var times: [String: (first: Timestamp, second: Timestamp?)] = [:]
        var all: [String: [Int64]] = [:]
        for (path, entry) in facts.filesByFoldedPath {
            guard let modified = entry.modified else { continue }
            let folder = LocationVerdicts.folder(of: path)
            all[folder, default: []].append(modified.seconds)
            guard let known = times[folder] else {
                times[folder] = (modified, nil)
                continue
            }
            if modified > known.first {
                times[folder] = (modified, known.first)
            } else if modified < known.first, known.second.map({ modified > $0 }) ?? true {
                times[folder] = (known.first, modified)
            }
        }
        newestInFolder = times
        timesInFolder = all.mapValues { $0.sorted() }
    }

    /// Files of one folder changed within an hour of each other: an install or update, not a drop.
    static let clusterSize = 4

    /// How many files of `folder` (this one included) were modified within an hour of `time`.
    func filesModified(near time: Timestamp, in folder: String) -> Int {
        guard let sorted = timesInFolder[folder] else { return 0 }
        func lowerBound(_ value: Int64) -> Int {
            var low = 0, high = sorted.count
            while low < high {
                let middle = (low + high) / 2
                if sorted[middle] < value { low = middle + 1 } else { high = middle }
            }
            return low
        }
        return lowerBound(time.seconds + 3_601) - lowerBound(time.seconds - 3_600)
    }

    /// From a day before the first to a week after the last likely-or-confirmed log evidence:
    /// shells are written during the attack or soon after, by the same or a later actor.
    static func observedWindow(_ findings: [Finding]) -> WebShellLocationList.Window? {
        let times = findings.filter { $0.verdict >= .likely }.flatMap { $0.evidence.compactMap(\.timestamp) }
        guard let first = times.min(), let last = times.max() else { return nil }
        return WebShellLocationList.Window(name: "attack seen in the logs (\(first.iso8601) to \(last.iso8601))",
                                           start: Timestamp(seconds: first.seconds - 86_400), end: Timestamp(seconds: last.seconds + 7 * 86_400))
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }

    /// The notes for one collected file; empty when nothing is odd or the file is not a web file.
    /// A published shell hash is `confirmed` wherever the file is.
    func notes(for entry: Manifest.Entry) -> [LocationNote] {
        guard entry.size > 0 else { return [] }
        let known = list.knownShellHashes.contains(entry.sha256.lowercased())
            ? [LocationNote(verdict: .confirmed, text: "its SHA-256 is one of the web shells Microsoft published for HAFNIUM")] : []
        return known + placeNotes(for: entry)
    }

    /// Place, name, time and attribute notes for a web file or a file in a drop zone.
    private func placeNotes(for entry: Manifest.Entry) -> [LocationNote] {
        let path = entry.sourcePath.lowercased()
        guard let info = MemberInfo(member: entry.path) else { return [] }
        let inZones = zones.filter { path.hasPrefix($0.folder + "/") }
        guard !inZones.isEmpty || selection.wants(info) else { return [] }
        let name = String(path.split(separator: "/").last ?? "")
        let ext = info.fileExtension
        let script = list.scriptExtensions.contains(ext)
        var notes: [LocationNote] = []
        for (folder, zone) in inZones {
            let relative = path.dropFirst(folder.count + 1)
            let nested = relative.contains("/")
            let depthMatches = zone.depth == .any || (zone.depth == .top && !nested) || (zone.depth == .nested && nested)
            if depthMatches, !zone.allow.contains(name), !zone.scriptsOnly || script {
                notes.append(LocationNote(verdict: script ? .likely : .informational,
                                          text: "in \(zone.name): \(zone.reason)"))
            }
        }
        if script || !inZones.isEmpty {
            if let twin = lookAlike(of: name) {
                notes.append(LocationNote(verdict: .informational, text: "name looks like Exchange's \(twin) (an edit or two away)"))
            }
            if list.nameIndicators.contains(name) {
                notes.append(LocationNote(verdict: .informational, text: "name seen in web-shell incident reports"))
            }
        }
        // Times: newer than the neighbours (updates rewrite files in one cluster) is a note of its
        // own; a time inside an attack window only adds context to another note.
        if script, let modified = entry.modified {
            let window = list.attackWindows.first { modified >= $0.start && modified <= $0.end }
            let newestTwo = newestInFolder[LocationVerdicts.folder(of: path)]
            let newestOther = newestTwo?.first == modified ? newestTwo?.second : newestTwo?.first
            if let newest = newestOther, modified.seconds - newest.seconds > Int64(list.siblingSkewDays) * 86_400 {
                let days = (modified.seconds - newest.seconds) / 86_400
                notes.append(LocationNote(verdict: .informational, text: "modified \(days) days after the newest other file in its folder"
                                          + (window.map { ", during the \($0.name) window" } ?? "")))
            } else if let observed, modified >= observed.start, modified <= observed.end,
                      filesModified(near: modified, in: LocationVerdicts.folder(of: path)) < LocationVerdicts.clusterSize {
                notes.append(LocationNote(verdict: .informational, text: "modified \(modified.iso8601), during the \(observed.name)"))
            } else if let window, !notes.isEmpty {
                notes.append(LocationNote(verdict: .informational, text: "modified \(modified.iso8601), during the \(window.name) window"))
            }
        }
        let attributes = Set((entry.flags ?? []).map { $0.lowercased() }).intersection(["hidden", "system"])
        if !attributes.isEmpty {
            notes.append(LocationNote(verdict: .informational, text: "has the \(attributes.sorted().joined(separator: "+")) attribute (attrib +h +s hides shells)"))
        }
        return notes
    }

    /// An allow-listed name within the look-alike distance (larger for long names), not equal to `name`.
    func lookAlike(of name: String) -> String? {
        let known = list.lookAlikeNames
        if known.contains(where: { $0.lowercased() == name }) { return nil }
        return known.first { candidate in
            let limit = candidate.count >= list.longNameLength ? list.longNameDistance : list.lookAlikeDistance
            return EditDistance.between(Array(candidate.lowercased().utf8), Array(name.utf8), limit: limit) <= limit
        }
    }
}

/// Levenshtein distance with an early exit once every path exceeds `limit`.
enum EditDistance {
    static func between(_ lhs: [UInt8], _ rhs: [UInt8], limit: Int) -> Int {
        if abs(lhs.count - rhs.count) > limit { return limit + 1 }
        var previous = Array(0...rhs.count)
        var row = Array(repeating: 0, count: rhs.count + 1)
        for (i, left) in lhs.enumerated() {
            row[0] = i + 1
            var smallest = row[0]
            for (j, right) in rhs.enumerated() {
                row[j + 1] = Swift.min(previous[j + 1] + 1, row[j] + 1, previous[j] + (left == right ? 0 : 1))
                smallest = Swift.min(smallest, row[j + 1])
            }
            if smallest > limit { return limit + 1 }
            swap(&previous, &row)
        }
        return previous[rhs.count]
    }
}
