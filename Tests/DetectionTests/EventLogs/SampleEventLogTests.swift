@testable import Detection
import EvidenceBundle
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// The samples' event logs are exactly what the writer produces from `SampleEventLogs`
/// (`UPDATE_SAMPLES=1` rewrites them), and the checks find the story in them.
@Suite struct SampleEventLogTests {
    @Test(arguments: ["exchange2016-compromised", "exchange2019-clean", "exchange2019-compromised"])
    func committedLogsMatchTheWriter(_ sample: String) throws {
        let folder = Repository.root + "/Samples/images/\(sample)/" + SampleEventLogs.logsFolder
        for (name, bytes) in SampleEventLogs.files(for: sample) {
            let path = folder + "/" + name
            if ProcessInfo.processInfo.environment["UPDATE_SAMPLES"] == "1" {
                try Data(bytes).write(to: URL(fileURLWithPath: path))
            }
            let committed = FileManager.default.contents(atPath: path).map { [UInt8]($0) }
            #expect(committed == bytes, "\(path) differs from SampleEventLogs; run with UPDATE_SAMPLES=1 if intended")
        }
    }

    static func findings(_ sample: String) throws -> [Finding] {
        let members = SampleEventLogs.files(for: sample).map { ("\(SampleEventLogs.logsFolder)/\($0.0)", $0.1) }
        return CheckHarness(binaryMembers: members).run(try TestData.checks(reading: TestData.isEvents))
    }

    @Test func theCompromisedLogsShowTheChainRecordByRecord() throws {
        let findings = try Self.findings("exchange2016-compromised")
        func records(_ id: CheckID) -> Set<Int> { Set(findings.filter { $0.checkId == id }.flatMap(\.evidence).compactMap(\.record)) }
        #expect(records("EVT-LSASS-COMSVCS-MINIDUMP") == [48_214, 48_215, 48_222, 48_223, 90_551])
        #expect(records("EVT-LSASS-ACCESS") == [90_552])
        #expect(records("EVT-EXCH-WEBSHELL-CHILD") == [48_213, 48_214])
        #expect(records("EVT-EXCH-CHOPPER-COMMANDS") == [48_213, 48_214])
        #expect(records("EVT-LM-SERVICE-INSTALL") == [48_219, 12_401])
        #expect(records("EVT-LM-SMB-PIPES") == [48_218, 48_220])
        #expect(records("EVT-LM-LOGON") == [48_216])
        #expect(records("EVT-LM-REMOTE-SHELL-TOOLS") == [48_225])
        #expect(records("EVT-LM-EXPLICIT-CREDENTIALS") == [48_226])
        #expect(records("EVT-STAGING-ARCHIVE") == [48_224])
        #expect(records("EVT-AF-LOG-CLEARED") == [12_403])
        let categories = Set(findings.compactMap(\.category))
        #expect(categories.isSuperset(of: ["credential-access", "lateral-movement", "exchange", "staging", "anti-forensics"]))
        let access = try #require(findings.first { $0.checkId == "EVT-LSASS-ACCESS" })
        #expect(access.verdict == .confirmed && access.evidence.first?.details?["Computer"] == "EXCH01.corp.local")
    }

    @Test func theCleanLogsStayClean() throws {
        let findings = try Self.findings("exchange2019-clean")
        #expect(findings.isEmpty, "\(findings.map { "\($0.checkId) \($0.evidence.map(\.excerpt))" })")
    }
}
