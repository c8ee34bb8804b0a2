@testable import Detection
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// The HOST-REG-* checks over hives written at test time: what intruders set is found with its
/// key, value and last-written time; Windows' own configuration stays quiet.
@Suite struct RegistryCheckTests {
    typealias W = SampleFormatWriters
    static let systemPath = "Windows/System32/config/SYSTEM"
    static let softwarePath = "Windows/System32/config/SOFTWARE"

    static func hive(_ name: String, _ keys: [[String: Any]], broken: [String] = []) throws -> [UInt8] {
        try W.hive(["name": name, "time": "2021-03-03T09:40:00Z", "broken": broken, "root": W.key("ROOT", keys: keys)])
    }

    static func system(services: [[String: Any]], lsa: [[String: Any]] = [], wdigest: [[String: Any]] = [],
                       broken: [String] = []) throws -> [UInt8] {
        try hive("SYSTEM", [
            W.key("Select", values: [W.value("Current", "dword", 1)]),
            W.key("ControlSet001", keys: [
                W.key("Services", keys: services),
                W.key("Control", keys: [
                    W.key("Lsa", values: lsa),
                    W.key("SecurityProviders", keys: [W.key("WDigest", time: "2021-03-03T07:40:11Z", values: wdigest)]),
                ]),
            ]),
        ], broken: broken)
    }

    static func service(_ name: String, _ imagePath: String, time: String = "2020-11-02T10:00:00Z") -> [String: Any] {
        W.key(name, time: time, values: [W.value("ImagePath", "expand_sz", imagePath), W.value("Start", "dword", 3)])
    }

    static var ordinaryServices: [[String: Any]] { [
        service("W3SVC", "%windir%\\system32\\svchost.exe -k iissvcs"),
        service("WinDefend", "\"C:\\ProgramData\\Microsoft\\Windows Defender\\platform\\4.18.2102.4-0\\MsMpEng.exe\""),
        service("MSExchangeTransport", "\"C:\\Program Files\\Microsoft\\Exchange Server\\V15\\Bin\\MSExchangeTransport.exe\""),
        service("Tcpip", "System32\\drivers\\tcpip.sys"),
        service("VMTools", "\"C:\\Program Files\\VMware\\VMware Tools\\vmtoolsd.exe\""),
    ] }

    static func run(_ check: any Check, _ members: [(sourcePath: String, bytes: [UInt8])], logFindings: [Finding] = []) -> CheckRunner.Result {
        CheckHarness(binaryMembers: members, logFindings: logFindings).result([check])
    }

    static func rules() throws -> RegistryRules { try TestData.detection().registry }

    @Test func psexecImpacketAndTempServicesAreLikelyWithKeyImagePathAndTime() throws {
        let bytes = try Self.system(services: Self.ordinaryServices + [
            Self.service("PSEXESVC", "%SystemRoot%\\PSEXESVC.exe", time: "2021-03-03T08:12:44Z"),
            Self.service("BdXq", "%systemroot%\\kPqWzRtY.exe"),
            Self.service("Updater", "C:\\Windows\\Temp\\svc.exe"),
            Self.service("Helper", "C:\\ProgramData\\helper\\helper.exe"),
            Self.service("BTOBTO", "%COMSPEC% /Q /c echo cd ^> \\\\127.0.0.1\\C$\\__output 2^>^&1 > %TEMP%\\execute.bat"),
        ])
        let result = Self.run(RegistryServiceCheck(rules: try Self.rules()), [(Self.systemPath, bytes)])
        let likely = try #require(result.findings.first { $0.verdict == .likely })
        #expect(Set(likely.evidence.compactMap { $0.details?["Service"] }) == ["PSEXESVC", "BdXq", "Updater", "BTOBTO"])
        let psexec = try #require(likely.evidence.first { $0.details?["Service"] == "PSEXESVC" })
        #expect(psexec.excerpt == "HKLM\\SYSTEM\\ControlSet001\\Services\\PSEXESVC: ImagePath=%SystemRoot%\\PSEXESVC.exe")
        #expect(psexec.timestamp == Timestamp(iso8601: "2021-03-03T08:12:44Z"))
        #expect(psexec.originalPath == Self.systemPath)
        let attempt = try #require(result.findings.first { $0.verdict == .attempt })
        #expect(attempt.evidence.compactMap { $0.details?["Service"] } == ["Helper"])
    }

    @Test func microsoftServicesStayQuietAndABrokenCellIsRecorded() throws {
        let bytes = try Self.system(services: Self.ordinaryServices + [W.key("Aaa")], broken: ["ControlSet001\\Services\\Aaa"])
        let result = Self.run(RegistryServiceCheck(rules: try Self.rules()), [(Self.systemPath, bytes)])
        #expect(result.findings.filter { $0.checkId == "HOST-REG-SERVICES" }.isEmpty)
        let row = try #require(result.coverage.first { $0.checkId == "HOST-REG-SERVICES" })
        #expect(row.malformed == 1)
        #expect(row.reason?.contains("Windows/System32/config/SYSTEM: ControlSet001\\Services: subkey 0 unreadable") == true)
    }

