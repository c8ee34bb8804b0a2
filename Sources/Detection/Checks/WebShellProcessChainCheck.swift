import ExTriageCore

/// Commands started by the IIS worker or Unified Messaging processes (EXCHANGE-ARTIFACTS.md
/// C08, C15, T1505.003/T1059.003): Sysmon 1 or Security 4688 where the parent is `w3wp.exe`,
/// `UMWorkerProcess.exe` or `UMService.exe` and the child is a shell or a reconnaissance,
/// download or dumping tool: the process chain of a web shell or of CVE-2021-26857.
struct WebShellProcessChainCheck: Check {
    let id: CheckID = "EVT-EXCH-WEBSHELL-CHILD"
    let title = "Shell or tool started by the Exchange web or Unified Messaging worker (w3wp.exe, UMWorkerProcess.exe)"
    let input = CheckInput.events(EventSelector(eventIDs: [1, 4688]))

    struct State {
        var matches = EventMatches()
        /// CVE-2021-26857 once a Unified Messaging parent was seen.
        var cves: Set<String> = []
    }

    static let parents: Set<String> = ["w3wp.exe", "umworkerprocess.exe", "umservice.exe"]
    static let children: Set<String> = [
        "cmd.exe", "powershell.exe", "pwsh.exe", "net.exe", "net1.exe", "whoami.exe", "rundll32.exe", "certutil.exe", "reg.exe",
        "wmic.exe", "cscript.exe", "wscript.exe", "mshta.exe", "bitsadmin.exe", "nltest.exe", "systeminfo.exe", "ipconfig.exe",
        "quser.exe", "query.exe", "tasklist.exe", "hostname.exe", "netstat.exe", "ping.exe", "nslookup.exe", "procdump.exe",
        "procdump64.exe", "makecab.exe", "7z.exe", "7za.exe", "rar.exe", "schtasks.exe", "sc.exe", "vssadmin.exe", "attrib.exe",
        "curl.exe", "regsvr32.exe", "msiexec.exe", "dsquery.exe", "arp.exe", "route.exe", "ntdsutil.exe",
    ]

    func makeState() -> State { State() }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .event(let record, let source) = observation else { return }
        guard let parent = record.value("ParentImage") ?? record.value("ParentProcessName") else { return }
        let parentName = ImagePath.fileName(parent)
        guard Self.parents.contains(parentName) else { return }
        let image = record.value("Image") ?? record.value("NewProcessName") ?? ""
        let childName = ImagePath.fileName(image)
        guard Self.children.contains(childName) else { return }
        let exchangePool = (record.value("ParentCommandLine") ?? "").lowercased().contains("msexchange")
        let um = parentName != "w3wp.exe"
        // w3wp without the command line to show its pool is still the web server running a shell command.
        let verdict: Verdict = .confirmed
        if um { state.cves.insert("CVE-2021-26857") }
        var evidence = record.evidence(from: source, matched: [record.value("Image") != nil ? "Image" : "NewProcessName", "CommandLine",
                                                               record.value("ParentImage") != nil ? "ParentImage" : "ParentProcessName",
                                                               "ParentCommandLine", "User", "SubjectUserName"])
        if exchangePool { evidence.details?["Reason"] = "parent is an Exchange application pool" }
        if um { evidence.details?["Reason"] = "parent is Unified Messaging (CVE-2021-26857)" }
        state.matches.add(verdict, evidence)
        state.matches.pivot("commandLine", record.value("CommandLine"))
        state.matches.pivot(.computer, record.computer)
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        CheckOutput(findings: state.matches.findings(checkId: id, title: title, severity: .critical, cves: state.cves.sorted(), attack: ["T1505.003", "T1059.003"],
                         category: FindingCategory.exchange,
                         explanation: "The IIS worker or Unified Messaging process started a shell or tool: commands run through a web shell "
                             + "or the CVE-2021-26857 deserialisation. Read the command lines in time order; they are the attacker's session."))
    }
}
