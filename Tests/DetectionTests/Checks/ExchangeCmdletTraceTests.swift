@testable import Detection
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// The cmdlet-log checks for transport agents (EXT-TRANSPORT-AGENT-CMDLET) and Exchange's
/// defences switched off (EXT-PROTECTION-OFF), over Rps_Cmdlet logs written at test time.
@Suite struct ExchangeCmdletTraceTests {
    typealias Log = MailboxExportCheckTests
    static let agents = #"C:\Program Files\Microsoft\Exchange Server\V15\TransportRoles\agents\"#

    func findings(_ check: any Check, _ rows: [String]) -> [Finding] {
        CheckHarness(members: [(Log.path, Log.log(rows))]).run([check])
    }

    func agentCheck() throws -> TransportAgentCmdletCheck { TransportAgentCmdletCheck(points: try PersistenceFixtures.points()) }

    @Test func anAgentFromProgramDataIsLikelyWithItsEnableAndPriorityAsEvidence() throws {
        let result = findings(try agentCheck(), [
            Log.row("2021-08-10T12:01:00.000Z", "Install-TransportAgent",
                    #"-Name "Mail Hygiene Helper" -TransportAgentFactory "Hygiene.Helper.AgentFactory" -AssemblyPath "C:\ProgramData\Microsoft\Crypto\hyg.dll""#),
            Log.row("2021-08-10T12:01:10.000Z", "Enable-TransportAgent", #"-Identity "Mail Hygiene Helper""#),
            Log.row("2021-08-10T12:01:20.000Z", "Set-TransportAgent", #"-Identity "Mail Hygiene Helper" -Priority "1""#),
        ])
        let finding = try #require(result.first)
        #expect(result.count == 1)
        #expect(finding.verdict == .likely && finding.checkId == "EXT-TRANSPORT-AGENT-CMDLET")
        #expect(finding.title == "Transport agent installed by cmdlet: Mail Hygiene Helper")
        #expect(finding.evidence.compactMap(\.line) == [6, 7, 8])
        #expect(finding.explanation.contains("a writable or web-served folder") && finding.explanation.contains(#"C:\ProgramData\Microsoft\Crypto\hyg.dll"#))
    }

    @Test func microsoftsOwnInstallsAndEnablesStayQuietAndAVendorIsContext() throws {
        let result = findings(try agentCheck(), [
            // Install-AntiSpamAgents.ps1, as setup runs it.
            Log.row("2021-08-10T09:00:00.000Z", "Install-TransportAgent",
                    #"-Name "Content Filter Agent" -TransportAgentFactory "Microsoft.Exchange.Transport.Agent.ContentFilter.ContentFilterAgentFactory" -AssemblyPath "\#(Self.agents)Hygiene\Microsoft.Exchange.Transport.Agent.Hygiene.dll""#),
            Log.row("2021-08-10T09:00:05.000Z", "Enable-TransportAgent", #"-Identity "Content Filter Agent""#),
            Log.row("2021-08-10T09:01:00.000Z", "Install-TransportAgent",
                    #"-Name "Disclaimer Agent" -TransportAgentFactory "Contoso.Disclaimer.Factory" -AssemblyPath "C:\Program Files\Contoso\Disclaimer\Contoso.Disclaimer.dll""#),
            Log.row("2021-08-10T09:02:00.000Z", "Get-TransportAgent", ""),
        ])
        #expect(result.map(\.verdict) == [.informational])
        #expect(result.first?.title == "Transport agent installed by cmdlet: Disclaimer Agent")
    }

    @Test func aMicrosoftNameOverAForeignPlaceIsLikelyAndAFailedInstallAnAttempt() throws {
        let masquerade = findings(try agentCheck(), [
            Log.row("2021-08-10T12:05:00.000Z", "Install-TransportAgent",
                    #"-Name "Malware Agent" -TransportAgentFactory "Microsoft.Exchange.Transport.Agent.Malware.MalwareAgentFactory" -AssemblyPath "C:\inetpub\wwwroot\aspnet_client\m.dll""#),
        ])
        #expect(masquerade.map(\.verdict) == [.likely])
        let failed = findings(try agentCheck(), [
            Log.row("2021-08-10T12:06:00.000Z", "Install-TransportAgent",
                    #"-Name "X" -TransportAgentFactory "X.Factory" -AssemblyPath "\\10.0.0.5\share\x.dll""#, result: "Error"),
        ])
        #expect(failed.map(\.verdict) == [.attempt])
        #expect(failed.first?.explanation.contains("the cmdlet failed") == true)
    }

    @Test func enablingAForeignAgentWithoutItsInstallIsContextAndMicrosoftsIsQuiet() throws {
        let result = findings(try agentCheck(), [
            Log.row("2021-08-10T12:07:00.000Z", "Enable-TransportAgent", #"-Identity "Mail Hygiene Helper""#),
            Log.row("2021-08-10T12:07:10.000Z", "Disable-TransportAgent", #"-Identity "Malware Agent""#),
        ])
        #expect(result.map(\.verdict) == [.informational])
        #expect(result.first?.title == "Transport agent enabled or changed by cmdlet: Mail Hygiene Helper")
    }

    @Test func amsiAndMitigationsSwitchedOffAreAttemptsAndTurningBackOnIsListed() throws {
        let result = findings(ProtectionOffCmdletCheck(), [
            Log.row("2022-09-30T01:00:00.000Z", "New-SettingOverride",
                    #"-Name "DisableAMSI" -Component "Cobalt" -Section "HttpRequestFiltering" -Parameters "Enabled=False" -Reason "Testing""#),
            Log.row("2022-09-30T01:00:30.000Z", "Set-OrganizationConfig", "-MitigationsEnabled $false"),
            Log.row("2022-10-02T08:00:00.000Z", "Set-OrganizationConfig", "-MitigationsEnabled $true"),
        ])
        #expect(result.map(\.title) == ["Exchange AMSI integration switched off", "Exchange Emergency Mitigation service switched off"])
        #expect(result.allSatisfy { $0.verdict == .attempt && $0.attack == ["T1562.001"] })
        #expect(result.last?.evidence.compactMap(\.line) == [7, 8])
    }

    @Test func otherOverridesAndFailedChangesStayBelowAttempt() throws {
        let result = findings(ProtectionOffCmdletCheck(), [
            Log.row("2022-09-30T01:00:00.000Z", "New-SettingOverride",
                    #"-Name "OwaTimeout" -Component "OwaServer" -Section "OwaSettings" -Parameters "Enabled=False""#),
            Log.row("2022-09-30T01:01:00.000Z", "Set-ExchangeServer", #"-Identity "EXCH19" -MitigationsEnabled:$false"#, result: "Error"),
            Log.row("2022-09-30T01:02:00.000Z", "Set-OrganizationConfig", "-MitigationsEnabled $true"),
        ])
        #expect(result.map(\.verdict) == [.informational])
        #expect(result.first?.title == "Exchange Emergency Mitigation service: a failed attempt to switch it off")
    }
}

/// EXT-POSTURE-PROTECTIONS over hives written at test time.
@Suite struct ProtectionPostureCheckTests {
    typealias W = SampleFormatWriters
    typealias R = RegistryCheckTests

    static func software(providers: [String]?) throws -> [UInt8] {
        var microsoft: [[String: Any]] = [W.key("Windows NT")]
        if let providers {
            let keys: [[String: Any]] = providers.map { name in W.key(name) }
            microsoft.append(W.key("AMSI", keys: [W.key("Providers", time: "2022-09-30T01:02:03Z", keys: keys)]))
        }
        return try R.hive("SOFTWARE", [W.key("Microsoft", keys: microsoft)])
    }

    static func system(mitigationStart: Int?) throws -> [UInt8] {
        var services: [[String: Any]] = [R.service("W3SVC", "%windir%\\system32\\svchost.exe -k iissvcs")]
        if let mitigationStart {
            services.append(W.key("MSExchangeMitigation", time: "2022-09-30T01:05:00Z", values: [W.value("Start", "dword", mitigationStart)]))
        }
        return try R.system(services: services)
    }

    func findings(software: [UInt8], system: [UInt8]) -> [Finding] {
        R.run(ProtectionPostureCheck(), [(R.softwarePath, software), (R.systemPath, system)]).findings
    }

    @Test func noDefenderProviderAndADisabledMitigationServiceAreInformationalPosture() throws {
        let result = findings(software: try Self.software(providers: []), system: try Self.system(mitigationStart: 4))
        #expect(result.map(\.title) == ["No Microsoft Defender AMSI provider registered", "Exchange Emergency Mitigation service disabled"])
        #expect(result.allSatisfy { $0.verdict == .informational })
        #expect(result.first?.evidence.first?.details?["Providers"] == "none")
        #expect(result.last?.evidence.first?.excerpt.hasSuffix("MSExchangeMitigation: Start=4 (disabled)") == true)
    }

    @Test func defenderRegisteredAndAnAutomaticServiceAreQuiet() throws {
        let result = findings(software: try Self.software(providers: [ProtectionPostureCheck.defenderProvider.lowercased()]),
                              system: try Self.system(mitigationStart: 2))
        #expect(result.isEmpty)
        // An Exchange without the service (before the September 2021 CUs) says nothing about it either.
        #expect(findings(software: try Self.software(providers: [ProtectionPostureCheck.defenderProvider]), system: try Self.system(mitigationStart: nil)).isEmpty)
    }

    @Test func anotherVendorsProviderIsNamed() throws {
        let result = findings(software: try Self.software(providers: ["{11111111-2222-3333-4444-555555555555}"]), system: try Self.system(mitigationStart: 2))
        #expect(result.first?.evidence.first?.details?["Providers"] == "{11111111-2222-3333-4444-555555555555}")
    }
}
