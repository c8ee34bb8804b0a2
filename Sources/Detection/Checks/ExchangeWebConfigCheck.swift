import ExTriageCore

/// `web.config` files of Exchange's virtual directories (owa, ecp, ews, autodiscover, mapi, oab,
/// powershell, Microsoft-Server-ActiveSync, ..., under `FrontEnd\HttpProxy` and `ClientAccess`)
/// whose `handlers`, `httpHandlers`, `modules` or `httpModules` add something Exchange does not
/// ship: Exchange's own entries are all `System.*`/`Microsoft.*` types signed by Microsoft. A
/// type that claims a Microsoft namespace under another signer, an ISAPI/CGI script processor
/// outside Microsoft's folders, or a static extension (`*.jpg`) handed to ASP.NET's page or
/// handler factories is `likely`; any other foreign type is `attempt` (only the configuration
/// differs: MFA products for OWA add modules too). References: EXCHANGE-ARTIFACTS.md §1.3;
/// MITRE T1505.004, T1505.003; Kaspersky, "Owowa" (2021).
struct ExchangeWebConfigCheck: Check {
    let id: CheckID = "HOST-EXCH-WEBCONFIG"
    let title = "Handlers and modules added to Exchange virtual directories (web.config)"
    static let headLimit = 4 << 20
    let input = CheckInput.memberContent(MemberSelector(limit: ExchangeWebConfigCheck.headLimit) { member in
        let path = member.sourcePath.lowercased()
        return path.hasSuffix("/web.config") && (path.contains("/frontend/httpproxy/") || path.contains("/clientaccess/"))
    })
    let points: ExtensionPoints

    static let sections: Set<String> = ["handlers", "httphandlers", "modules", "httpmodules"]
    static let pageFactories = ["System.Web.UI.PageHandlerFactory", "System.Web.UI.SimpleHandlerFactory", "System.Web.Services.Protocols.WebServiceHandlerFactory"]
    static let staticExtensions: Set<String> = ["jpg", "jpeg", "png", "gif", "ico", "css", "js", "txt", "htm", "html", "xml", "woff", "svg", "bmp"]

    func makeState() -> ConfigEntries { ConfigEntries() }

    func observe(_ observation: Observation, into state: inout ConfigEntries) {
        guard case .content(let content) = observation else { return }
        state.read(content) { $0.name == "add" && $0.ancestors.last.map { Self.sections.contains($0) } == true }
    }

    func finish(_ state: inout ConfigEntries, in context: FinishContext) -> CheckOutput {
        let exchange = context.facts.exchangeInstallPath?.lowercased()
        let findings = state.kept.compactMap { kept -> Finding? in
            let path = kept.member.sourcePath.lowercased()
            if let exchange, !points.exchangeWebFolders.contains(where: { path.hasPrefix(exchange + "/" + $0) }) { return nil }
            return judge(kept, exchange: exchange, facts: context.facts)
        }
        return CheckOutput(findings: findings, coverage: state.coverage(of: "web.config of an Exchange virtual directory", limit: Self.headLimit))
    }

    func judge(_ kept: ConfigEntries.Kept, exchange: String?, facts: BundleFacts) -> Finding? {
        let element = kept.element
        let section = element.ancestors.last ?? ""
        let name = element["name"] ?? ""
        let type = element["type"] ?? ""
        let typeName = String(type.split(separator: ",").first ?? "").trimmingWhitespace()
        let processor = element["scriptprocessor"] ?? ""
        let mapped = (element["path"] ?? "").lowercased()
        let mappedExtension = mapped.hasPrefix("*.") ? String(mapped.dropFirst(2)) : ""
        let verdict: Verdict
        let why: String
        if !processor.isEmpty {
            let place = points.place(of: ExtensionPoints.volumePath(processor, exchange: exchange), exchange: exchange, microsoftFolders: points.iisModuleFolders)
            guard place != .microsoft && place != .exchange else { return nil }
            verdict = .likely
            why = "a handler whose script processor (a native DLL or program) loads from \(place.rawValue)"
        } else if Self.pageFactories.contains(typeName) && Self.staticExtensions.contains(mappedExtension) {
            verdict = .likely
            why = "a static extension (\(mapped)) handed to \(typeName): files named like images or scripts run as server code there"
        } else if type.isEmpty || points.isMicrosoftType(type) {
            return nil
        } else if points.microsoftTypePrefixes.contains(where: { typeName.hasPrefix($0) }) {
            verdict = .likely
            why = "a type in a Microsoft namespace signed by another key: a component posing as Microsoft's"
        } else {
            verdict = .attempt
            why = "a type that is not Microsoft's in an Exchange virtual directory: it runs in every request there (the Owowa pattern); "
                + "only the configuration differs, so find its assembly and confirm with the administrators"
        }
        let vdir = kept.member.sourcePath.split(separator: "/").dropLast().last.map(String.init) ?? ""
        let details = ["section": section, "name": name, "type": type, "path": element["path"] ?? "", "scriptProcessor": processor, "virtualDirectory": vdir]
        let kind = section.hasSuffix("modules") ? "module" : "handler"
        return Finding(checkId: id, title: "Exchange \(vdir) \(kind): \(name.isEmpty ? typeName : name)", severity: verdict.persistenceSeverity, verdict: verdict,
                       attack: ["T1505.004"], evidence: [ConfigEntries.evidence(kept, facts: facts, details: details)],
                       explanation: why + ". Compare with the same file on a clean server of the same build", category: FindingCategory.exchange)
    }
}
