@testable import Detection
import EvidenceBundle
import ExTriageCore
import Testing

/// Evidence takes the manifest's source path and SHA-256; evidence from unlisted members is
/// dropped, and a finding left with none with it (ADVERSARIAL-CASES B5), in place or not.
@Suite struct ManifestBindingTests {
    static func finding(_ title: String, members: [String]) -> Finding {
        Finding(checkId: "TEST", title: title, severity: .low, verdict: .informational,
                evidence: members.map { Evidence(member: $0, originalPath: "as read", timestamp: nil, excerpt: "x", sha256: "") },
                explanation: "test")
    }

    @Test func bindsListedEvidenceAndDropsTheRest() {
        let listed = WebShellLocationTests.entry("inetpub/wwwroot/a.aspx")
        let binding = ManifestBinding(WebShellLocationTests.manifest([listed]))
        let findings = [
            Self.finding("mixed", members: ["evidence/C/inetpub/wwwroot/b.aspx", listed.path]),
            Self.finding("unlisted only", members: ["evidence/C/inetpub/wwwroot/b.aspx"]),
            Self.finding("no evidence", members: []),
        ]
        var inPlace = findings
        binding.bind(&inPlace)
        let copied = binding.bind(findings)

        for bound in [inPlace, copied] {
            #expect(bound.map(\.title) == ["mixed", "no evidence"])
            #expect(bound.first?.evidence.map(\.member) == [listed.path])
            #expect(bound.first?.evidence.first?.originalPath == listed.sourcePath)
            #expect(bound.first?.evidence.first?.sha256 == listed.sha256)
        }
    }
}
