import ExTriageCore

/// Processes opening LSASS the way dumpers do (EXCHANGE-ARTIFACTS.md C13, T1003.001): Sysmon 10
/// process access with the access bits and call stack of a dump, Sysmon 8 threads created in
/// LSASS, and Security 4656/4663 handles to lsass.exe with memory-read access.
///
/// The access mask is read as bits (PROCESS_VM_READ 0x10 with a query right), which a pattern
/// cannot express; well-known system and security processes that open LSASS routinely are only
/// reported when the call stack shows a dump.
struct LsassAccessCheck: Check {
    let id: CheckID = "EVT-LSASS-ACCESS"
    let title = "Process access to LSASS with dumping rights or a dump call stack"
    let input = CheckInput.events(EventSelector(eventIDs: [8, 10, 4656, 4663]))

    /// Processes that open LSASS as part of normal operation.
    static let routine: Set<String> = [
        "msmpeng.exe", "mssense.exe", "sensecncproxy.exe", "csrss.exe", "wininit.exe", "services.exe", "svchost.exe", "lsm.exe",
        "wmiprvse.exe", "vmtoolsd.exe", "sysmon.exe", "sysmon64.exe", "mpdefendercoreservice.exe", "nissrv.exe", "smss.exe",
        "winlogon.exe", "lsaiso.exe", "microsoft.exchange.servicehost.exe", "taskhostw.exe", "searchindexer.exe", "musnotification.exe",
    ]
    static let processVMRead: UInt64 = 0x10
    static let queryRights: UInt64 = 0x400 | 0x1000

    func makeState() -> EventMatches { EventMatches() }

    func observe(_ observation: Observation, into matches: inout EventMatches) {
        guard case .event(let record, let source) = observation else { return }
        switch record.eventID {
        case 10 where Self.isSysmon(record): inspectAccess(record, source, &matches)
        case 8 where Self.isSysmon(record): inspectRemoteThread(record, source, &matches)
        case 4656, 4663: inspectHandle(record, source, &matches)
        default: break
        }
    }

    func inspectAccess(_ record: EventRecord, _ source: EventSource, _ matches: inout EventMatches) {
        guard let target = record.value("TargetImage"), Self.isLsass(target) else { return }
        let sourceImage = record.value("SourceImage") ?? ""
        let sourceName = Self.fileName(sourceImage)
        let trace = (record.value("CallTrace") ?? "").lowercased()
        let mask = Self.hex(record.value("GrantedAccess"))
        let reads = mask.map { $0 & Self.processVMRead != 0 } ?? false
        let verdict: Verdict?
        if trace.contains("comsvcs.dll") || sourceName.hasPrefix("procdump") || sourceName == "rdrleakdiag.exe" {
            verdict = .confirmed
        } else if trace.contains("dbghelp.dll") || trace.contains("dbgcore.dll") {
            verdict = .likely
        } else if Self.routine.contains(sourceName) || Self.isLsass(sourceImage) {
            verdict = nil
        } else if let mask, [0x1038, 0x1438, 0x143A].contains(mask) {
            verdict = .likely
        } else if reads, trace.contains("unknown(") {
            // Code outside any loaded module reading LSASS: injected or reflectively loaded tooling.
            verdict = .likely
        } else if reads {
            verdict = .informational
        } else {
            verdict = nil
        }
        guard let verdict else { return }
        matches.add(verdict, record.evidence(from: source, matched: ["SourceImage", "TargetImage", "GrantedAccess", "CallTrace"]))
        matches.pivot("sourceImage", sourceImage)
        matches.pivot("computer", record.computer)
    }

    func inspectRemoteThread(_ record: EventRecord, _ source: EventSource, _ matches: inout EventMatches) {
        guard let target = record.value("TargetImage"), Self.isLsass(target) else { return }
        let sourceImage = record.value("SourceImage") ?? ""
        guard !Self.routine.contains(Self.fileName(sourceImage)) else { return }
        matches.add(.likely, record.evidence(from: source, matched: ["SourceImage", "TargetImage", "StartModule", "StartFunction"]))
        matches.pivot("sourceImage", sourceImage)
        matches.pivot("computer", record.computer)
    }

    func inspectHandle(_ record: EventRecord, _ source: EventSource, _ matches: inout EventMatches) {
        guard let object = record.value("ObjectName"), Self.isLsass(object) else { return }
        if let type = record.value("ObjectType"), type.lowercased() != "process" { return }
        let process = record.value("ProcessName") ?? ""
        guard !Self.routine.contains(Self.fileName(process)), !Self.isLsass(process) else { return }
        let mask = Self.hex(record.value("AccessMask")) ?? 0
        let verdict: Verdict = mask & Self.processVMRead != 0 ? .likely : .informational
        matches.add(verdict, record.evidence(from: source, matched: ["ProcessName", "ObjectName", "AccessMask", "SubjectUserName"]))
        matches.pivot("sourceImage", process)
        matches.pivot("computer", record.computer)
    }

    func finish(_ matches: inout EventMatches, in context: FinishContext) -> CheckOutput {
        CheckOutput(findings: matches.findings(checkId: id, title: title, severity: .critical, attack: ["T1003.001"], category: FindingCategory.credentialAccess,
                         explanation: "A process opened LSASS with memory-read rights or through the minidump call path (dbghelp/dbgcore, "
                             + "comsvcs): the way LSASS dumps are taken. Check the source image, the account and any dump file written at that time."))
    }

    static func isSysmon(_ record: EventRecord) -> Bool { record.provider.lowercased() == "microsoft-windows-sysmon" }

    static func isLsass(_ path: String) -> Bool { fileName(path) == "lsass.exe" }

    static func fileName(_ path: String) -> String { ImagePath.fileName(path) }

    /// `0x1fffff` or `0x001FFFFF` as a number.
    static func hex(_ text: String?) -> UInt64? {
        guard var text = text?.lowercased() else { return nil }
        if text.hasPrefix("0x") { text.removeFirst(2) }
        return UInt64(text, radix: 16)
    }
}
