import ExTriageCore
import ExtensibleStorage

/// Data sent out by programs that should not send it, from SRUM's hourly network usage
/// (`Windows/System32/sru/SRUDB.dat`, read with libesedb): a cloud sync or transfer tool (rclone,
/// MEGAsync, WinSCP...) or an archiver that sent at least 1 MiB in an hour (`likely`), PowerShell or
/// a download utility that sent tens of MiB (`attempt`, `likely` in the attack window), and w3wp.exe
/// sending far above its own usual hour inside the attack window (`likely`: a web shell streaming an
/// export or a dump out; outside the window `informational`). Thresholds and names:
/// `Profiles/rules/host-srum.yaml`. Evidence: the program's path, the hour, bytes sent and received,
/// the user. A database left by a dirty shutdown is read as it is and says so in the coverage row;
/// one libesedb cannot open is recorded there. References: MITRE T1041, T1048, T1567.002.
struct SrumExfilCheck: Check {
    let id: CheckID = "HOST-SRUM-EXFIL"
    let title = "Large data sent by a transfer tool, archiver, script host or the web server (SRUM network usage)"
    /// SRUM databases reach hundreds of MiB on busy servers; a longer one is cut here and libesedb
    /// reports the pages it misses.
    static let headLimit = 512 << 20
    let input = CheckInput.memberContent(MemberSelector(limit: SrumExfilCheck.headLimit, leadingBytes: nil) { member in
        member.sourcePath.lowercased().hasSuffix("/system32/sru/srudb.dat")
    })
    let rules: SrumRules

    struct State {
        /// Rows of programs some group names, with the member they came from.
        var rows: [(SrumNetworkUsage.Row, MemberInfo)] = []
        /// Every w3wp-like program's hourly bytes sent, for its median.
        var hourly: [String: [UInt64]] = [:]
        var databases = 0
        var rowCount = 0
        var problems: [String] = []
    }

    func makeState() -> State { State() }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .content(let content) = observation else { return }
        let path = content.member.sourcePath
        if content.isPartial { note(&state, "\(path): read over its first \(ByteCount.format(UInt64(Self.headLimit))) only") }
        let database: EseDatabase
        do { database = try EseDatabase(bytes: content.head, name: path) } catch {
            note(&state, "\(path): \((error as? ExTriageError)?.message ?? String(describing: error))")
            return
        }
        if database.state == .dirtyShutdown {
            note(&state, "\(path): dirty shutdown (its transaction logs were not replayed): the latest hours may be missing")
        }
        let usage = SrumNetworkUsage(database)
        state.databases += 1
        state.rowCount += usage.rows.count
        for problem in usage.problems { note(&state, "\(path): \(problem)") }
        for row in usage.rows {
            guard let group = rules.group(of: row.application) else { continue }
            if group.spikeFactor != nil { state.hourly[SrumNetworkUsage.programName(row.application), default: []].append(row.bytesSent) }
            if row.bytesSent >= group.sentAtLeast, state.rows.count < 100_000 { state.rows.append((row, content.member)) }
        }
    }

    private func note(_ state: inout State, _ problem: String) {
        if state.problems.count < 50 { state.problems.append(problem) }
    }

    /// The tier and group of one row (bytes summed per program and hour), or nil when it stays quiet:
    /// below its group's threshold, under its spike factor times the program's median hour, or a
    /// group quiet outside the window.
    func judge(_ row: SrumNetworkUsage.Row, medianHour: UInt64?, window: AttackWindow?) -> (Verdict, SrumRules.Group)? {
        guard let group = rules.group(of: row.application), row.bytesSent >= group.sentAtLeast else { return nil }
        if let factor = group.spikeFactor, let median = medianHour {
            let (spike, overflow) = median.multipliedReportingOverflow(by: UInt64(factor))
            if overflow || row.bytesSent < spike { return nil }
        }
        let inWindow = row.time.map { window?.contains($0, slack: Int64(rules.windowSlackHours) * 3600) ?? false } ?? false
        guard let verdict = inWindow ? (group.inWindow ?? group.verdict) : group.verdict else { return nil }
        return (verdict, group)
    }

    /// Rows of one program and hour summed (SRUM keeps one per interface and user).
    static func hourly(_ rows: [(SrumNetworkUsage.Row, MemberInfo)]) -> [(SrumNetworkUsage.Row, MemberInfo)] {
        var sums: [String: (SrumNetworkUsage.Row, MemberInfo)] = [:]
        var order: [String] = []
        for (row, member) in rows {
            let key = "\(member.member)|\(row.application.lowercased())|\(row.time?.seconds ?? -1)"
            if var sum = sums[key] {
                sum.0.bytesSent = saturated(sum.0.bytesSent, row.bytesSent)
                sum.0.bytesReceived = saturated(sum.0.bytesReceived, row.bytesReceived)
                sums[key] = sum
            } else {
                sums[key] = (row, member)
                order.append(key)
            }
        }
        return order.compactMap { sums[$0] }
    }

    /// A sum that stops at the largest value instead of wrapping (counts from a damaged database).
    static func saturated(_ first: UInt64, _ second: UInt64) -> UInt64 {
        let (sum, overflow) = first.addingReportingOverflow(second)
        return overflow ? .max : sum
    }

    static func median(_ values: [UInt64]) -> UInt64? {
        guard !values.isEmpty else { return nil }
        return values.sorted()[values.count / 2]
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        let window = AttackWindow(context.logFindings)
        var matches = EventMatches()
        var attack: Set<String> = []
        for (row, member) in Self.hourly(state.rows) {
            let name = SrumNetworkUsage.programName(row.application)
            guard let (verdict, group) = judge(row, medianHour: Self.median(state.hourly[name] ?? []), window: window) else { continue }
            let time = row.time?.description ?? "an unknown hour"
            var details = ["Application": row.application, "Tool": group.kind, "BytesSent": String(row.bytesSent),
                           "BytesReceived": String(row.bytesReceived), "Hour": time]
            details["User"] = row.user
            if let median = Self.median(state.hourly[name] ?? []), group.spikeFactor != nil { details["MedianHourSent"] = String(median) }
            let evidence = Evidence(member: member.member, originalPath: member.sourcePath, timestamp: row.time,
                                    excerpt: "\(row.application) sent \(ByteCount.format(row.bytesSent)) (received "
                                        + "\(ByteCount.format(row.bytesReceived))) in the hour of \(time)",
                                    sha256: "", details: details)
            matches.add(verdict, evidence)
            matches.pivot("executable", name)
            attack.insert(group.attack)
        }
        let findings = matches.findings(
            checkId: id, title: title, severity: .high, attack: attack.sorted(), category: FindingCategory.staging,
            explanation: "SRUM counts, per hour and program, the bytes each one sent over the network. Transfer tools and "
                + "archivers have no business sending data from an Exchange server, and PowerShell or w3wp.exe sending far more "
                + "than usual around the attack is how dumps, archives and mailbox exports leave. Match the hour with the "
                + "archives, dumps and exports found, and with firewall or proxy logs for the destination.")
        guard state.databases > 0 || !state.problems.isEmpty else {
            return CheckOutput(findings: findings, coverage: CoverageNote(status: .notApplicable, reason: "no SRUM database in the bundle"))
        }
        let reason = state.problems.isEmpty ? nil : state.problems.prefix(5).joined(separator: "; ")
            + (state.problems.count > 5 ? "; \(state.problems.count - 5) more" : "")
        return CheckOutput(findings: findings, coverage: CoverageNote(reason: reason, records: state.rowCount,
                                                                     malformed: state.problems.isEmpty ? nil : state.problems.count))
    }
}
