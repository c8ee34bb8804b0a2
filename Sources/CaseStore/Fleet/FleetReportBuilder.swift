import ExTriageCore

/// Reads a case and builds its fleet view: one row per host, clusters, timeline.
public struct FleetReportBuilder: Sendable {
    /// Host verdicts from most to least serious: a host takes the most serious of its bundles.
    static let verdictOrder: [String] = [HostVerdict.compromised, .exploitationAttempted, .noEvidenceFound, .couldNotAssess].map(\.rawValue)
    /// CVE states from most to least serious: a host takes the most serious of its bundles.
    static let cveStateOrder: [String] = [CVEState.exploited, .attempted, .exposed, .noEvidence, .notAssessable].map(\.rawValue)
    static let notAnalyzed = "not-analyzed"

    public var clustering: IndicatorClustering

    public init(clustering: IndicatorClustering = IndicatorClustering()) { self.clustering = clustering }

    public func build(from store: CaseStore, at time: Timestamp = .now()) throws -> FleetReport {
        let snapshot = try store.read { db in try CaseSnapshot.read(db) }
        var hosts: [FleetReport.Host] = []
        var indicatorsByHost: [String: [Indicator]] = [:]
        var firstCompromise: [String: Timestamp] = [:]
        for (name, bundles) in Dictionary(grouping: snapshot.bundles, by: \.hostName).sorted(by: { $0.key < $1.key }) {
            let row = hostRow(name, bundles: bundles, snapshot: snapshot)
            hosts.append(row)
            indicatorsByHost[name] = bundles.flatMap { snapshot.indicators[$0.id] ?? [] }
            if let first = row.firstCompromise { firstCompromise[name] = first }
        }
        let analyzedHosts = Set(snapshot.bundles.filter(\.analyzed).map(\.hostName))
        let result = clustering.cluster(hostCount: analyzedHosts.count, indicators: indicatorsByHost, fallbackTimes: firstCompromise)
        for index in hosts.indices {
            hosts[index].clusters = result.clusters.filter { $0.hosts.contains(hosts[index].host) }.map(\.id)
        }
        let timeline = hosts.compactMap { host in
            host.firstCompromise.map { FleetReport.TimelineRow(host: host.host, firstCompromise: $0, clusters: host.clusters) }
        }.sorted { ($0.firstCompromise, $0.host) < ($1.firstCompromise, $1.host) }
        return FleetReport(generatedAt: time, hosts: hosts, clusters: result.clusters, commonIndicators: result.common, timeline: timeline)
    }

    func hostRow(_ name: String, bundles: [CaseSnapshot.Bundle], snapshot: CaseSnapshot) -> FleetReport.Host {
        let analyzed = bundles.filter(\.analyzed)
        let verdict = analyzed.compactMap(\.verdict).min { rank($0, in: Self.verdictOrder) < rank($1, in: Self.verdictOrder) } ?? Self.notAnalyzed
        var cves: [String: FleetReport.CVERow] = [:]
        for bundle in analyzed {
            for (cve, row) in snapshot.cveStates[bundle.id] ?? [:] {
                guard let known = cves[cve] else { cves[cve] = row; continue }
                var merged = rank(row.state, in: Self.cveStateOrder) < rank(known.state, in: Self.cveStateOrder) ? row : known
                merged.patchedAt = [known.patchedAt, row.patchedAt].compactMap { $0 }.max()
                cves[cve] = merged
            }
        }
        let first = analyzed.compactMap { snapshot.firstCompromise[$0.id] }.min()
        let patched = cves.values.compactMap(\.patchedAt).max()
        var notAssessable = bundles.filter { !$0.analyzed }.map {
            "bundle \(FleetText.short($0.sha256)) did not verify (\($0.verificationStatus)) and was not analyzed"
        }
        notAssessable += cves.filter { $0.value.state == CVEState.notAssessable.rawValue }.sorted { $0.key < $1.key }
            .map { "\($0.key): \($0.value.reason ?? "no check could assess it")" }
        let shells = analyzed.flatMap { snapshot.shells[$0.id] ?? [] }
        return FleetReport.Host(
            host: name,
            bundles: bundles.map { FleetReport.BundleRef(sha256: $0.sha256, path: $0.path, verification: $0.verificationStatus,
                                                         analyzed: $0.analyzed, verdict: $0.verdict) },
            verdict: verdict, cveStates: cves, firstCompromise: first, patchedAt: patched,
            patchedAfterCompromise: first.map { start in patched.map { start < $0 } ?? false } ?? false,
            shells: FleetReport.Shells(used: shells.filter { $0.status == .requested }.map(\.shell),
                                       neverUsed: shells.filter { $0.status == .notRequested }.map(\.shell),
                                       unknown: shells.filter { $0.status == .noRequestLogs }.map(\.shell)),
            notAssessable: notAssessable, clusters: [])
    }

    func rank(_ value: String, in order: [String]) -> Int { order.firstIndex(of: value) ?? order.count }
}
