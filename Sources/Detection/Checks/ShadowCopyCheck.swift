import EvidenceBundle
import ExTriageCore

/// Logs and web pages a Volume Shadow Copy still holds that the live volume lost: a cleared
/// event log, an Exchange or IIS log cut short or removed from the middle of its series, a web
/// page deleted since the snapshot (a web shell removed after use). Reads the manifest only:
/// `collect --shadow-copies` records each store's volume (`C@vss1`), identifier and creation time,
/// and every file's size and hashes on both volumes.
///
/// Tiers (`ShadowCopyComparison` says what is ordinary): `likely` for a core event log (Security,
/// System, PowerShell, Sysmon, ...) shorter or missing on the live volume with no archive of it,
/// for a text log shorter on the live volume, for a text log missing while an older one of its
/// series remains (retention deletes oldest first), and for a script page deleted from a web
/// root (unless in setup's versioned folders, or one of a mass removal by an update). `informational`: another event log missing, a log series gone
/// entirely (logging moved?), a mass page removal. Logs rotated away by retention raise nothing.
/// References: MITRE ATT&CK T1070.001 (clear Windows event logs), T1070.004 (file deletion),
/// T1505.003 (web shell); issue 17.
struct ShadowCopyCheck: Check {
    static let checkID: CheckID = "HOST-SHADOW-COPY"
    let id = ShadowCopyCheck.checkID
    let title = "Logs and web pages in shadow copies, lost from the live volume"
    let input = CheckInput.manifest
    let locations: WebShellLocationList

    func finish(_ state: inout Void, in context: FinishContext) -> CheckOutput {
        let facts = context.facts
        guard !facts.shadowCopies.isEmpty else {
            let reason: String
            switch facts.shadowCopyStatus {
            case "not requested": reason = "the image was collected without --shadow-copies"
            case "not applicable": reason = "a directory source has no shadow copies (collect the disk image with --shadow-copies)"
            case "read": reason = "the image holds no shadow copy"
            default: reason = "the bundle holds no shadow copy"
            }
            return CheckOutput(findings: [], coverage: CoverageNote(status: .notApplicable, reason: reason))
        }
        let exchange = facts.exchangeInstallPath
        // The live volumes' files by volume and folded path, and by folder.
        var live: [String: [String: Manifest.Entry]] = [:]
        var liveFolders: [String: [String: [Manifest.Entry]]] = [:]
        let liveVolumes = Set(facts.shadowCopies.values.map(\.of))
        for entry in facts.filesByFoldedPath.values where entry.stream == nil && liveVolumes.contains(entry.volume) {
            let folded = entry.sourcePath.lowercased()
            live[entry.volume, default: [:]][folded] = entry
            liveFolders[entry.volume, default: [:]][ShadowCopyComparison.folder(of: folded), default: []].append(entry)
        }

        var findings: [Finding] = []
        var compared = 0, rotated = 0, setupPages = 0
        var deletedPages: [(Manifest.Entry, Manifest.ShadowCopyRecord)] = []
        for entry in facts.shadowCopyEntries where entry.stream == nil {
            guard let store = facts.shadowCopies[entry.volume] else { continue }
            let folded = entry.sourcePath.lowercased()
            guard let kind = ShadowCopyComparison.kind(of: folded, exchange: exchange, scriptExtensions: locations.scriptExtensions) else {
                continue
            }
            compared += 1
            let current = live[store.of]?[folded]
            let folder = liveFolders[store.of]?[ShadowCopyComparison.folder(of: folded)] ?? []
            let name = entry.sourcePath.split(separator: "/").last.map(String.init) ?? entry.sourcePath
            switch kind {
            case .eventLog:
                if let current {
                    guard current.size < entry.size else { continue }
                    if ShadowCopyComparison.archived(folded, in: folder) {
                        findings.append(finding(.informational, "Event log archived since shadow copy \(store.store): \(name)", entry, current, store,
                                                "the live log is shorter than in the snapshot, and an Archive- copy of it lies beside it: Windows archived it when full",
                                                attack: ["T1070.001"]))
                    } else {
                        findings.append(finding(.likely, "Event log cleared after shadow copy \(store.store): \(name)", entry, current, store,
                                                "the live log is shorter than the same log in the snapshot and was not archived: an event log only shrinks when it is cleared or recreated; the snapshot holds the records it lost",
                                                attack: ["T1070.001"]))
                    }
                } else {
                    let core = ShadowCopyComparison.coreEventLogs.contains(name.lowercased())
                    findings.append(finding(core ? .likely : .informational, "Event log deleted after shadow copy \(store.store): \(name)", entry, nil, store,
                                            core ? "a core Windows event log present in the snapshot is gone from the live volume: Windows never removes it; the snapshot holds its records"
                                                 : "an event log present in the snapshot is gone from the live volume (its channel may have been removed with its software)",
                                            attack: ["T1070.001"]))
                }
            case .exchangeLog, .iisLog:
                if let current {
                    guard current.size < entry.size else { continue }
                    findings.append(finding(.likely, "\(kind.rawValue) cut short after shadow copy \(store.store): \(name)", entry, current, store,
                                            "the live \(kind.rawValue) is shorter than in the snapshot: text logs are only appended to, so lines were removed; the snapshot holds them",
                                            attack: ["T1070"]))
                    continue
                }
                let series = ShadowCopyComparison.series(of: name, in: folder)
                if series.isEmpty {
                    findings.append(finding(.informational, "\(kind.rawValue) series gone after shadow copy \(store.store): \(name)", entry, nil, store,
                                            "no log of this series is left in its folder on the live volume: logging may have been moved or stopped, or the folder wiped",
                                            attack: ["T1070.004"]))
                } else if ShadowCopyComparison.olderThanAll(entry, name: name, series) {
                    rotated += 1  // the oldest of its series: removed by retention
                } else {
                    findings.append(finding(.likely, "\(kind.rawValue) deleted from its series after shadow copy \(store.store): \(name)", entry, nil, store,
                                            "the log is gone from the live volume while older logs of its series remain: retention removes the oldest first, so this one was deleted on purpose; the snapshot holds it",
                                            attack: ["T1070.004"]))
                }
            case .webPage:
                guard current == nil else { continue }
                if ShadowCopyComparison.inVersionedFolder(folded) {
                    setupPages += 1
                } else {
                    deletedPages.append((entry, store))
                }
            }
        }
        if deletedPages.count > ShadowCopyComparison.massPageDeletion {
            let (first, store) = deletedPages[0]
            var summary = finding(.informational, "\(deletedPages.count) web pages removed after shadow copy \(store.store)", first, nil, store,
                                  "many pages were removed at once, as an Exchange update or an uninstall does; each is in the snapshot",
                                  attack: [])
            summary.evidence = deletedPages.prefix(10).map { evidence($0.0, nil, $0.1) }
            findings.append(summary)
        } else {
            for (entry, store) in deletedPages {
                let name = entry.sourcePath.split(separator: "/").last.map(String.init) ?? entry.sourcePath
                findings.append(finding(.likely, "Web page deleted after shadow copy \(store.store): \(name)", entry, nil, store,
                                        "a server page in a web folder exists in the snapshot but not on the live volume: web shells are deleted after use; the snapshot holds its content",
                                        attack: ["T1505.003", "T1070.004"]))
            }
        }
        var reason = "\(compared) log(s) and web page(s) in \(facts.shadowCopies.count) shadow cop\(facts.shadowCopies.count == 1 ? "y" : "ies") compared with the live volume"
        if rotated > 0 { reason += "; \(rotated) older log(s) removed by retention (ordinary)" }
        if setupPages > 0 { reason += "; \(setupPages) page(s) of Exchange's versioned folders replaced by setup (ordinary)" }
        return CheckOutput(findings: findings, coverage: CoverageNote(status: .ran, reason: reason, members: compared, records: compared))
    }

