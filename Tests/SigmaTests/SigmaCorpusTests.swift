import Foundation
import Sigma
import Testing

/// Loads the SigmaHQ rule corpus when it is present (it is not part of the repository; set
/// `SIGMA_RULES` or place it at /work/shared/corpora/sigma/rules) and checks that nearly all
/// Windows rules load.
struct SigmaCorpusTests {
    static let corpus = ProcessInfo.processInfo.environment["SIGMA_RULES"] ?? "/work/shared/corpora/sigma/rules"

    static var corpusPresent: Bool { FileManager.default.fileExists(atPath: corpus) }

    @Test func windowsRulesOfTheCorpusLoad() throws {
        guard Self.corpusPresent else {
            print("SigmaCorpusTests: no Sigma corpus at \(Self.corpus); skipped (set SIGMA_RULES to run it)")
            return
        }
        let started = Date()
        let set = try SigmaRuleSet.load(paths: [Self.corpus])
        let seconds = Date().timeIntervalSince(started)
        // Windows rules: those whose logsource names product windows (loaded, or skipped with their file read back).
        let windowsLoaded = set.rules.filter { $0.logsource.product == "windows" }.count
        let windowsSkipped = set.skipped.filter { skip in
            guard let text = try? String(contentsOfFile: skip.file, encoding: .utf8) else { return false }
            return text.range(of: #"(?m)^\s+product:\s*windows\s*$"#, options: .regularExpression) != nil
        }
        let windowsTotal = windowsLoaded + windowsSkipped.count
        print("SigmaCorpusTests: loaded \(set.rules.count) rules, skipped \(set.skipped.count), in \(String(format: "%.1f", seconds)) s")
        print("SigmaCorpusTests: windows rules loaded \(windowsLoaded) of \(windowsTotal)")
        for (reason, count) in set.skipReasonSummary().prefix(12) { print("SigmaCorpusTests: skip \(count)× \(reason)") }
        for skip in windowsSkipped.prefix(40) { print("SigmaCorpusTests: windows skip \(skip.file): \(skip.reason)") }
        #expect(windowsTotal > 0)
        #expect(Double(windowsLoaded) >= 0.95 * Double(windowsTotal))
        let rows = set.describe()
        #expect(rows.count == set.rules.count + set.correlations.count + set.filters.count + set.skipped.count)
    }
}

extension SigmaCorpusTests {
    /// Known SigmaHQ Exchange rules fire on hand-made records through the index and the field
    /// renames, and every loaded rule evaluates a few records without trouble.
    @Test func corpusRulesFireOnExchangeRecords() throws {
        guard Self.corpusPresent else {
            print("SigmaCorpusTests: no Sigma corpus at \(Self.corpus); skipped")
            return
        }
        let set = try SigmaRuleSet.load(paths: [Self.corpus])
        func firing(_ channel: String, _ eventID: Int, _ fields: [String: String]) -> Set<String> {
            let event = set.fieldMap(channel: channel, eventID: eventID).event(SigmaFieldsEvent(fields))
            return Set(set.candidates(channel: channel, eventID: eventID).compactMap { $0.matches(event)?.ruleID })
        }
        // A web shell child process, as Security 4688 records it (NewProcessName, ParentProcessName).
        let spawned = firing("Security", 4688, [
            "EventID": "4688", "NewProcessName": "C:\\Windows\\System32\\cmd.exe",
            "ParentProcessName": "C:\\Windows\\System32\\inetsrv\\w3wp.exe", "CommandLine": "cmd /c whoami",
        ])
        #expect(spawned.contains("8202070f-edeb-4d31-a010-a26c72ac5600"), "Suspicious Process By Web Server Process")
        // An .aspx dropped into the HttpProxy folder by w3wp (Sysmon 11).
        let dropped = firing("Microsoft-Windows-Sysmon/Operational", 11, [
            "EventID": "11", "Image": "c:\\windows\\system32\\inetsrv\\w3wp.exe",
            "CommandLine": "w3wp.exe -ap \"MSExchangeOWAAppPool\"",
            "TargetFilename": "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa\\auth\\x.aspx",
        ])
        #expect(dropped.contains("bd1212e5-78da-431e-95fa-c58e3237a8e6"), "Suspicious ASPX File Drop by Exchange")
        // A benign record fires nothing from the same rules.
        #expect(!firing("Security", 4688, ["EventID": "4688", "NewProcessName": "C:\\Windows\\notepad.exe",
                                           "ParentProcessName": "C:\\Windows\\explorer.exe"]).contains("8202070f-edeb-4d31-a010-a26c72ac5600"))
        // Every rule evaluates an empty and a busy record (no traps in compiled patterns).
        let busy = SigmaFieldsEvent(["Image": "C:\\a.exe", "CommandLine": String(repeating: "-a /b ", count: 200),
                                     "DestinationIp": "10.1.2.3", "EventID": "1"])
        var matched = 0
        for rule in set.rules {
            if rule.matches(SigmaFieldsEvent([:])) != nil { matched += 1 }
            if rule.matches(busy) != nil { matched += 1 }
        }
        print("SigmaCorpusTests: \(matched) matches of \(set.rules.count * 2) evaluations on the smoke records")
    }
}
