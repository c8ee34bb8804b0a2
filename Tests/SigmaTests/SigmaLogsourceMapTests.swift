import Foundation
@testable import Sigma
import Testing

/// The logsource map: the data file, the built-in copy, targets, field renames, the candidate index.
struct SigmaLogsourceMapTests {
    static let profileFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Profiles/rules/sigma-logsources.yaml").path

    @Test func builtInIsTheProfileFile() throws {
        let text = try String(contentsOfFile: Self.profileFile, encoding: .utf8)
        #expect(text.trimmingCharacters(in: .newlines) == SigmaLogsourceMap.builtInYAML.trimmingCharacters(in: .newlines),
                "regenerate Sources/Sigma/SigmaLogsourceDefaults.swift from Profiles/rules/sigma-logsources.yaml")
        let loaded = try SigmaLogsourceMap.load(path: Self.profileFile)
        #expect(loaded.services == SigmaLogsourceMap.builtIn.services)
        #expect(loaded.categories == SigmaLogsourceMap.builtIn.categories)
    }

    @Test func servicesMapToChannels() {
        let map = SigmaLogsourceMap.builtIn
        let expected: [String: String] = [
            "security": "Security", "system": "System", "application": "Application",
            "sysmon": "Microsoft-Windows-Sysmon/Operational", "powershell": "Microsoft-Windows-PowerShell/Operational",
            "powershell-classic": "Windows PowerShell", "taskscheduler": "Microsoft-Windows-TaskScheduler/Operational",
            "wmi": "Microsoft-Windows-WMI-Activity/Operational", "windefend": "Microsoft-Windows-Windows Defender/Operational",
            "msexchange-management": "MSExchange Management", "bits-client": "Microsoft-Windows-Bits-Client/Operational",
        ]
        for (service, channel) in expected {
            #expect(map.targets(for: SigmaLogSource(product: "windows", service: service))?.first?.channel == channel, "\(service)")
        }
        #expect(map.targets(for: SigmaLogSource(product: "windows", service: "no-such-service")) == nil)
        #expect(map.targets(for: SigmaLogSource(product: "windows")) == nil)
    }

    @Test func categoriesMapToChannelsEventIDsAndRenames() throws {
        let map = SigmaLogsourceMap.builtIn
        let sysmon = "Microsoft-Windows-Sysmon/Operational"
        let expected: [String: [Int]] = [
            "network_connection": [3], "image_load": [7], "file_event": [11], "file_delete": [23, 26],
            "registry_add": [12], "registry_delete": [12], "registry_set": [13], "registry_event": [12, 13, 14],
            "pipe_created": [17, 18], "create_remote_thread": [8], "process_access": [10], "dns_query": [22],
            "driver_load": [6], "wmi_event": [19, 20, 21], "process_tampering": [25], "create_stream_hash": [15],
        ]
        for (category, ids) in expected {
            let targets = map.targets(for: SigmaLogSource(product: "windows", category: category))
            #expect(targets == [SigmaTarget(channel: sysmon, eventIDs: ids)], "\(category)")
        }
        #expect(map.targets(for: SigmaLogSource(product: "windows", category: "ps_script"))?.map(\.eventIDs) == [[4104], [4104]])
        #expect(map.targets(for: SigmaLogSource(product: "windows", category: "ps_module"))?.first?.eventIDs == [4103])
        #expect(map.targets(for: SigmaLogSource(product: "windows", category: "ps_classic_start")) == [SigmaTarget(channel: "Windows PowerShell", eventIDs: [400])])

        let process = try #require(map.targets(for: SigmaLogSource(product: "windows", category: "process_creation")))
        #expect(process.map(\.channel) == [sysmon, "Security"])
        #expect(process.map(\.eventIDs) == [[1], [4688]])
        let security = map.fieldMap(channel: "Security", eventID: 4688)
        #expect(security.recordField(for: "Image") == "NewProcessName")
        #expect(security.recordField(for: "parentimage") == "ParentProcessName")
        #expect(security.recordField(for: "User") == "SubjectUserName")
        #expect(security.recordField(for: "CommandLine") == "CommandLine")
        #expect(map.fieldMap(channel: "Security", eventID: 4624).renames.isEmpty, "renames apply only to 4688")
        #expect(map.fieldMap(channel: sysmon, eventID: 1).renames.isEmpty)

        let web = try #require(map.targets(for: SigmaLogSource(category: "webserver")))
        #expect(web.map(\.channel) == ["W3C"])
        let w3c = map.fieldMap(channel: "W3C", eventID: nil)
        #expect(w3c.recordField(for: "c-useragent") == "cs(User-Agent)")
        #expect(w3c.recordField(for: "cs-referrer") == "cs(Referer)")
        #expect(w3c.recordField(for: "cs-uri-query") == "cs-uri-query")
    }

    @Test func a4688RecordMatchesAProcessCreationRuleThroughTheRenames() throws {
        let rule = try Fixture.rule("""
        selection:
            Image|endswith: '\\whoami.exe'
            ParentImage|endswith: '\\w3wp.exe'
            User|contains: 'IUSR'
        condition: selection
        """)
        let record = Fixture.event(["NewProcessName": "C:\\Windows\\System32\\whoami.exe",
                                    "ParentProcessName": "c:\\windows\\system32\\inetsrv\\w3wp.exe", "SubjectUserName": "IUSR"])
        #expect(rule.matches(record) == nil)
        let fields = rule.fieldTranslation(channel: "Security", eventID: 4688)
        let match = try #require(rule.matches(fields.event(record)))
        #expect(match.fields.map(\.value) == ["C:\\Windows\\System32\\whoami.exe", "c:\\windows\\system32\\inetsrv\\w3wp.exe", "IUSR"])
    }

    @Test func candidatesIndexByChannelAndEventID() throws {
        let yaml = """
        title: Sysmon process
        id: r-process
        logsource: {category: process_creation, product: windows}
        detection: {selection: {Image|endswith: '\\cmd.exe'}, condition: selection}
        ---
        title: Security logon
        id: r-logon
        logsource: {product: windows, service: security}
        detection: {selection: {EventID: 4624, LogonType: 10}, condition: selection}
        ---
        title: Any security event
        id: r-any-security
        logsource: {product: windows, service: security}
        detection: {keywords: ['mimikatz'], condition: keywords}
        ---
        title: Web shell request
        id: r-web
        logsource: {category: webserver}
        detection: {selection: {cs-uri-stem|endswith: '.aspx', c-useragent|contains: 'python'}, condition: selection}
        """
        let set = try Fixture.ruleSet(yaml)
        func ids(_ channel: String, _ eventID: Int?) -> [String] { set.candidates(channel: channel, eventID: eventID).map(\.id) }
        #expect(ids("Microsoft-Windows-Sysmon/Operational", 1) == ["r-process"])
        #expect(ids("microsoft-windows-sysmon/operational", 3) == [])
        #expect(ids("Security", 4688) == ["r-process", "r-any-security"])
        #expect(ids("Security", 4624) == ["r-logon", "r-any-security"])
        #expect(ids("Security", 1102) == ["r-any-security"])
        #expect(ids("System", 7045) == [])
        #expect(ids("W3C", nil) == ["r-web"])
        #expect(set.channelEventIDs["microsoft-windows-sysmon/operational"] == .some([1]))
        #expect(set.channelEventIDs["security"] == .some(nil))
        let web = try #require(set.candidates(channel: "W3C", eventID: nil).first)
        let line = Fixture.event(["cs-uri-stem": "/owa/auth/x.aspx", "cs(User-Agent)": "python-requests/2.25"])
        #expect(web.matches(set.fieldMap(channel: "W3C", eventID: nil).event(line)) != nil)
    }

    @Test func badMapFilesSayWhatIsWrong() {
        #expect(throws: (any Error).self) { try SigmaLogsourceMap.parse(yaml: "version: 2\n", file: "m.yaml") }
        do {
            _ = try SigmaLogsourceMap.parse(yaml: "version: 1\nservices: {windows: {security: [Security]}}\nextra: 1\n", file: "m.yaml")
            Issue.record("an unknown key must be refused")
        } catch {
            #expect(error.message.contains("unknown key 'extra'"))
        }
        #expect(throws: (any Error).self) {
            try SigmaLogsourceMap.parse(yaml: "version: 1\ncategories: [{category: x, sources: [{channel: C, event_ids: [a]}]}]\n", file: "m.yaml")
        }
    }
}
