import EvidenceBundle
import ExTriageCore

/// A file collected from a Volume Shadow Copy (`evidence/C@vss1/...`) set against the live
/// volume's version of the same path: what kind of artifact it is, and what changed since the
/// snapshot that an intruder's cleanup explains and ordinary operation does not.
///
/// What is ordinary, and so never `likely`:
/// - An event log (`.evtx`) keeps its size as it fills (Windows preallocates it and overwrites the
///   oldest records when full), so a live log as long as or longer than the snapshot's is normal.
///   A live log shorter than the snapshot's was cleared (or recreated), unless an
///   `Archive-<log>-*.evtx` beside it says Windows archived it (the "archive when full" policy).
/// - Exchange and IIS text logs are appended to and rolled over to new files by date or size;
///   Exchange's retention (and scripts that trim IIS logs) delete the oldest files first. A
///   snapshot log missing from the live volume that is older than every live log of its series
///   (same name up to the date: `u_ex`, `HttpProxy_`) was rotated away. One missing while an older
///   one remains was picked out; a live log shorter than the snapshot's was cut back (text logs only grow).
/// - Web pages: Exchange setup replaces whole versioned resource folders (`owa/15.1.2176.2/`) and a
///   cumulative update removes many pages at once; those are not reported as deletions.
struct ShadowCopyComparison {
    enum Kind: String {
        case eventLog = "event log"
        case exchangeLog = "Exchange log"
        case iisLog = "IIS log"
        case webPage = "web page"
    }

    /// The channels whose log an intruder clears and Windows never removes (lower-cased file names).
    static let coreEventLogs: Set<String> = [
        "security.evtx", "system.evtx", "application.evtx", "windows powershell.evtx",
        "microsoft-windows-powershell%4operational.evtx", "microsoft-windows-sysmon%4operational.evtx",
        "microsoft-windows-taskscheduler%4operational.evtx",
        "microsoft-windows-terminalservices-localsessionmanager%4operational.evtx",
        "microsoft-windows-terminalservices-remoteconnectionmanager%4operational.evtx",
    ]

    /// More deleted pages than this from one snapshot is an update or an uninstall, not a shell removed.
    static let massPageDeletion = 20

    /// Which kind of artifact `path` (folded) is, or nil for one the check does not compare.
    static func kind(of folded: String, exchange: String?, scriptExtensions: Set<String>) -> Kind? {
        let name = folded.split(separator: "/").last.map(String.init) ?? folded
        let ext = name.split(separator: ".").count > 1 ? String(name.split(separator: ".").last!) : ""
        if folded.hasPrefix("windows/system32/winevt/logs/"), ext == "evtx" { return .eventLog }
        if ext == "log", let exchange = exchange?.lowercased(), !exchange.isEmpty,
           folded.hasPrefix(exchange + "/logging/") || folded.hasPrefix(exchange + "/transportroles/logs/") {
            return .exchangeLog
        }
        if ext == "log", folded.hasPrefix("inetpub/logs/logfiles/") { return .iisLog }
        if scriptExtensions.contains(ext), !WebShellScoring.webPaths(of: folded, exchange: exchange).isEmpty { return .webPage }
        return nil
    }

    /// Whether a folder segment is an Exchange build number (`15.1.2176.2`): setup owns it.
    static func inVersionedFolder(_ folded: String) -> Bool {
        folded.split(separator: "/").dropLast().contains { segment in
            let parts = segment.split(separator: ".", omittingEmptySubsequences: false)
            return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
        }
    }

    static func folder(of folded: String) -> String {
        guard let slash = folded.lastIndex(of: "/") else { return "" }
        return String(folded[..<slash])
    }

    /// The live logs of the same series as `name` in its folder: the same name up to the first
    /// digit (`u_ex`, `HttpProxy_`), as IIS and Exchange name a series by date.
    static func series(of name: String, in liveFolder: [Manifest.Entry]) -> [Manifest.Entry] {
        let prefix = stem(name)
        return liveFolder.filter { stem(fileName($0.sourcePath)) == prefix }
    }

    /// Whether a missing log is older than every live log of its series, by its dated name (and,
    /// where the times say so, by its last write): the file retention removes first.
    static func olderThanAll(_ entry: Manifest.Entry, name: String, _ series: [Manifest.Entry]) -> Bool {
        let folded = name.lowercased()
        guard series.allSatisfy({ fileName($0.sourcePath).lowercased() > folded }) else { return false }
        guard let written = entry.modified, let oldest = series.compactMap(\.modified).min() else { return true }
        return written <= oldest
    }

    static func fileName(_ path: String) -> String { path.split(separator: "/").last.map(String.init) ?? path }

    static func stem(_ name: String) -> String { String(name.lowercased().prefix { !$0.isNumber }) }

    /// `Archive-Security-2021-03-02-10-00-00-000.evtx` beside `Security.evtx`.
    static func archived(_ folded: String, in liveFolder: [Manifest.Entry]) -> Bool {
        let name = folded.split(separator: "/").last.map(String.init) ?? folded
        let stem = name.hasSuffix(".evtx") ? String(name.dropLast(5)) : name
        return liveFolder.contains { entry in
            let other = entry.sourcePath.lowercased().split(separator: "/").last.map(String.init) ?? ""
            return other.hasPrefix("archive-" + stem + "-") && other.hasSuffix(".evtx")
        }
    }
}
