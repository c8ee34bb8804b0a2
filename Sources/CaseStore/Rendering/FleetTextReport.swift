import ExTriageCore

/// The fleet report for a terminal: hosts, clusters with why, timeline.
public struct FleetTextReport: FleetRenderer {
    public var name: String { "text" }
    public init() {}

    public func render(_ report: FleetReport) throws -> [UInt8] {
        var out = "extriage case report — \(report.hosts.count) host(s), \(report.clusters.count) cluster(s)\n\nHOSTS\n"
        for host in report.hosts {
            out += "  \(show(host.host)): \(host.verdict)"
            if let first = host.firstCompromise { out += ", first compromise \(first.iso8601)" }
            if let patched = host.patchedAt { out += ", patched \(patched.iso8601)" + (host.patchedAfterCompromise ? " (after compromise)" : "") }
            if !host.clusters.isEmpty { out += ", clusters \(host.clusters.joined(separator: ", "))" }
            out += "\n"
            let exploited = host.cveStates.filter { $0.value.state == CVEState.exploited.rawValue }.keys.sorted()
            if !exploited.isEmpty { out += "    exploited: \(exploited.joined(separator: ", "))\n" }
            for shell in host.shells.used { out += "    shell used: \(show(shell.path)) (\(shell.requests) request(s))\n" }
            for shell in host.shells.neverUsed { out += "    shell never used: \(show(shell.path))\n" }
            for reason in host.notAssessable { out += "    not assessable: \(show(reason))\n" }
        }
        out += "\nCLUSTERS\n"
        if report.clusters.isEmpty { out += "  none: no rare indicator is shared by two hosts\n" }
        for cluster in report.clusters {
            out += "  \(cluster.id) (score \(cluster.score)): \(cluster.hosts.map(show).joined(separator: ", "))\n    why: \(show(cluster.why))\n"
            for indicator in cluster.indicators {
                out += "    \(indicator.kind) \(show(indicator.value)) on \(indicator.hosts.count) host(s), weight \(indicator.weight)\n"
            }
            for wave in cluster.waves {
                out += "    wave \(wave.start.iso8601) – \(wave.end.iso8601): \(wave.hosts.map(show).joined(separator: ", "))\n"
            }
        }
        if !report.commonIndicators.isEmpty {
            out += "\nTOO COMMON TO TIE HOSTS\n"
            for indicator in report.commonIndicators {
                out += "  \(indicator.kind) \(show(indicator.value)) on \(indicator.hosts.count) host(s)\n"
            }
        }
        out += "\nTIMELINE (first compromise)\n"
        for row in report.timeline {
            out += "  \(row.firstCompromise.iso8601)  \(show(row.host))" + (row.clusters.isEmpty ? "" : "  [\(row.clusters.joined(separator: ", "))]") + "\n"
        }
        return Array(out.utf8)
    }

    func show(_ text: String) -> String { EscapedText.display(text) }
}