    private func finding(_ verdict: Verdict, _ title: String, _ snapshot: Manifest.Entry, _ current: Manifest.Entry?,
                         _ store: Manifest.ShadowCopyRecord, _ explanation: String, attack: [String]) -> Finding {
        var items = [evidence(snapshot, current, store)]
        if let current {
            items.append(Evidence(member: current.path, originalPath: current.sourcePath, timestamp: current.modified,
                                  excerpt: "live volume: \(current.size) bytes, SHA-256 \(current.sha256)", sha256: current.sha256,
                                  details: ["volume": current.volume, "size": String(current.size)]))
        }
        return Finding(checkId: id, title: title, severity: verdict == .likely ? .high : .low, verdict: verdict, attack: attack,
                       evidence: items, explanation: explanation, pivots: [.filePath: [snapshot.sourcePath]], category: "anti-forensics")
    }

    /// The snapshot's version: store, creation time, sizes and hashes on both sides.
    private func evidence(_ snapshot: Manifest.Entry, _ current: Manifest.Entry?, _ store: Manifest.ShadowCopyRecord) -> Evidence {
        var details = ["volume": snapshot.volume, "store": String(store.store), "storeIdentifier": store.identifier,
                       "size": String(snapshot.size), "liveSize": current.map { String($0.size) } ?? "missing"]
        if let created = store.created { details["storeCreated"] = created.iso8601 }
        if let current { details["liveSha256"] = current.sha256 }
        let liveText = current.map { "live volume: \($0.size) bytes, SHA-256 \($0.sha256)" } ?? "missing from the live volume"
        return Evidence(member: snapshot.path, originalPath: snapshot.sourcePath, timestamp: store.created ?? snapshot.modified,
                        excerpt: "shadow copy \(store.store) {\(store.identifier)} created \(store.created?.iso8601 ?? "?"): \(snapshot.size) bytes, SHA-256 \(snapshot.sha256); \(liveText)",
                        sha256: snapshot.sha256, details: details)
    }
}
