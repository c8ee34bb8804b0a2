@testable import Detection
import ExTriageCore
import Testing
import TestSupport

/// agents.config: Exchange's own agents raise nothing; a foreign agent in a writable folder or
/// a Microsoft name over a foreign assembly is likely; a vendor's agent under Program Files is context.
@Suite struct TransportAgentCheckTests {
    typealias F = PersistenceFixtures

    static func findings(_ agents: [String]) throws -> [Finding] {
        F.findings(TransportAgentCheck(points: try F.points()), [(F.agentsConfigPath, F.agentsConfig(agents))])
    }

    @Test func exchangesOwnAgentsRaiseNothing() throws {
        #expect(try Self.findings(F.microsoftAgents).isEmpty)
    }

    @Test func aForeignAgentInProgramDataIsLikely() throws {
        let findings = try Self.findings(F.microsoftAgents + [
            F.agent("Exchange Journal Agent", factory: "MailTools.JournalAgentFactory", path: #"C:\ProgramData\Microsoft\Exchange\jrnl.dll"#,
                    base: "Microsoft.Exchange.Data.Transport.Smtp.SmtpReceiveAgentFactory"),
        ])
        let finding = try #require(findings.first)
        #expect(findings.count == 1)
        #expect(finding.verdict == .likely && finding.attack == ["T1505.002"])
        #expect(finding.title == "Transport agent: Exchange Journal Agent")
        #expect(finding.evidence.first?.line == 17 && finding.evidence.first?.details?["place"] == "a writable or web-served folder")
    }

    @Test func aMicrosoftNameOverAForeignAssemblyIsLikely() throws {
        let findings = try Self.findings([
            F.agent("Malware Agent", factory: "Microsoft.Exchange.Transport.Agent.Malware.MalwareAgentFactory", path: #"C:\Windows\Temp\Malware.dll"#),
            F.agent("Transport Rule Agent", factory: "Rules.Factory", path: F.agentsRoot + #"Rules\Rules.dll"#),
        ])
        #expect(findings.map(\.verdict) == [.likely, .likely])
        #expect(findings.allSatisfy { $0.explanation.contains("masquerading") })
    }

    @Test func aVendorsAgentUnderProgramFilesIsContext() throws {
        let findings = try Self.findings(F.microsoftAgents + [
            F.agent("Signature Agent", factory: "Vendor.Signatures.AgentFactory", path: #"C:\Program Files\Vendor\Signatures\Vendor.Agent.dll"#),
        ])
        #expect(findings.map(\.verdict) == [.informational])
    }
}
