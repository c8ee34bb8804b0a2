import EvidenceBundle
import ExTriageCore

/// What a check knows about the member a record came from.
public struct MemberContext: Sendable {
    /// Bundle member name.
    public var member: String
    /// Path on the source volume.
    public var sourcePath: String
    /// SHA-256 of the whole file as collected.
    public var sha256: String
    public var family: LogFamily

    public func evidence(line: Int, timestamp: Timestamp?, excerpt: String) -> Evidence {
        Evidence(member: member, originalPath: sourcePath, line: line, timestamp: timestamp, excerpt: excerpt, sha256: sha256)
    }

    /// Evidence for one log record: its line, time and text, the client it came from, and for a
    /// web request its URL and status (IIS `cs-uri-stem`/`cs-uri-query`/`sc-status`, HttpProxy
    /// `UrlStem`/`UrlQuery`/`HttpStatus`), so exports need not parse the line again.
    public func evidence(_ record: LogRecord) -> Evidence {
        var evidence = self.evidence(line: record.line, timestamp: record.timestamp, excerpt: record.raw)
        evidence.clientIp = LogRecord.clientFields.lazy.compactMap { record.value($0) }.first { !$0.isEmpty && $0 != "-" }
        if let stem = (record.value("cs-uri-stem") ?? record.value("UrlStem")), !stem.isEmpty, stem != "-" {
            let query = record.value("cs-uri-query") ?? record.value("UrlQuery") ?? ""
            evidence.url = query.isEmpty || query == "-" ? stem : stem + "?" + query
        }
        evidence.httpStatus = (record.value("sc-status") ?? record.value("HttpStatus")).flatMap { Int($0) }
        return evidence
    }
}

/// Facts about the whole bundle that checks may consult when they finish.
public struct BundleFacts: Sendable {
    /// Every collected file's source path, lowercased, with its manifest entry.
    public var filesByFoldedPath: FoldedPathIndex
    /// The Exchange install path on its volume (`Program Files/Microsoft/Exchange Server/V15`), if found.
    public var exchangeInstallPath: String?

    /// Volume Shadow Copy volumes (`C@vss1`) by name, from the manifest's source.
    public var shadowCopies: [String: Manifest.ShadowCopyRecord]
    /// What `--shadow-copies` recorded (`read`, `not requested`, `not applicable`); nil in older bundles.
    public var shadowCopyStatus: String?
    /// The files collected from shadow-copy volumes, kept out of `filesByFoldedPath` so that a
    /// path always finds its live version there.
    public var shadowCopyEntries: [Manifest.Entry]

    public init(manifest: Manifest) {
        var shadows: [String: Manifest.ShadowCopyRecord] = [:]
        for volume in manifest.source.volumes {
            if let record = volume.shadowCopy { shadows[volume.name] = record }
        }
        shadowCopies = shadows
        shadowCopyStatus = manifest.source.shadowCopies?.status
        if shadows.isEmpty {
            filesByFoldedPath = FoldedPathIndex(manifest.entries)
            shadowCopyEntries = []
        } else {
            filesByFoldedPath = FoldedPathIndex(manifest.entries.filter { shadows[$0.volume] == nil })
            shadowCopyEntries = manifest.entries.filter { shadows[$0.volume] != nil }
        }
        exchangeInstallPath = manifest.exchangeInstallPath?.path
    }

    /// The bundle entry for a Windows path as logged (`C:\inetpub\...`, quotes, `\\?\`), if collected.
    public func entry(forWindowsPath path: String) -> Manifest.Entry? {
        filesByFoldedPath[WindowsPath.volumeRelative(path).lowercased()]
    }
}

/// The header values of the log a record came from.
public struct LogHeader: Sendable {
    public var software: String?
    public var version: String?
    public var logType: String?
}

/// Windows paths as logged, made comparable with bundle source paths.
public enum WindowsPath {
    /// `"C:\inetpub\wwwroot\x.aspx"` → `inetpub/wwwroot/x.aspx`; UNC paths keep their `//host/share` form.
    public static func volumeRelative(_ logged: String) -> String {
        var path = logged.trimmingWhitespace()
        while let first = path.first, first == "'" || first == "\"" { path.removeFirst() }
        while let last = path.last, last == "'" || last == "\"" { path.removeLast() }
        path = path.replacingBackslashes()
        if path.hasPrefix("//?/") { path.removeFirst(4) }
        if path.count >= 2, path.dropFirst().first == ":", path.first?.isLetter == true {
            path.removeFirst(2)
        }
        while path.hasPrefix("/") && !path.hasPrefix("//") { path.removeFirst() }
        return path
    }

    public static func isUNC(_ logged: String) -> Bool {
        let path = logged.trimmingWhitespace().trimmingCharacters(in: "'\"").replacingBackslashes()
        return path.hasPrefix("//") && !path.hasPrefix("//?/")
    }
}

extension String {
    func replacingBackslashes() -> String { String(map { $0 == "\\" ? "/" : $0 }) }

    func trimmingCharacters(in set: String) -> String {
        var out = Substring(self)
        while let first = out.first, set.contains(first) { out.removeFirst() }
        while let last = out.last, set.contains(last) { out.removeLast() }
        return String(out)
    }
}
