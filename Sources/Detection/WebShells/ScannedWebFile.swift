import ExTriageCore

/// One web file the content scan read.
struct ScannedWebFile: Sendable {
    var member: MemberInfo
    /// Bytes scanned (at most the cap) and bytes the member held.
    var scannedBytes: Int
    var memberBytes: Int
    var outcome: YaraScanOutcome
    /// ssdeep of the scanned bytes, for a file a rule matched (`PivotKey.shellFuzzy`).
    var fuzzyHash: String? = nil

    var partial: Bool { memberBytes > scannedBytes }
}

/// Every web file `EXT-C10` scanned, by member name: the location check skips those it reported.
struct WebFileScans: Exhibit {
    let byMember: [String: ScannedWebFile]
}
