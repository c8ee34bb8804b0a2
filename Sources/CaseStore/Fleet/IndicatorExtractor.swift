import ExTriageCore

/// Draws a bundle's indicators from its findings' pivots and evidence and its campaigns' clients.
public enum IndicatorExtractor {
    /// Web-shell checks: content (YARA) and location.
    static let webShellChecks: Set<CheckID> = ["EXT-C10", "EXT-C09"]
    static let dumpCheck: CheckID = "DUMP-LSASS"
    static let archiveCheck: CheckID = "STAGING-ARCHIVES"
    /// Below this a finding is context, not activity: its values tie nothing.
    static let minimumVerdict = Verdict.likely
    /// Client values that are never an attacker: loopback and unspecified addresses, empty log fields.
    static let meaninglessValues: Set<String> = ["", "-", "::1", "0.0.0.0", "127.0.0.1"]

    /// Each (kind, value) once, with the earliest time seen.
    public static func indicators(findings: [Finding], campaigns: [Campaign]) -> [Indicator] {
        var earliest: [Pair: Timestamp?] = [:]
        func note(_ kind: Indicator.Kind, _ raw: String, _ time: Timestamp?) {
            let value = raw.trimmingWhitespace()
            guard !meaninglessValues.contains(value), !value.hasPrefix("127.") else { return }
            let pair = Pair(kind: kind, value: value)
            switch (earliest[pair], time) {
            case (.none, _): earliest[pair] = time
            case (.some(.some(let known)), .some(let time)) where time < known: earliest[pair] = time
            case (.some(.none), .some(let time)): earliest[pair] = time
            default: break
            }
        }
        for finding in findings {
            let time = finding.firstSeen
            for parameter in finding.pivots[.shellParameter] ?? [] where finding.verdict >= minimumVerdict {
                note(.shellParameter, parameter, time)
            }
            guard finding.verdict >= minimumVerdict else { continue }
            for path in finding.pivots[.mailboxExportPath] ?? [] { note(.mailboxExportPath, path.lowercased(), time) }
            if webShellChecks.contains(finding.checkId), let file = finding.evidence.first {
                if !file.sha256.isEmpty { note(.shellSha256, file.sha256.lowercased(), time) }
                note(.shellName, fileName(file.originalPath), time)
                for hash in finding.pivots[.shellFuzzy] ?? [] { note(.shellFuzzy, hash, time) }
            } else if finding.checkId == dumpCheck {
                for item in finding.evidence {
                    if item.details?["Reason"]?.contains("ProcDump") == true {
                        if !item.sha256.isEmpty { note(.toolSha256, item.sha256.lowercased(), item.timestamp ?? time) }
                    } else {
                        note(.dumpName, fileName(item.originalPath), item.timestamp ?? time)
                    }
                }
            } else if finding.checkId == archiveCheck {
                for item in finding.evidence { note(.archiveName, fileName(item.originalPath), item.timestamp ?? time) }
            }
        }
        for campaign in campaigns {
            for address in campaign.clientIps { note(.clientIp, address, campaign.first) }
            for agent in campaign.userAgents { note(.userAgent, UserAgents.key(agent), campaign.first) }
        }
        return earliest.map { Indicator(kind: $0.key.kind, value: $0.key.value, firstSeen: $0.value) }
            .sorted { ($0.kind, $0.value) < ($1.kind, $1.value) }
    }

    /// The last path component, lower-cased (Windows names are case-insensitive).
    static func fileName(_ path: String) -> String {
        let last = path.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? path
        return last.lowercased()
    }

    struct Pair: Hashable {
        var kind: Indicator.Kind
        var value: String
    }
}
