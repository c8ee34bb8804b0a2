import ExTriageCore

/// The inline SVG timeline of a report's evidence: one lane per tier, a UTC time axis, one mark per time.
///
/// Marks that land on the same pixel of the same lane are merged into one, whose tooltip gives the count,
/// so a finding with thousands of evidence lines stays a small drawing.
enum TimelineChart {
    static let width = 960.0
    static let plotLeft = 110.0
    static let plotRight = 930.0
    static let laneHeight = 24.0
    static let top = 12.0

    /// The SVG element; a short explanatory drawing when no evidence has a timestamp.
    static func svg(_ findings: [Finding]) -> String {
        let times = ReportFacts.evidenceTimes(findings)
        guard let earliest = times.map(\.time).min(), let latest = times.map(\.time).max() else {
            return "<svg class=\"timeline\" viewBox=\"0 0 \(format(width)) 40\""
                + " role=\"img\" aria-label=\"No timestamped evidence\"><text x=\"\(format(plotLeft))\" y=\"24\""
                + " font-size=\"13\" fill=\"#555\">No finding evidence carries a timestamp.</text></svg>"
        }
        let lanes = Array(Verdict.allCases.reversed())
        let axisY = top + laneHeight * Double(lanes.count)
        let height = axisY + 46
        let span = seconds(from: earliest, to: latest)
        func x(_ time: Timestamp) -> Double {
            span == 0 ? (plotLeft + plotRight) / 2 : plotLeft + seconds(from: earliest, to: time) / span * (plotRight - plotLeft)
        }

        var svg = "<svg class=\"timeline\" viewBox=\"0 0 \(format(width)) \(format(height))\""
            + " role=\"img\" aria-label=\"Evidence timeline from \(earliest.iso8601) to \(latest.iso8601)\">"
        for (number, lane) in lanes.enumerated() {
            let y = top + laneHeight * Double(number)
            svg += "<rect x=\"\(format(plotLeft - 6))\" y=\"\(format(y))\" width=\"\(format(plotRight - plotLeft + 12))\""
                + " height=\"\(format(laneHeight))\" fill=\"\(number % 2 == 0 ? "#f6f6f6" : "#ffffff")\"/>"
            svg += "<text x=\"\(format(plotLeft - 12))\" y=\"\(format(y + laneHeight / 2 + 4))\" font-size=\"12\""
                + " text-anchor=\"end\" fill=\"\(HTMLReport.tierColor(lane))\">\(lane.rawValue)</text>"
        }
        svg += "<line x1=\"\(format(plotLeft - 6))\" y1=\"\(format(axisY))\" x2=\"\(format(plotRight + 6))\" y2=\"\(format(axisY))\" stroke=\"#333\"/>"
        for tick in ticks(earliest, latest) {
            let tx = x(tick.time)
            svg += "<line x1=\"\(format(tx))\" y1=\"\(format(top))\" x2=\"\(format(tx))\" y2=\"\(format(axisY + 5))\" stroke=\"#ccc\"/>"
            svg += "<text x=\"\(format(tx))\" y=\"\(format(axisY + 18))\" font-size=\"11\" text-anchor=\"middle\" fill=\"#333\">"
            for (row, part) in tick.label.enumerated() {
                svg += "<tspan x=\"\(format(tx))\" dy=\"\(row == 0 ? 0 : 13)\">\(HTMLText.escape(part))</tspan>"
            }
            svg += "</text>"
        }
        svg += marks(times, lanes: lanes, x: x)
        return svg + "</svg>"
    }

