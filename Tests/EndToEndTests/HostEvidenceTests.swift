import Foundation
import Testing
import TestSupport

/// The compromised sample's host witnesses (issue 17): ProcDump from prefetch, the PsExec service
/// and the WDigest change from the SYSTEM hive, PSEXESVC and ProcDump in the ShimCache and Amcache
/// (with SHA-1), the web shell created and deleted from the USN journal, each with the record that
/// proves it; the look-alikes (ordinary services, Run entries, conhost and 7-Zip, Windows' own
/// short-lived files) stay quiet.
@Suite(.serialized) struct HostEvidenceTests {
    static func findings(_ sample: String) throws -> [[String: Any]] {
        let temp = try TemporaryDirectory()
        let bundle = try collectSample(sample, into: temp)
        let run = try Run.extriage(["analyze", bundle, "--format", "json"])
        let report = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        return report?["findings"] as? [[String: Any]] ?? []
    }

    static func evidence(_ findings: [[String: Any]], check: String, verdict: String) -> [[String: Any]] {
        findings.filter { $0["checkId"] as? String == check && $0["verdict"] as? String == verdict }
            .flatMap { $0["evidence"] as? [[String: Any]] ?? [] }
    }

    @Test func procdumpPsexecServiceAndWDigestAreFoundWithTheirRecords() throws {
        let findings = try Self.findings("exchange2016-compromised")
        let prefetch = Self.evidence(findings, check: "HOST-PREFETCH-TOOLS", verdict: "likely")
        let procdump = try #require(prefetch.first { $0["originalPath"] as? String == "Windows/Prefetch/PROCDUMP64.EXE-73DCD079.pf" })
        #expect(procdump["timestamp"] as? String == "2021-03-03T07:46:31Z")
        let details = procdump["details"] as? [String: String]
        #expect(details?["LastRuns"] == "2021-03-03T07:46:31Z, 2021-03-03T07:46:20Z" && details?["Path"] == "\\PROGRAMDATA\\PROCDUMP64.EXE")
        #expect((procdump["sha256"] as? String)?.count == 64, "evidence is bound to the manifest")
        #expect(prefetch.count == 1, "conhost.exe and 7-Zip from Program Files are quiet")

        let services = Self.evidence(findings, check: "HOST-REG-SERVICES", verdict: "likely")
        #expect(services.map { $0["excerpt"] as? String } == ["HKLM\\SYSTEM\\ControlSet001\\Services\\PSEXESVC: ImagePath=%SystemRoot%\\PSEXESVC.exe"])
        #expect(services.first?["timestamp"] as? String == "2021-03-03T07:45:04Z")
        #expect(services.first?["originalPath"] as? String == "Windows/System32/config/SYSTEM")

        let wdigest = Self.evidence(findings, check: "HOST-REG-WDIGEST", verdict: "likely")
        #expect(wdigest.map { $0["excerpt"] as? String } == ["HKLM\\SYSTEM\\ControlSet001\\Control\\SecurityProviders\\WDigest: UseLogonCredential=1"])
        #expect(wdigest.first?["timestamp"] as? String == "2021-03-03T07:21:50Z")

        let shim = Self.evidence(findings, check: "HOST-SHIMCACHE-TOOLS", verdict: "likely")
        #expect(Set(shim.compactMap { ($0["details"] as? [String: String])?["Path"] }) == ["C:\\Windows\\PSEXESVC.exe", "C:\\ProgramData\\procdump64.exe"])
        let amcache = Self.evidence(findings, check: "HOST-AMCACHE-TOOLS", verdict: "likely")
        let amcacheDetails = amcache.first?["details"] as? [String: String]
        #expect(amcache.count == 1 && amcacheDetails?["Path"] == "c:\\programdata\\procdump64.exe" && amcacheDetails?["SHA1"]?.count == 40)

        let sam = Self.evidence(findings, check: "HOST-REG-SAM-ACCOUNTS", verdict: "attempt")
        #expect(sam.compactMap { ($0["details"] as? [String: String])?["Account"] } == ["exsvc"], "the local account made during the attack")
        let task = Self.evidence(findings, check: "HOST-SCHEDULED-TASKS", verdict: "likely")
        #expect(task.compactMap { ($0["details"] as? [String: String])?["Task"] } == ["\\Microsoft\\Windows\\Maintenance\\WinSvcHealth"],
                "the planted task; Defender's scan and ScheduledDefrag are quiet")
        #expect(findings.filter { $0["checkId"] as? String == "HOST-SCHEDULED-TASKS" }.count == 1)

        let quiet = ["HOST-REG-RUN-KEYS", "HOST-REG-IFEO", "HOST-REG-LSA-PACKAGES", "HOST-REG-RUNASPPL"]
        #expect(findings.filter { quiet.contains($0["checkId"] as? String ?? "") }.isEmpty)
        #expect(Self.evidence(findings, check: "HOST-REG-SERVICES", verdict: "attempt").isEmpty, "Defender's service under ProgramData is quiet")
    }

    @Test func theShellCreatedAndDeletedInAspnetClientIsFoundInTheUsnJournal() throws {
        let findings = try Self.findings("exchange2016-compromised")
        let usn = findings.filter { $0["checkId"] as? String == "HOST-USN-DELETED" }
        #expect(usn.count == 1, "the WER dump, Windows Update cab and ASP.NET compile files created and deleted too stay quiet")
        let evidence = Self.evidence(findings, check: "HOST-USN-DELETED", verdict: "likely")
        let path = "inetpub/wwwroot/aspnet_client/system_web/4_0_30319/healthcheck.aspx"
        #expect(evidence.count == 4 && evidence.allSatisfy { ($0["details"] as? [String: String])?["Path"] == path })
        #expect(evidence.allSatisfy { $0["member"] as? String == "evidence/C/$Extend/$UsnJrnl%3A$J" })
        let created = evidence.first?["details"] as? [String: String], deleted = evidence.last?["details"] as? [String: String]
        #expect(created?["Reason"] == "FILE_CREATE" && evidence.first?["timestamp"] as? String == "2021-03-03T06:58:10.123456Z")
        #expect(deleted?["Reason"] == "FILE_DELETE|CLOSE" && evidence.last?["timestamp"] as? String == "2021-03-03T07:12:44.056123Z")
        #expect(deleted?["FileReference"] == "entry 70211 seq 3" && deleted?["ParentReference"] == "entry 1252 seq 1" && deleted?["USN"] != nil)
        #expect((evidence.first?["sha256"] as? String)?.count == 64, "evidence is bound to the manifest")
    }

    @Test func theCleanSampleHasNoHostFindings() throws {
        let findings = try Self.findings("exchange2019-clean")
        let host = findings.compactMap { $0["checkId"] as? String }.filter { $0.hasPrefix("HOST-REG") || ["HOST-PREFETCH-TOOLS", "HOST-SCHEDULED-TASKS", "HOST-SRUM-EXFIL"].contains($0) }
        #expect(host.isEmpty)
    }
}
