import ExTriageCore
import Reporting

/// The fleet report as one self-contained HTML page: hosts, a host × cluster matrix, clusters with
/// their indicators, and a first-compromise chart (hosts × time, coloured by cluster).
public struct FleetHTMLReport: FleetRenderer {
    public var name: String { "html" }
    public init() {}

    static let palette = ["#c0392b", "#2471a3", "#239b56", "#b9770e", "#7d3c98", "#17a589", "#a04000", "#566573"]

    public func render(_ report: FleetReport) throws -> [UInt8] {
        var html = """
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>extriage case report</title>
            <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1.5em}
            td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#eee}
            .compromised{color:#b00;font-weight:bold}.in{background:#fde;text-align:center}code{font-size:90%}</style></head><body>
            <h1>extriage case report</h1><p>\(report.hosts.count) host(s), \(report.clusters.count) cluster(s), generated \(e(report.generatedAt.iso8601))</p>
            """
        html += "<h2>Hosts × clusters</h2><table><tr><th>Host</th><th>Verdict</th><th>First compromise</th><th>Patched</th><th>Shells used / never used</th>"
        html += report.clusters.map { "<th>\(e($0.id))</th>" }.joined() + "</tr>"
        for host in report.hosts {
            html += "<tr><td>\(e(host.host))</td><td class=\"\(e(host.verdict))\">\(e(host.verdict))</td>"
            html += "<td>\(e(host.firstCompromise?.iso8601 ?? ""))</td>"
            html += "<td>\(e(host.patchedAt?.iso8601 ?? ""))\(host.patchedAfterCompromise ? " (after compromise)" : "")</td>"
            html += "<td>\(host.shells.used.count) / \(host.shells.neverUsed.count)</td>"
            html += report.clusters.map { host.clusters.contains($0.id) ? "<td class=\"in\">●</td>" : "<td></td>" }.joined() + "</tr>"
        }
        html += "</table>"
        html += chart(report)
        html += "<h2>Clusters</h2>"
        if report.clusters.isEmpty { html += "<p>No rare indicator is shared by two hosts.</p>" }
        for cluster in report.clusters {
            html += "<h3>\(e(cluster.id)): \(e(cluster.hosts.joined(separator: ", ")))</h3><p>\(e(cluster.why)) (score \(cluster.score))</p>"
            html += "<table><tr><th>Kind</th><th>Value</th><th>Hosts</th><th>Weight</th></tr>"
            for indicator in cluster.indicators {
                html += "<tr><td>\(e(indicator.kind))</td><td><code>\(e(indicator.value))</code></td><td>\(e(indicator.hosts.joined(separator: ", ")))</td><td>\(indicator.weight)</td></tr>"
            }
            html += "</table><ul>" + cluster.waves.map { "<li>wave \(e($0.start.iso8601)) – \(e($0.end.iso8601)): \(e($0.hosts.joined(separator: ", ")))</li>" }.joined() + "</ul>"
        }
        if !report.commonIndicators.isEmpty {
            html += "<h2>Too common to tie hosts</h2><ul>"
            html += report.commonIndicators.map { "<li>\(e($0.kind)) <code>\(e($0.value))</code> on \($0.hosts.count) hosts</li>" }.joined() + "</ul>"
        }
        html += "<h2>Not assessable</h2><ul>"
        for host in report.hosts { for reason in host.notAssessable { html += "<li>\(e(host.host)): \(e(reason))</li>" } }
        return Array((html + "</ul></body></html>\n").utf8)
    }

    /// First compromise per host on a time axis, one row per host, a dot per cluster colour.
    func chart(_ report: FleetReport) -> String {
        guard let first = report.timeline.first?.firstCompromise.seconds, let last = report.timeline.last?.firstCompromise.seconds else { return "" }
        let width = 640.0, label = 160.0, rowHeight = 22.0
        let span = Double(max(last - first, 1))
        var svg = "<h2>First compromise over time</h2><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(label + width + 20))\" height=\"\(Int(rowHeight * Double(report.timeline.count) + 30))\">"
        for (index, row) in report.timeline.enumerated() {
            let y = rowHeight * Double(index) + 15
            let x = label + width * Double(row.firstCompromise.seconds - first) / span
            let colour = row.clusters.first.flatMap { id in report.clusters.firstIndex { $0.id == id } }.map { Self.palette[$0 % Self.palette.count] } ?? "#333"
            svg += "<text x=\"0\" y=\"\(y + 4)\" font-size=\"12\">\(e(row.host))</text>"
            svg += "<circle cx=\"\(x)\" cy=\"\(y)\" r=\"6\" fill=\"\(colour)\"><title>\(e(row.host)) \(e(row.firstCompromise.iso8601)) \(e(row.clusters.joined(separator: ", ")))</title></circle>"
        }
        let axisY = rowHeight * Double(report.timeline.count) + 20
        svg += "<text x=\"\(label)\" y=\"\(axisY)\" font-size=\"11\">\(e(Timestamp(seconds: first).iso8601))</text>"
        svg += "<text x=\"\(label + width - 140)\" y=\"\(axisY)\" font-size=\"11\">\(e(Timestamp(seconds: last).iso8601))</text></svg>"
        return svg
    }

    /// Escapes text for HTML text and attribute values (the analyze report's escaping).
    func e(_ text: String) -> String { HTMLText.escape(text) }
}