    /// One circle per (lane, pixel), with a tooltip naming the count, checks and time range.
    static func marks(_ times: [(time: Timestamp, verdict: Verdict, checkId: String)], lanes: [Verdict],
                      x: (Timestamp) -> Double) -> String {
        struct Mark { var count: Int; var checks: [String]; var first: Timestamp; var last: Timestamp }
        var merged: [String: Mark] = [:]
        var order: [(key: String, lane: Int, pixel: Int)] = []
        for item in times {
            let lane = lanes.firstIndex(of: item.verdict) ?? 0
            let pixel = Int(x(item.time).rounded())
            let key = "\(lane):\(pixel)"
            if var mark = merged[key] {
                mark.count += 1
                if !mark.checks.contains(item.checkId) { mark.checks.append(item.checkId) }
                mark.first = min(mark.first, item.time)
                mark.last = max(mark.last, item.time)
                merged[key] = mark
            } else {
                merged[key] = Mark(count: 1, checks: [item.checkId], first: item.time, last: item.time)
                order.append((key, lane, pixel))
            }
        }
        var svg = ""
        for entry in order {
            guard let mark = merged[entry.key] else { continue }
            let verdict = lanes[entry.lane]
            let y = top + laneHeight * Double(entry.lane) + laneHeight / 2
            let when = mark.first == mark.last ? mark.first.iso8601 : mark.first.iso8601 + " – " + mark.last.iso8601
            let tooltip = "\(mark.count) × \(verdict.rawValue): " + ReportFacts.capped(mark.checks, limit: 5) + " at " + when
            svg += "<circle cx=\"\(entry.pixel)\" cy=\"\(format(y))\" r=\"\(mark.count > 1 ? 5 : 4)\""
                + " fill=\"\(HTMLReport.tierColor(verdict))\" fill-opacity=\"0.8\"><title>\(HTMLText.escape(tooltip))</title></circle>"
        }
        return svg
    }

    /// Tick times on round UTC boundaries (at most about seven), each labelled as date and time lines.
    static func ticks(_ earliest: Timestamp, _ latest: Timestamp) -> [(time: Timestamp, label: [String])] {
        let span = seconds(from: earliest, to: latest)
        if span == 0 { return [(earliest, label(earliest, step: 1))] }
        let steps: [Int64] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200,
                              86_400, 172_800, 604_800, 1_209_600, 2_592_000, 7_776_000, 15_552_000, 31_536_000]
        let step = steps.first { span / Double($0) <= 6 } ?? Int64((span / 6 / 31_536_000).rounded(.up)) * 31_536_000
        let start = earliest.seconds + (earliest.nanoseconds > 0 ? 1 : 0)
        var tick = start % step == 0 ? start : (start / step + (start > 0 ? 1 : 0)) * step
        var result: [(time: Timestamp, label: [String])] = []
        while tick <= latest.seconds, result.count < 12 {
            result.append((Timestamp(seconds: tick), label(Timestamp(seconds: tick), step: step)))
            tick += step
        }
        if result.isEmpty {
            result = [(earliest, label(earliest, step: 1)), (latest, label(latest, step: 1))]
        }
        return result
    }

    /// `YYYY-MM-DD` and `HH:MM[:SS]Z`, the time line left out for whole-day steps.
    static func label(_ time: Timestamp, step: Int64) -> [String] {
        let text = Array(time.iso8601)
        let date = String(text.prefix(10))
        if step >= 86_400 && step % 86_400 == 0 && time.seconds % 86_400 == 0 && time.nanoseconds == 0 { return [date] }
        let clock = step < 60 || time.seconds % 60 != 0 ? String(text[11..<19]) : String(text[11..<16])
        return [date, clock + "Z"]
    }

    /// Seconds from one time to another, as a double.
    static func seconds(from start: Timestamp, to end: Timestamp) -> Double {
        Double(end.seconds - start.seconds) + Double(end.nanoseconds - start.nanoseconds) / 1_000_000_000
    }

    /// A coordinate with at most one decimal, without a locale.
    static func format(_ value: Double) -> String {
        let tenths = Int64((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        let magnitude = abs(tenths)
        return sign + String(magnitude / 10) + (magnitude % 10 == 0 ? "" : "." + String(magnitude % 10))
    }
}
