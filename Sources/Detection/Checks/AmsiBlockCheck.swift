import ExTriageCore
import Foundation

/// Requests Exchange's AMSI integration blocked, from `Logging/HttpRequestFiltering`.
///
/// Exchange 2016 CU21 / 2019 CU10 and later hand every request to the Antimalware Scan Interface
/// (the `HttpRequestFilteringModule` in the virtual directories' web.config); a request the
/// scanner flags is answered 400 and its line in `HttpRequestFiltering_*.log` carries the result
/// `Detected` as a field of its own (what CSS-Exchange's Test-AMSI looks for; `NotDetected` is a pass). Each such line is an exploitation
/// attempt that was stopped: `attempt`, never more, since the request did not run. Read as text,
/// line by line, from at most `headLimit` bytes per file (the coverage row names files read in part).
/// References: Microsoft, "More about AMSI integration with Exchange Server"; CSS-Exchange Test-AMSI.ps1.
struct AmsiBlockCheck: Check {
    let id: CheckID = "EXT-AMSI-BLOCKS"
    let title = "Requests blocked by Exchange's AMSI integration (HttpRequestFiltering)"
    static let headLimit = 16 * 1024 * 1024
    let input = CheckInput.memberContent(MemberSelector(limit: AmsiBlockCheck.headLimit) { member in
        let path = member.sourcePath.lowercased()
        return path.contains("/logging/httprequestfiltering/") && path.hasSuffix(".log")
    })

    struct State {
        var blocked = EvidenceList()
        var files = 0
        var partial: [String] = []
    }

    func makeState() -> State { State() }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .content(let content) = observation else { return }
        state.files += 1
        if content.isPartial { state.partial.append(content.member.sourcePath) }
        var number = 0
        for line in String(decoding: content.head, as: UTF8.self).split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            number += 1
            // A field that is exactly "Detected": "NotDetected" is the scanner letting a request through.
            guard !line.hasPrefix("#"), line.split(separator: ",").contains(where: { Self.isDetected($0) }) else { continue }
            let text = String(line)
            let first = text.split(separator: ",", maxSplits: 1).first.map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: "\u{FEFF} \"")) }
            state.blocked.append(Evidence(member: content.member.member, originalPath: content.member.sourcePath, line: number,
                                          timestamp: first.flatMap { Timestamp(iso8601: $0) }, excerpt: text, sha256: ""))
        }
    }

    static func isDetected(_ field: Substring) -> Bool {
        field.trimmingCharacters(in: CharacterSet(charactersIn: " \"\r")).caseInsensitiveCompare("Detected") == .orderedSame
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        var reason = "\(state.files) HttpRequestFiltering log(s) read: AMSI integration was on while they were written"
        if !state.partial.isEmpty {
            reason += "; \(state.partial.count) read over their first \(ByteCount.format(UInt64(Self.headLimit))) only: "
                + state.partial.prefix(5).joined(separator: ", ")
        }
        let findings = state.blocked.isEmpty ? [] : [
            Finding(checkId: id, title: "Requests blocked by AMSI", severity: .medium, verdict: .attempt, cves: [], attack: ["T1190"],
                    evidence: [], explanation: "the AMSI scanner flagged these requests and Exchange answered 400: exploitation attempts that were "
                        + "stopped. Look for the same client and payload in the IIS and HttpProxy logs at times AMSI was not in the path.",
                    pivots: [:]).listing(state.blocked),
        ]
        return CheckOutput(findings: findings, coverage: CoverageNote(reason: state.files == 0 ? nil : reason))
    }
}
