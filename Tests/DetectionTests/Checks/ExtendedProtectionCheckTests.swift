@testable import Detection
import ExTriageCore
import Foundation
import Testing
import TestSupport

@Suite struct ExtendedProtectionCheckTests {
    static let path = "Windows/System32/inetsrv/config/applicationHost.config"

    static func config(_ settings: [String: String]) -> String {
        var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<configuration>\r\n  <system.applicationHost />\r\n"
        for (vdir, value) in settings.sorted(by: { $0.key < $1.key }) {
            text += """
                  <location path="Default Web Site/\(vdir)">\r
                    <system.webServer><security><authentication>\r
                      <windowsAuthentication enabled="true" useKernelMode="true">\r
                        <extendedProtection tokenChecking="\(value)" />\r
                      </windowsAuthentication>\r
                    </authentication></security></system.webServer>\r
                  </location>\r

                """
        }
        return text + "</configuration>\r\n"
    }

    func finding(_ text: String) throws -> Finding {
        let findings = CheckHarness(members: [(Self.path, text)]).run([ExtendedProtectionCheck()])
        #expect(findings.count == 1)
        return try #require(findings.first)
    }

    @Test func requiredEverywhereIsSaidAndInformational() throws {
        let all = Dictionary(uniqueKeysWithValues: ExtendedProtectionCheck.virtualDirectories.map { ($0 == "rpc" ? "Rpc" : $0.uppercased(), "Require") })
        let result = try finding(Self.config(all))
        #expect(result.verdict == .informational && result.cves.isEmpty)
        #expect(result.title == "Extended Protection required on Exchange virtual directories")
    }

    @Test func missingOrAllowedDirectoriesAreNamed() throws {
        var settings = Dictionary(uniqueKeysWithValues: ExtendedProtectionCheck.virtualDirectories.map { ($0, "Require") })
        settings["ews"] = "Allow"
        settings.removeValue(forKey: "powershell")
        let result = try finding(Self.config(settings))
        #expect(result.verdict == .informational && result.cves == ["CVE-2024-21410"])
        #expect(result.evidence.first?.excerpt == "not required on: /ews (Allow), /powershell")
        #expect(result.explanation.contains("EXT-POSTURE-PROTECTIONS") && result.explanation.contains("EXT-PROTECTION-OFF"))
    }

    @Test func aConfigWithoutLocationsOrBrokenXMLStillAnswers() throws {
        #expect(try finding("<configuration><system.applicationHost>").title == "Extended Protection not required on Exchange virtual directories")
        let broken = "<location path=\"Default Web Site/owa\"><extendedProtection tokenChecking=\"Require\"<location path="
        #expect(ExtendedProtectionCheck.tokenChecking(in: broken) == ["owa": "Require"])
        #expect(ExtendedProtectionCheck.tokenChecking(in: "\u{0}\u{FFFD}<location") == [:])
    }
}
