import ExTriageCore

/// Short-lived files from the NTFS change journal (`$Extend/$UsnJrnl:$J`): a server page, a
/// memory dump or an archive that the journal shows created (or renamed into that name) and
/// deleted again within `maxLifetimeMinutes` (`Profiles/rules/deleted-traces.yaml`). The file is
/// gone from the volume; the journal's records are the proof it existed.
///
/// Tiers: a script (`.aspx`, `.ashx`, ...) in a web folder is `likely`: neither IIS nor Exchange
/// creates and deletes pages there (ASP.NET compiles into `Temporary ASP.NET Files`, which is a
/// quiet folder), and planting a web shell, using it and removing it is the clean-up HAFNIUM and
/// later actors did. A dump deleted outside the quiet folders (WER deletes its own) is `likely`
/// (LSASS taken, then removed), `attempt` when its folder cannot be resolved. An archive in a web
/// folder is `attempt` (staged for download, taken, removed), in a temp or staging folder
/// `informational` (installers and archivers unpack and clean up there too). Everything else stays quiet. The folder path comes from the journal's own folder
/// records (a partial `…/` path when an ancestor never changed in the journal's window).
/// Evidence: the records (USN, time, reasons, file and parent references, name, resolved `Path`).
/// References: EXCHANGE-ARTIFACTS.md C09, C13; Microsoft "USN_RECORD_V2 structure", "USN_RECORD_V3
/// structure"; MITRE ATT&CK T1070.004, T1505.003, T1003.001, T1560.001.
struct UsnDeletedFileCheck: Check {
    let id: CheckID = "HOST-USN-DELETED"
    let title = "Short-lived web script, dump or archive deleted (USN journal)"
    /// Journals are capped by Windows (32 MiB by default, a few hundred MiB when raised) once the
    /// sparse part is skipped; bytes past this are counted in the coverage row, not read.
    static let headLimit = 256 << 20
    let input = CheckInput.memberContent(MemberSelector(limit: UsnDeletedFileCheck.headLimit) { member in
        UsnDeletedFileCheck.isJournal(member.sourcePath)
    })
    let rules: DeletedTraceRules

    /// `$Extend/$UsnJrnl:$J` (an image's stream member), or the names KAPE and Velociraptor give
    /// it in a copied tree: `$Extend/$UsnJrnl%3A$J`, `$Extend/$J`.
    static func isJournal(_ sourcePath: String) -> Bool {
        let path = sourcePath.lowercased()
        return path.hasSuffix("$extend/$usnjrnl:$j") || path.hasSuffix("$extend/$usnjrnl%3a$j") || path.hasSuffix("$extend/$j")
    }

    struct Candidate {
        var verdict: Verdict
        var kind: String
        var attack: [String]
        var category: String
        var path: String
        var lifetime: Int64
        var evidence: [Evidence]
    }

    struct State {
        var candidates: [Candidate] = []
        var journals = 0
        var records = 0
        var malformed = 0
        var notes: [String] = []
    }

