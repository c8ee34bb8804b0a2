import ExTriageCore
import Foundation

/// Which Exchange build wrote the logs, and whether it had the fixes for the known chains.
///
/// Sources: `#Version:` in Exchange log headers (HttpProxy, Rps, OAB generator; the ECP logs'
/// `15.0.0.0` is a placeholder and is ignored). Versions are normalised (`15.01.2176.002` →
/// `15.1.2176.2`) and compared as four integers with the fixed builds in
/// `Profiles/rules/exchange-builds.yaml`. Always `informational`: a build never proves compromise.
/// References: EXCHANGE-ARTIFACTS.md C02, §4; Microsoft "Exchange Server build numbers".
struct BuildStatusCheck: Check {
    let id: CheckID = "EXT-C02"
    let title = "Exchange build and patch status from log headers"
    /// Headers only: no record is parsed for this check.
    let input = CheckInput.logRecords(LogSelector(needles: [], families: BuildStatusCheck.reads))
    let builds: BuildTable
    /// The CVEs the build table marks as without a technique-based indicator.
    var assesses: Assessment { Assessment(unassessable: builds.notAssessable) }

    init(builds: BuildTable) { self.builds = builds }

    @Sendable static func reads(_ family: LogFamily) -> Bool {
        switch family {
        case .httpProxy, .rpsCmdlet, .rpsHttp, .oabGenerator, .localCmdlet: return true
        default: return false
        }
    }

    func makeState() -> [ExchangeBuild: (first: Timestamp?, evidence: Evidence)] { [:] }

    func observe(_ observation: Observation, into seen: inout [ExchangeBuild: (first: Timestamp?, evidence: Evidence)]) {
        guard case .logHeader(let header, let firstRecord, let member) = observation,
              let text = header.version, let build = ExchangeBuild(text), build.build > 0 else { return }
        let evidence = member.evidence(line: 1, timestamp: firstRecord, excerpt: "#Version: \(text)")
        // A dated sighting is kept over a later or undated one: a header-only log (an idle hour, an
        // OAB log without runs) must not erase when the build was first seen.
        if let known = seen[build], let time = known.first, firstRecord.map({ time <= $0 }) ?? true { return }
        seen[build] = (firstRecord, evidence)
    }

    func finish(_ seen: inout [ExchangeBuild: (first: Timestamp?, evidence: Evidence)], in context: FinishContext) -> CheckOutput {
        let ordered = seen.sorted { ($0.value.first ?? Timestamp(seconds: 0)) < ($1.value.first ?? Timestamp(seconds: 0)) }
        let history = BuildHistory(table: builds, seen: ordered.map { ($0.key, $0.value.first) })
        return CheckOutput(findings: ordered.map { build, value in
            let status = builds.status(of: build)
            let vulnerable = status.filter { !$0.patched }
            let explanation = vulnerable.isEmpty
                ? "build \(build) has the fixes for: \(status.map(\.name).joined(separator: ", "))"
                : "build \(build) lacks: " + vulnerable.map { "\($0.name) (\($0.cves.joined(separator: ", ")))\($0.fixedIn.map { "; fixed in \($0)" } ?? "")" }.joined(separator: "; ")
            return Finding(checkId: id, title: "Exchange build \(build) \(vulnerable.isEmpty ? "patched" : "vulnerable")", severity: .info,
                           verdict: .informational, cves: vulnerable.flatMap(\.cves), evidence: [value.evidence],
                           explanation: explanation + (value.first.map { "; first log with this build: \($0.iso8601)" } ?? ""),
                           pivots: [.build: [build.description]])
        }, exhibits: [history])
    }
}

/// A four-part Exchange build number, e.g. 15.1.2176.9.
public struct ExchangeBuild: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var major: Int, minor: Int, build: Int, revision: Int

    /// Parses `15.01.2176.002`, `15.1.2176.2` or `Version 15.1 (Build 2176.2)`-free dotted forms.
    public init?(_ text: String) {
        let parts = text.trimmingWhitespace().split(separator: ".").map { Int($0) }
        guard parts.count == 4, let major = parts[0], let minor = parts[1], let build = parts[2], let revision = parts[3] else { return nil }
        (self.major, self.minor, self.build, self.revision) = (major, minor, build, revision)
    }

    public var description: String { "\(major).\(minor).\(build).\(revision)" }

    public static func < (lhs: ExchangeBuild, rhs: ExchangeBuild) -> Bool {
        (lhs.major, lhs.minor, lhs.build, lhs.revision) < (rhs.major, rhs.minor, rhs.build, rhs.revision)
    }
}

/// The Exchange builds the logs show, each with the first time it was seen, and the fixed builds:
/// when a server stopped being exposed to each CVE, as far as the logs tell.
struct BuildHistory: Exhibit {
    let table: BuildTable
    let seen: [(build: ExchangeBuild, first: Timestamp?)]

    /// The first time a build with the fix for `cve` is seen; nil when none is (or the CVE is unknown).
    func patchedAt(_ cve: String) -> (time: Timestamp, build: ExchangeBuild)? {
        guard let fix = table.fix(for: cve) else { return nil }
        return seen.filter { table.isPatched($0.build, against: fix) }
            .compactMap { entry in entry.first.map { (time: $0, build: entry.build) } }
            .min { $0.time < $1.time }
    }

    /// When the logs show the server taking the fix for `cve`: the first fixed build seen, when a
    /// build without the fix was seen before it; nil otherwise (fixed before the logs begin, or never).
    func patchedDuringLogs(_ cve: String) -> (time: Timestamp, build: ExchangeBuild)? {
        guard let fix = table.fix(for: cve), let patched = patchedAt(cve) else { return nil }
        let unpatchedBefore = seen.contains { entry in
            !table.isPatched(entry.build, against: fix) && entry.first.map { $0 < patched.time } == true
        }
        return unpatchedBefore ? patched : nil
    }
}

