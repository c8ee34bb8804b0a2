import ExTriageCore

/// The elements a configuration check kept from one file, judged in `finish` when the Exchange
/// install path and the files' hashes are known.
struct ConfigEntries {
    struct Kept {
        var member: MemberInfo
        var element: ConfigElement
    }
    var kept: [Kept] = []
    /// Files read, and files read over their head only.
    var files = 0
    var partial: [String] = []
    /// Files that are not well formed, with the line where reading stopped.
    var malformed: [String] = []
    static let cap = 5000

    mutating func read(_ content: MemberContent, keeping wanted: (ConfigElement) -> Bool) {
        files += 1
        if content.isPartial { partial.append(content.member.sourcePath) }
        let (elements, brokenAt) = ConfigXML.read(content.head)
        if let brokenAt, !content.isPartial { malformed.append("\(content.member.sourcePath) (line \(brokenAt))") }
        for element in elements where kept.count < Self.cap && wanted(element) {
            kept.append(Kept(member: content.member, element: element))
        }
    }

    /// The evidence for one kept element: its line, the tag as excerpt, the file's SHA-256.
    static func evidence(_ kept: Kept, facts: BundleFacts, details: [String: String]) -> Evidence {
        Evidence(member: kept.member.member, originalPath: kept.member.sourcePath, line: kept.element.line, timestamp: nil,
                 excerpt: kept.element.excerpt, sha256: facts.filesByFoldedPath[kept.member.sourcePath.lowercased()]?.sha256 ?? "",
                 details: details)
    }

    /// The check's coverage: not applicable when no `what` was collected, else the files read in
    /// part and those not well formed (read up to where they break).
    func coverage(of what: String, limit: Int) -> CoverageNote {
        guard files > 0 else { return CoverageNote(status: .notApplicable, reason: "no \(what) in the bundle") }
        var reasons: [String] = []
        if !partial.isEmpty {
            reasons.append("\(partial.count) file(s) read over their first \(ByteCount.format(UInt64(limit))) only: " + partial.prefix(5).joined(separator: ", "))
        }
        if !malformed.isEmpty {
            reasons.append("\(malformed.count) file(s) not well formed, read up to where they break: " + malformed.prefix(5).joined(separator: ", "))
        }
        return CoverageNote(reason: reasons.isEmpty ? nil : reasons.joined(separator: "; "), malformed: malformed.isEmpty ? nil : malformed.count)
    }
}

extension Verdict {
    /// The severity a persistence finding of this tier carries.
    var persistenceSeverity: Severity {
        switch self {
        case .confirmed: .critical
        case .likely: .high
        case .attempt: .medium
        case .informational: .info
        }
    }
}
