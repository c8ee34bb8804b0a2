import ExTriageCore

/// CVE-2021-26855: pre-auth SSRF in the HttpProxy logs, graded per source.
///
/// A row is a hit when `AnchorMailbox` starts `ServerInfo~` and holds a `/`, `BackEndCookie` has
/// the `Server~*/*~*` shape, or `RoutingHint` is `X-BEResource-Cookie` /
/// `X-AnonResource-Backend-Cookie` on an unauthenticated row. Tiers: `confirmed` for
/// `/ecp/proxyLogon.ecp` answered 241 or DDIService calls answered 200; `likely` for other
/// back-end paths answered 2xx; `attempt` for autodiscover-only sources, localhost probes and
/// errors. Grade, never drop (CSS-Exchange #310, #312). `ServerVersion~` is not a hit.
/// References: EXCHANGE-ARTIFACTS.md C03; Microsoft Test-ProxyLogon; signature-base apt_hafnium_log_sigs.yar.
struct ProxyLogonSSRFCheck: Check {
    let id: CheckID = "EXT-C03"
    let title = "CVE-2021-26855 ProxyLogon SSRF in HttpProxy logs"
    let input = CheckInput.logRecords(LogSelector(needles: ["serverinfo~", "x-beresource-cookie", "x-anonresource-backend-cookie", "server~"],
                                                  families: { if case .httpProxy = $0 { return true } else { return false } },
                                                  refine: ProxyLogonSSRFCheck.refine))
    let assesses = Assessment(cves: ["CVE-2021-26855"])
    /// Hits kept in memory; rows past it are counted per source.
    static let maximumHits = 100_000

    struct Hit {
        var evidence: Evidence
        var ip: String
        var userAgent: String
        var target: String
        var status: Int
        var verdict: Verdict
        var stage: AttackStage?
        var authenticated: Bool
    }

    struct State {
        var hits: [Hit] = []
        var omitted: [String: Int] = [:]
    }

    func makeState() -> State { State() }

    static let strongNeedles = ByteSearch.needles(["serverinfo~", "x-beresource-cookie", "x-anonresource-backend-cookie"])
    /// Also a needle: only a `Server~` value holding a `/` is worth parsing (`refine`).
    static let cookieNeedle = Array("server~".utf8)

