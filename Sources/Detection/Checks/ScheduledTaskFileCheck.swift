import ExTriageCore

/// Scheduled tasks on disk (`Windows/System32/Tasks/**`, the task XML the Task Scheduler keeps;
/// legacy `Windows/Tasks/*.job` files are collected as a trace and not read): an action running a
/// shell or script host with encoded or downloaded script (`-enc`, `IEX`, a download cradle), a
/// shell or rundll32/regsvr32 running a file from a web or temp folder, or a program kept in such a
/// folder is `likely`; the same in ProgramData or another writable folder `attempt`. A hidden task
/// running as SYSTEM that is not Microsoft's, registered within `recentDays` of the attack window
/// the log checks found, is `attempt` (`informational` without a window). Microsoft's own tasks
/// (under `\Microsoft\`, authored by Microsoft) are judged on their actions only. Evidence: the task
/// path, author, registration date, principal and the action's command line. A file that is not
/// well formed is read up to where it breaks and named in the coverage row. Rules:
/// `Profiles/rules/host-tasks.yaml`. References: EXCHANGE-ARTIFACTS.md C19; MITRE T1053.005.
struct ScheduledTaskFileCheck: Check {
    let id: CheckID = "HOST-SCHEDULED-TASKS"
    let title = "Scheduled task running a shell, encoded script or a program from a web or temp folder (System32\\Tasks)"
    /// Task files are a few KiB; this leaves room for the largest.
    static let headLimit = 1 << 20
    let input = CheckInput.memberContent(MemberSelector(limit: ScheduledTaskFileCheck.headLimit) { member in
        member.sourcePath.lowercased().contains("/system32/tasks/")
    })
    let rules: TaskRules

    struct State {
        var matches = EventMatches()
        /// Hidden SYSTEM tasks not Microsoft's, judged against the attack window in `finish`.
        var hiddenSystem: [(Evidence, Timestamp?)] = []
        var read = 0
        var partial: [String] = []
        var malformed: [String] = []
    }

    func makeState() -> State { State() }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .content(let content) = observation else { return }
        state.read += 1
        let task = ScheduledTask(bytes: content.head, sourcePath: content.member.sourcePath)
        if content.isPartial { state.partial.append(content.member.sourcePath) }
        else if let line = task.brokenAt, state.malformed.count < 50 { state.malformed.append("\(content.member.sourcePath) (line \(line))") }
        var judged = false
        for action in task.actions {
            guard let (verdict, reason) = rules.judge(action: action) else { continue }
            state.matches.add(verdict, evidence(task, action: action, reason: reason, content: content))
            state.matches.pivot("taskName", task.path)
            judged = true
        }
        if !judged, task.hidden, rules.runsAsSystem(task), !rules.isMicrosoft(task), state.hiddenSystem.count < 1000 {
            state.hiddenSystem.append((evidence(task, action: task.actions.first, reason: "hidden task running as SYSTEM", content: content),
                                       task.registered))
        }
    }

    func evidence(_ task: ScheduledTask, action: ScheduledTask.Action?, reason: String, content: MemberContent) -> Evidence {
        var details = ["Task": task.path, "Why": reason, "Hidden": task.hidden ? "true" : "false"]
        details["Author"] = task.author
        details["Date"] = task.date
        details["Principal"] = task.userId ?? task.groupId
        details["RunLevel"] = task.runLevel
        if let action {
            details["Command"] = action.command
            if !action.arguments.isEmpty { details["Arguments"] = String(action.arguments.prefix(1000)) }
            details["WorkingDirectory"] = action.workingDirectory
        } else if let handler = task.comHandlers.first {
            details["ComHandler"] = handler
        }
        let line = action.map { String($0.commandLine.prefix(300)) } ?? task.comHandlers.first.map { "COM handler " + $0 } ?? "no action"
        return Evidence(member: content.member.member, originalPath: content.member.sourcePath, timestamp: task.registered,
                        excerpt: "\(task.path) (\(task.userId ?? task.groupId ?? "no principal")): \(line)", sha256: "", details: details)
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        var matches = state.matches
        let window = AttackWindow(context.logFindings)
        for (evidence, registered) in state.hiddenSystem {
            let near = registered.map { window?.contains($0, slack: Int64(rules.recentDays) * 86_400) ?? false } ?? false
            matches.add(near ? .attempt : .informational, evidence)
            matches.pivot("taskName", evidence.details?["Task"])
        }
        let findings = matches.findings(
            checkId: id, title: title, severity: .high, attack: ["T1053.005", "T1059.001"], category: FindingCategory.persistence,
            explanation: "The Task Scheduler runs this action on its triggers, usually as SYSTEM: a task that runs encoded or downloaded "
                + "PowerShell, or a program from a web or temp folder, is how intruders keep a foothold after the web shell is gone "
                + "(and how atexec runs commands remotely). The Date and Author say when and by whom it was registered; compare "
                + "with Security 4698 and the task's own log, and remove the task only after collecting what it runs.")
        guard state.read > 0 else {
            return CheckOutput(findings: findings, coverage: CoverageNote(status: .notApplicable, reason: "no scheduled task file in the bundle"))
        }
        var reasons: [String] = []
        if !state.malformed.isEmpty {
            reasons.append("\(state.malformed.count) task file(s) not well formed (read up to where they break): "
                           + state.malformed.prefix(5).joined(separator: "; "))
        }
        if !state.partial.isEmpty { reasons.append("read over their first \(ByteCount.format(UInt64(Self.headLimit))) only: " + state.partial.prefix(5).joined(separator: "; ")) }
        return CheckOutput(findings: findings, coverage: CoverageNote(reason: reasons.isEmpty ? nil : reasons.joined(separator: "; "),
                                                                     records: state.read,
                                                                     malformed: state.malformed.isEmpty ? nil : state.malformed.count))
    }
}