    @Test func notAHiveIsRecordedNotACrash() throws {
        let result = Self.run(RegistryServiceCheck(rules: try Self.rules()), [(Self.systemPath, Array(repeating: 0x41, count: 5000))])
        let row = try #require(result.coverage.first { $0.checkId == "HOST-REG-SERVICES" })
        #expect(row.reason?.contains("unreadable: not a readable registry hive") == true)
    }

    @Test func wdigestOnIsLikelyAndOffOrMissingIsQuiet() throws {
        let on = try Self.system(services: [], wdigest: [W.value("UseLogonCredential", "dword", 1)])
        let finding = try #require(Self.run(RegistryWDigestCheck(), [(Self.systemPath, on)]).findings.first)
        #expect(finding.verdict == .likely)
        #expect(finding.evidence.first?.excerpt == "HKLM\\SYSTEM\\ControlSet001\\Control\\SecurityProviders\\WDigest: UseLogonCredential=1")
        #expect(finding.evidence.first?.timestamp == Timestamp(iso8601: "2021-03-03T07:40:11Z"))
        for values in [[W.value("UseLogonCredential", "dword", 0)], []] {
            #expect(Self.run(RegistryWDigestCheck(), [(Self.systemPath, try Self.system(services: [], wdigest: values))]).findings.isEmpty)
        }
    }

    @Test func runAsPPLZeroIsAnAttemptAndMissingIsQuiet() throws {
        let off = try Self.system(services: [], lsa: [W.value("RunAsPPL", "dword", 0)])
        #expect(Self.run(RegistryLsaProtectionCheck(), [(Self.systemPath, off)]).findings.map(\.verdict) == [.attempt])
        let on = try Self.system(services: [], lsa: [W.value("RunAsPPL", "dword", 1)])
        #expect(Self.run(RegistryLsaProtectionCheck(), [(Self.systemPath, on)]).findings.isEmpty)
        #expect(Self.run(RegistryLsaProtectionCheck(), [(Self.systemPath, try Self.system(services: []))]).findings.isEmpty)
    }