    func makeState() -> State { State() }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .content(let content) = observation else { return }
        var reader = UsnJournalReader()
        var history = UsnFileHistory()
        let follow = { (name: String) in self.follows(name) }
        reader.feed(content.head) { history.add($0, follow: follow) }
        reader.finish()
        state.journals += 1
        state.records += reader.records
        state.malformed += reader.malformed + reader.truncated
        let source = content.member.sourcePath
        if content.isPartial {
            state.notes.append("\(source): first \(ByteCount.format(UInt64(content.head.count))) of \(ByteCount.format(UInt64(content.size))) read")
        }
        if reader.malformed + reader.truncated > 0 {
            state.notes.append("\(source): \(reader.malformed) unreadable stretch(es), \(reader.truncated) record(s) cut short")
        }
        if reader.unsupported > 0 { state.notes.append("\(source): \(reader.unsupported) V4 range record(s) not decoded") }
        if history.dropped > 0 { state.notes.append("\(source): \(history.dropped) record(s) past the file and folder caps") }
        for file in history.files.values {
            guard let candidate = judge(file, history: history, member: content.member) else { continue }
            state.candidates.append(candidate)
        }
    }

    /// Whether a name is one of the kinds followed (script, dump, archive).
    func follows(_ name: String) -> Bool {
        let ext = Self.fileExtension(name)
        return rules.scriptExtensions.contains(ext) || rules.dumpExtensions.contains(ext) || rules.archiveExtensions.contains(ext)
    }

    /// The candidate for one followed file, or nil when it did not both appear and vanish in time, or its folder is quiet.
    func judge(_ file: UsnFileHistory.File, history: UsnFileHistory, member: MemberInfo) -> Candidate? {
        guard let appeared = file.appeared, let deleted = file.deleted,
              let start = appeared.timestamp, let end = deleted.timestamp else { return nil }
        let lifetime = end.seconds - start.seconds
        guard lifetime >= 0, lifetime <= rules.maxLifetimeSeconds else { return nil }
        let folder = history.path(of: file.parent)
        let folderPath = folder.map { $0.path.lowercased() + "/" }
        if let folderPath, DeletedTraceRules.contains(rules.quietFolders, folderPath) { return nil }
        let inWeb = folderPath.map { DeletedTraceRules.contains(rules.webFolders, $0) } ?? false
        let inStaging = folderPath.map { DeletedTraceRules.contains(rules.stagingFolders, $0) } ?? false
        let ext = Self.fileExtension(file.name)
        let judged: (verdict: Verdict, kind: String, attack: [String], category: String)
        if rules.scriptExtensions.contains(ext), inWeb {
            judged = (.likely, "web script", ["T1505.003", "T1070.004"], FindingCategory.antiForensics)
        } else if rules.dumpExtensions.contains(ext) {
            judged = (folder == nil ? .attempt : .likely, "memory dump", ["T1003.001", "T1070.004"], FindingCategory.credentialAccess)
        } else if rules.archiveExtensions.contains(ext), inWeb || inStaging {
            judged = (inWeb ? .attempt : .informational, "archive", ["T1560.001", "T1070.004"], FindingCategory.staging)
        } else {
            return nil
        }
        let path = folder.map { $0.path + "/" + file.name } ?? "<folder \(file.parent) not in the journal>/" + file.name
        var records = file.records
        if !records.contains(deleted) { records.append(deleted) }
        let evidence = records.map { Self.evidence($0, member: member, path: path) }
        return Candidate(verdict: judged.verdict, kind: judged.kind, attack: judged.attack, category: judged.category, path: path,
                         lifetime: lifetime, evidence: evidence)
    }

    static func evidence(_ record: UsnRecord, member: MemberInfo, path: String) -> Evidence {
        let reasons = UsnReason.names(of: record.reason)
        let details = ["Path": path, "USN": String(record.usn), "Reason": reasons, "FileReference": record.file.description,
                       "ParentReference": record.parent.description, "Name": record.name, "RecordVersion": String(record.majorVersion),
                       "MemberOffset": String(record.offset)]
        return Evidence(member: member.member, originalPath: member.sourcePath, timestamp: record.timestamp,
                        excerpt: "USN \(record.usn) \(record.timestamp?.iso8601 ?? "no time") \(reasons) \(path) "
                            + "(file \(record.file), parent \(record.parent))",
                        sha256: "", details: details)
    }

    static func fileExtension(_ name: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return name[name.index(after: dot)...].lowercased()
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        guard state.journals > 0 else {
            return CheckOutput(findings: [], coverage: CoverageNote(
                status: .notApplicable, reason: "no USN journal ($Extend/$UsnJrnl:$J) in the bundle (collected from NTFS images only)"))
        }
        let ordered = state.candidates.sorted { ($0.evidence.first?.timestamp?.seconds ?? 0, $0.path) < ($1.evidence.first?.timestamp?.seconds ?? 0, $1.path) }
        let findings = ordered.map { candidate in
            let name = candidate.path.split(separator: "/").last.map(String.init) ?? candidate.path
            return Finding(checkId: id, title: "Short-lived \(candidate.kind) deleted (USN journal): \(name)",
                           severity: candidate.verdict == .likely ? .high : candidate.verdict == .attempt ? .medium : .info, verdict: candidate.verdict, attack: candidate.attack,
                           evidence: candidate.evidence,
                           explanation: "The change journal shows \(candidate.path) created and deleted \(Self.duration(candidate.lifetime)) later; "
                               + "the file is gone from the volume and these records are what proves it existed. A page planted in a web "
                               + "folder and removed is a used web shell; a dump or archive removed is the clean-up after taking it away.",
                           pivots: [.filePath: [candidate.path]], category: candidate.category)
        }
        let reason = state.notes.isEmpty ? nil : state.notes.prefix(6).joined(separator: "; ")
        return CheckOutput(findings: findings, coverage: CoverageNote(reason: reason, members: state.journals, records: state.records,
                                                                     malformed: state.malformed == 0 ? nil : state.malformed))
    }

    static func duration(_ seconds: Int64) -> String {
        seconds < 120 ? "\(seconds) s" : seconds < 7200 ? "\(seconds / 60) min" : "\(seconds / 3600) h \(seconds % 3600 / 60) min"
    }
}