    /// Normal rows carry `Server~<fqdn>~<version>~<expiry>` cookies: only a `Server~` value with a
    /// `/` before its next `~` (an injected path) is worth parsing, unless another needle is present.
    @Sendable static func refine(_ line: String, found: (_ needle: [UInt8]) -> Bool) -> Bool {
        if ProxyLogonSSRFCheck.strongNeedles.contains(where: found) { return true }
        var text = line
        return text.withUTF8 { bytes in
            var start = 0
            while let found = ByteSearch.firstIndex(bytes, of: ProxyLogonSSRFCheck.cookieNeedle, from: start) {
                var cursor = found + ProxyLogonSSRFCheck.cookieNeedle.count
                while cursor < bytes.count, bytes[cursor] != UInt8(ascii: "~"), bytes[cursor] != UInt8(ascii: ",") {
                    if bytes[cursor] == UInt8(ascii: "/") { return true }
                    cursor += 1
                }
                start = found + 1
            }
            return false
        }
    }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .logRecord(let record, _, let member) = observation else { return }
        let anchor = record.value("AnchorMailbox") ?? ""
        let cookie = record.value("BackEndCookie") ?? ""
        let hint = (record.value("RoutingHint") ?? "").lowercased()
        let authenticated = (record.value("IsAuthenticated") ?? "").lowercased() == "true"
        var target: String?
        if anchor.lowercased().hasPrefix("serverinfo~"), let slash = anchor.firstIndex(of: "/") {
            target = String(anchor[slash...])
        } else if cookie.lowercased().hasPrefix("server~"), cookie.dropFirst(7).contains("/"),
                  let slash = cookie.firstIndex(of: "/") {
            target = String(cookie[slash...].split(separator: "~").first ?? "")
        } else if !authenticated, hint.contains("x-beresource-cookie") || hint.contains("x-anonresource-backend-cookie") {
            target = record.value("UrlStem") ?? ""
        }
        guard let target else { return }
        let status = Int(record.value("HttpStatus") ?? "") ?? 0
        let ip = record.value("ClientIpAddress") ?? ""
        let (verdict, stage) = ProxyLogonSSRFCheck.grade(target: target, anchor: anchor, status: status)
        let hit = Hit(evidence: member.evidence(record),
                      ip: ip, userAgent: record.value("UserAgent") ?? "", target: target, status: status,
                      verdict: verdict, stage: stage, authenticated: authenticated)
        if state.hits.count < Self.maximumHits { state.hits.append(hit) } else { state.omitted[ip, default: 0] += 1 }
    }

    /// The tier and chain stage of one hit.
    static func grade(target: String, anchor: String, status: Int) -> (Verdict, AttackStage?) {
        let path = target.lowercased()
        let stage = ProxyLogonSSRFCheck.stage(path)
        if status >= 400 || status == 0 && !path.contains("proxylogon") { return (.attempt, stage) }
        if anchor.lowercased().hasPrefix("serverinfo~localhost") { return (.attempt, stage) }
        if path.contains("/ecp/proxylogon.ecp") { return (status == 241 ? .confirmed : .attempt, stage) }
        if path.contains("/ecp/ddi/ddiservice.svc/"), status == 200 { return (.confirmed, stage) }
        if path.contains("autodiscover") { return (.attempt, stage) }
        if (200..<300).contains(status) { return (.likely, stage) }
        return (.attempt, stage)
    }

    static func stage(_ path: String) -> AttackStage? {
        if path.contains("resetoabvirtualdirectory") || path.contains("schema=reset") { return .resetOABVirtualDirectory }
        if path.contains("ddiservice.svc/setobject") { return .ddiSetObject }
        if path.contains("ddiservice.svc/getobject") { return .ddiGetObject }
        if path.contains("proxylogon.ecp") { return .proxyLogonECP }
        if path.contains("/mapi/emsmdb") { return .mapiEmsmdb }
        if path.contains("/ews/") { return .ews }
        if path.contains("autodiscover") { return .autodiscover }
        return nil
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        var bySource: [String: [Hit]] = [:]
        for hit in state.hits { bySource[hit.ip, default: []].append(hit) }
        return CheckOutput(findings: bySource.keys.sorted().map { ip in
            let group = (bySource[ip] ?? []).sorted { ($0.evidence.timestamp ?? Timestamp(seconds: 0), $0.evidence.line ?? 0) < ($1.evidence.timestamp ?? Timestamp(seconds: 0), $1.evidence.line ?? 0) }
            let verdict = group.map(\.verdict).max() ?? .attempt
            let stages = Set(group.compactMap(\.stage)).sorted { ($0.chainPosition ?? 0) < ($1.chainPosition ?? 0) }.map(\.rawValue)
            let onlyAutodiscover = group.allSatisfy { $0.stage == .autodiscover }
            var explanation: String
            switch verdict {
            case .confirmed: explanation = "the SSRF reached the ECP back end and succeeded (proxyLogon.ecp 241 or DDIService 200): the chain was completed from this source"
            case .likely: explanation = "the SSRF reached a back-end endpoint that answered 2xx"
            default: explanation = onlyAutodiscover ? "autodiscover-only SSRF probes with nothing later from this source" : "SSRF attempts that failed or only probed (errors, localhost probe)"
            }
            if group.contains(where: \.authenticated) { explanation += "; some rows are authenticated (reported as logged, #146)" }
            if let extra = state.omitted[ip] { explanation += "; \(extra) more rows not listed" }
            let severity: Severity = verdict == .confirmed ? .critical : verdict == .likely ? .high : .medium
            return Finding(checkId: id, title: "CVE-2021-26855 SSRF from \(ip.isEmpty ? "an unknown client" : ip)", severity: severity,
                           verdict: verdict, cves: ["CVE-2021-26855"], attack: ["T1190"], evidence: group.map(\.evidence),
                           explanation: explanation,
                           pivots: [.clientIp: [ip].filter { !$0.isEmpty }, .userAgent: Array(Set(group.map(\.userAgent).filter { !$0.isEmpty })).sorted(),
                                    .stage: stages, .target: Array(Set(group.map(\.target))).sorted()])
        })
    }
}