    @Test func addedLsaPackagesAreFoundAndWindowsDefaultsAreQuiet() throws {
        let defaults = [W.value("Security Packages", "multi_sz", ["kerberos", "msv1_0", "schannel", "wdigest", "tspkg", "pku2u", "\"\""]),
                        W.value("Authentication Packages", "multi_sz", ["msv1_0"]),
                        W.value("Notification Packages", "multi_sz", ["scecli"])]
        #expect(Self.run(RegistryLsaPackagesCheck(rules: try Self.rules()), [(Self.systemPath, try Self.system(services: [], lsa: defaults))])
            .findings.isEmpty)
        let added = [W.value("Security Packages", "multi_sz", ["kerberos", "msv1_0", "mimilib"]),
                     W.value("Notification Packages", "multi_sz", ["scecli", "AcmePwSync"])]
        let findings = Self.run(RegistryLsaPackagesCheck(rules: try Self.rules()), [(Self.systemPath, try Self.system(services: [], lsa: added))]).findings
        #expect(findings.first { $0.verdict == .likely }?.evidence.compactMap { $0.details?["AddedPackage"] } == ["mimilib"])
        #expect(findings.first { $0.verdict == .attempt }?.evidence.compactMap { $0.details?["AddedPackage"] } == ["acmepwsync"])
    }

    static func software(ifeo: [[String: Any]] = [], silent: [[String: Any]] = [], run: [[String: Any]] = []) throws -> [UInt8] {
        try hive("SOFTWARE", [W.key("Microsoft", keys: [
            W.key("Windows NT", keys: [W.key("CurrentVersion", keys: [
                W.key("Image File Execution Options", keys: ifeo), W.key("SilentProcessExit", keys: silent)])]),
            W.path("Windows\\CurrentVersion\\Run", values: run),
        ])])
    }

    @Test func lsassSilentProcessExitAndStickyKeysDebuggerAreLikely() throws {
        let bytes = try Self.software(
            ifeo: [W.key("lsass.exe", values: [W.value("GlobalFlag", "dword", 0x200)]),
                   W.key("sethc.exe", values: [W.value("Debugger", "sz", "C:\\Windows\\System32\\cmd.exe")]),
                   W.key("devenv.exe", values: [W.value("Debugger", "sz", "vsjitdebugger.exe")]),
                   W.key("notepad.exe", values: [W.value("UseFilter", "dword", 0)])],
            silent: [W.key("lsass.exe", time: "2021-03-03T07:44:02Z", values: [
                W.value("ReportingMode", "dword", 2), W.value("LocalDumpFolder", "sz", "C:\\ProgramData\\d"), W.value("DumpType", "dword", 2)])])
        let findings = Self.run(RegistryIFEOCheck(rules: try Self.rules()), [(Self.softwarePath, bytes)]).findings
        let likely = try #require(findings.first { $0.verdict == .likely })
        #expect(likely.evidence.count == 3)
        let silent = try #require(likely.evidence.first { $0.excerpt.contains("SilentProcessExit") })
        #expect(silent.details?["LocalDumpFolder"] == "C:\\ProgramData\\d" && silent.details?["ReportingMode"] == "2")
        #expect(silent.timestamp == Timestamp(iso8601: "2021-03-03T07:44:02Z"))
        #expect(findings.first { $0.verdict == .informational }?.evidence.map { $0.details?["Debugger"] } == ["vsjitdebugger.exe"])
        #expect(Self.run(RegistryIFEOCheck(rules: try Self.rules()), [(Self.softwarePath, try Self.software())]).findings.isEmpty)
    }

    @Test func scriptedRunKeysAreFoundAndOrdinaryOnesQuiet() throws {
        let bytes = try Self.software(run: [
            W.value("SecurityHealth", "expand_sz", "%windir%\\system32\\SecurityHealthSystray.exe"),
            W.value("VMware User Process", "sz", "\"C:\\Program Files\\VMware\\VMware Tools\\vmtoolsd.exe\" -n vmusr"),
            W.value("Updater", "sz", "powershell -w hidden -enc SQBFAFgA"),
            W.value("Sync", "sz", "C:\\ProgramData\\sync\\sync.exe"),
        ])
        let findings = Self.run(RegistryRunKeyCheck(rules: try Self.rules()), [(Self.softwarePath, bytes)]).findings
        #expect(findings.first { $0.verdict == .likely }?.evidence.first?.details?["Updater"] == "powershell -w hidden -enc SQBFAFgA")
        #expect(findings.first { $0.verdict == .attempt }?.evidence.first?.details?["Sync"] == "C:\\ProgramData\\sync\\sync.exe")
        #expect(findings.count == 2)
        let user = try Self.hive("NTUSER.DAT", [W.path("Software\\Microsoft\\Windows\\CurrentVersion\\Run", values: [
            W.value("OneDrive", "sz", "\"C:\\Users\\ann\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe\" /background"),
            W.value("x", "sz", "C:\\Users\\ann\\AppData\\Local\\Temp\\x.exe")])])
        let userFindings = Self.run(RegistryRunKeyCheck(rules: try Self.rules()), [("Users/ann/NTUSER.DAT", user)]).findings
        #expect(userFindings.map(\.verdict) == [.likely])
        #expect(userFindings.first?.evidence.first?.excerpt.hasPrefix("HKU\\ann\\Software\\Microsoft\\Windows\\CurrentVersion\\Run: x=") == true)
    }

    static func sam(_ accounts: [(String, Int, String)]) throws -> [UInt8] {
        try hive("SAM", [W.path("SAM\\Domains\\Account\\Users", keys: [
            W.key("Names", keys: accounts.map { W.key($0.0, time: $0.2, values: [W.value("", "none", typeCode: $0.1)]) }),
        ] + accounts.map { account in
            // F: last logon FILETIME at offset 8 (2021-03-03T08:30:00Z for the added account).
            W.key(String(format: "%08X", account.1), values: [W.value("F", "binary", account.1 == 1003 ? "0000000000000000" + "00b46d660710d701" + String(repeating: "00", count: 64) : String(repeating: "00", count: 80))])
        })])
    }

    @Test func localAccountsBeyondBuiltInOnesAreListedAndOnesMadeAfterTheAttackAreAttempts() throws {
        let bytes = try Self.sam([("Administrator", 500, "2020-11-02T10:00:00Z"), ("Guest", 501, "2020-11-02T10:00:00Z"),
                                  ("backup", 1001, "2020-12-01T10:00:00Z"), ("support_388945a0", 1003, "2021-03-03T08:20:00Z")])
        let attack = Finding(checkId: "TEST", title: "t", severity: .high, verdict: .likely, evidence: [
            Evidence(member: "evidence/C/Windows/System32/config/SAM", originalPath: "Windows/System32/config/SAM",
                     timestamp: Timestamp(iso8601: "2021-03-03T06:49:42Z"), excerpt: "", sha256: "")],
            explanation: "")
        let findings = Self.run(RegistryLocalAccountCheck(rules: try Self.rules()), [("Windows/System32/config/SAM", bytes)], logFindings: [attack])
            .findings.filter { $0.checkId == "HOST-REG-SAM-ACCOUNTS" }
        let added = try #require(findings.first { $0.verdict == .attempt }?.evidence.first)
        #expect(added.details?["Account"] == "support_388945a0" && added.details?["RID"] == "1003")
        #expect(added.details?["Created"] == "2021-03-03T08:20:00Z")
        #expect(added.details?["LastLogon"] == "2021-03-03T08:30:00Z")
        #expect(findings.first { $0.verdict == .informational }?.evidence.compactMap { $0.details?["Account"] } == ["backup"])
    }
}
