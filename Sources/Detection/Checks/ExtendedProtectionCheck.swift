import ExTriageCore
import Foundation

/// Posture: whether IIS requires Extended Protection (channel binding) on Exchange's virtual
/// directories, read from `applicationHost.config`.
///
/// Without `<extendedProtection tokenChecking="Require">` on the Windows-authentication of the
/// Exchange virtual directories, NTLM credentials relayed to the server are accepted
/// (CVE-2024-21410; Exchange 2019 CU14 and Microsoft's `ExchangeExtendedProtectionManagement.ps1`
/// turn it on). Always `informational`: posture, never proof. The text is scanned, not parsed as
/// XML, so a damaged file still gives an answer for what can be read. Whether AMSI has a provider
/// and the Emergency Mitigation service may run is EXT-POSTURE-PROTECTIONS' (registry), the
/// cmdlets that switch them off EXT-PROTECTION-OFF's: the coverage row points there.
/// References: MSRC CVE-2024-21410; Microsoft, "Configure Windows Extended Protection in Exchange
/// Server"; CSS-Exchange `ExchangeExtendedProtectionManagement`.
struct ExtendedProtectionCheck: Check {
    let id: CheckID = "EXT-POSTURE-EP"
    let title = "Extended Protection on Exchange virtual directories (posture)"
    /// Enough for any applicationHost.config; a longer one is read as far as this.
    static let headLimit = 16 * 1024 * 1024
    let input = CheckInput.memberContent(MemberSelector(limit: ExtendedProtectionCheck.headLimit) { member in
        member.sourcePath.lowercased().hasSuffix("system32/inetsrv/config/applicationhost.config")
    })
    /// The front-end virtual directories Microsoft's script configures (lower case).
    static let virtualDirectories = ["owa", "ecp", "ews", "autodiscover", "microsoft-server-activesync", "oab", "powershell", "mapi", "rpc"]
    static let notAssessable = "whether AMSI has a provider and the Emergency Mitigation service may run is EXT-POSTURE-PROTECTIONS' (registry); "
        + "AMSI integration and mitigations switched off by cmdlet are EXT-PROTECTION-OFF's (EXT-AMSI-BLOCKS and EVT-EXCH-MITIGATION-SERVICE show them at work)"

    /// Per file: its member and, per Exchange virtual directory, the `tokenChecking` value seen.
    func makeState() -> [(MemberInfo, [String: String], Bool)] { [] }

    func observe(_ observation: Observation, into files: inout [(MemberInfo, [String: String], Bool)]) {
        guard case .content(let content) = observation else { return }
        let text = String(decoding: content.head, as: UTF8.self)
        files.append((content.member, Self.tokenChecking(in: text), content.isPartial))
    }

    func finish(_ files: inout [(MemberInfo, [String: String], Bool)], in context: FinishContext) -> CheckOutput {
        let findings = files.map { member, settings, partial in
            let missing = Self.virtualDirectories.filter { settings[$0]?.lowercased() != "require" }
            let excerpt = missing.isEmpty
                ? "tokenChecking=\"Require\" on " + Self.virtualDirectories.joined(separator: ", ")
                : "not required on: " + missing.map { "/\($0)" + (settings[$0].map { " (\($0))" } ?? "") }.joined(separator: ", ")
            let evidence = Evidence(member: member.member, originalPath: member.sourcePath, timestamp: nil,
                                    excerpt: excerpt + (partial ? " (file read in part)" : ""), sha256: "")
            return Finding(checkId: id, title: missing.isEmpty ? "Extended Protection required on Exchange virtual directories"
                                                                : "Extended Protection not required on Exchange virtual directories",
                           severity: .info, verdict: .informational, cves: missing.isEmpty ? [] : ["CVE-2024-21410"], attack: [],
                           evidence: [evidence],
                           explanation: missing.isEmpty
                               ? "IIS requires channel binding on every Exchange virtual directory; " + Self.notAssessable
                               : "without Extended Protection, NTLM credentials relayed to this server are accepted (CVE-2024-21410); "
                                   + "Microsoft's ExchangeExtendedProtectionManagement.ps1 turns it on. " + Self.notAssessable,
                           pivots: [:])
        }
        let reason = files.isEmpty ? nil : "\(files.count) applicationHost.config read; " + Self.notAssessable
        return CheckOutput(findings: findings, coverage: CoverageNote(reason: reason))
    }

    /// Virtual directory (lower case) → `tokenChecking` of the `<extendedProtection>` inside its
    /// `<location path="Default Web Site/<vdir>">` block; directories without one are absent.
    static func tokenChecking(in text: String) -> [String: String] {
        var settings: [String: String] = [:]
        var rest = text[...]
        while let open = rest.range(of: "<location", options: .caseInsensitive) {
            let block = rest[open.upperBound...]
            let end = block.range(of: "</location>", options: .caseInsensitive)?.lowerBound ?? block.endIndex
            let body = block[..<end]
            rest = block[end...]
            guard let path = attribute("path", in: body)?.lowercased(), path.hasPrefix("default web site/") else { continue }
            let vdir = String(path.dropFirst("default web site/".count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            guard virtualDirectories.contains(vdir), let protection = body.range(of: "<extendedProtection", options: .caseInsensitive),
                  let value = attribute("tokenChecking", in: body[protection.upperBound...]) else { continue }
            settings[vdir] = value
        }
        return settings
    }

    /// The value of `name="..."` in the first tag of `text`.
    static func attribute(_ name: String, in text: Substring) -> String? {
        let tag = text[..<(text.firstIndex(of: ">") ?? text.endIndex)]
        guard let key = tag.range(of: name + "=\"", options: .caseInsensitive) else { return nil }
        let value = tag[key.upperBound...]
        return value.firstIndex(of: "\"").map { String(value[..<$0]) }
    }
}
