import ExTriageCore

/// IIS modules in `applicationHost.config`: native modules (`<globalModules><add name= image=>`)
/// that are not IIS's or Exchange's, or whose image is not where Microsoft's load from, and
/// managed modules (`<modules><add name= type=>`) whose type is not Microsoft's. A native module
/// sees every request of every site before authentication (SessionManager, Owowa, the IIS
/// backdoors Microsoft described in 2022). Tiers: a foreign native module in a writable,
/// temporary or web-served folder, a share, an odd folder, or among Microsoft's own files, or
/// Microsoft's module name over another image, is `likely`; a foreign native module under
/// Program Files or the Exchange install is `attempt` (products install modules there too; the
/// configuration alone differs); a foreign managed type server-wide is `attempt`.
/// References: EXCHANGE-ARTIFACTS.md §1.3; MITRE T1505.004; Kaspersky, "SessionManager" (2022);
/// Microsoft, "Malicious IIS extensions quietly open persistent backdoors into servers" (2022).
struct IISModuleCheck: Check {
    let id: CheckID = "HOST-IIS-MODULE"
    let title = "IIS native or managed modules Microsoft does not ship (applicationHost.config)"
    static let headLimit = 16 << 20
    let input = CheckInput.memberContent(MemberSelector(limit: IISModuleCheck.headLimit) { member in
        member.sourcePath.lowercased().hasSuffix("inetsrv/config/applicationhost.config")
    })
    let points: ExtensionPoints

    func makeState() -> ConfigEntries { ConfigEntries() }

    func observe(_ observation: Observation, into state: inout ConfigEntries) {
        guard case .content(let content) = observation else { return }
        state.read(content) { element in
            element.name == "add" && (element.isInside("globalmodules") || (element.isInside("modules") && element["type"] != nil))
        }
    }

    func finish(_ state: inout ConfigEntries, in context: FinishContext) -> CheckOutput {
        let exchange = context.facts.exchangeInstallPath?.lowercased()
        let findings = state.kept.compactMap { kept -> Finding? in
            kept.element.isInside("globalmodules") ? native(kept, exchange: exchange, facts: context.facts)
                : managed(kept, facts: context.facts)
        }
        return CheckOutput(findings: findings, coverage: state.coverage(of: "applicationHost.config", limit: Self.headLimit))
    }

    func native(_ kept: ConfigEntries.Kept, exchange: String?, facts: BundleFacts) -> Finding? {
        let name = kept.element["name"] ?? ""
        let image = kept.element["image"] ?? ""
        let path = ExtensionPoints.volumePath(image, exchange: exchange)
        let place = points.place(of: path, exchange: exchange, microsoftFolders: points.iisModuleFolders)
        let known = points.iisGlobalModules.contains(name.lowercased())
        let verdict: Verdict
        let why: String
        switch (known, place) {
        case (true, .microsoft), (true, .exchange), (true, .programFiles):
            return nil
        case (true, _):
            verdict = .likely
            why = "the name of a Microsoft module over an image in \(place.rawValue)"
        case (false, .unusual), (false, .unc), (false, .elsewhere), (false, .microsoft):
            verdict = .likely
            why = place == .microsoft ? "a module Microsoft does not ship, placed among IIS's own files (the SessionManager pattern)"
                : "a module Microsoft does not ship, loading from \(place.rawValue)"
        case (false, _):
            verdict = .attempt
            why = "a module Microsoft does not ship, installed in \(place.rawValue): the configuration differs from a clean server; "
                + "confirm with the administrators that the product is theirs"
        }
        let details = ["name": name, "image": image, "place": place.rawValue, "preCondition": kept.element["precondition"] ?? ""]
        return Finding(checkId: id, title: "IIS native module: \(name.isEmpty ? "(unnamed)" : name)", severity: verdict.persistenceSeverity, verdict: verdict,
                       attack: ["T1505.004"], evidence: [ConfigEntries.evidence(kept, facts: facts, details: details)],
                       explanation: why + ". A native module sees every request to every site, credentials included; "
                           + "collect the DLL, check its signature, exports (RegisterModule) and time", category: FindingCategory.exchange)
    }

    func managed(_ kept: ConfigEntries.Kept, facts: BundleFacts) -> Finding? {
        let type = kept.element["type"] ?? ""
        guard !type.isEmpty, !points.isMicrosoftType(type) else { return nil }
        let name = kept.element["name"] ?? ""
        let scope = kept.element.location.map { "location \"\($0)\"" } ?? "every site"
        return Finding(checkId: id, title: "IIS managed module: \(name.isEmpty ? type : name)", severity: Verdict.attempt.persistenceSeverity, verdict: .attempt,
                       attack: ["T1505.004"],
                       evidence: [ConfigEntries.evidence(kept, facts: facts, details: ["name": name, "type": type, "scope": scope])],
                       explanation: "a managed module whose type is not Microsoft's, registered in applicationHost.config for \(scope): "
                           + "it runs in every request there (the Owowa pattern); only the configuration differs, so find its assembly and who added it",
                       category: FindingCategory.exchange)
    }
}
