import ExTriageCore

/// One scheduled task definition as the Task Scheduler stores it under `Windows/System32/Tasks`:
/// an XML document (UTF-16LE with a BOM as Windows writes it, UTF-8 when copied by tools) with
/// `RegistrationInfo` (Author, Date, URI), `Principals` (UserId or GroupId, RunLevel),
/// `Settings` (Hidden) and `Actions` (Exec: Command, Arguments, WorkingDirectory; ComHandler:
/// ClassId). Only these leaf elements are read; a file that is not well formed keeps what was read
/// up to where it breaks, and says where. Reference: Microsoft "Task Scheduler Schema".
struct ScheduledTask {
    struct Action: Equatable {
        var command: String
        var arguments: String = ""
        var workingDirectory: String?
        /// The action as one command line (`Command Arguments`).
        var commandLine: String { arguments.isEmpty ? command : command + " " + arguments }
    }

    /// The task's path below `System32\Tasks` (`\Microsoft\Windows\Defrag\ScheduledDefrag`).
    var path: String
    var author: String?
    /// `RegistrationInfo/Date` as written (local time, usually without a zone).
    var date: String?
    var userId: String?
    var groupId: String?
    var runLevel: String?
    var hidden = false
    var actions: [Action] = []
    /// COM handler actions' class ids (no command line to judge).
    var comHandlers: [String] = []
    /// The line where the XML stops being well formed, if it does.
    var brokenAt: Int?

    /// The registration date as a timestamp, read as UTC when it carries no zone (task dates are
    /// written in the server's local time; the evidence keeps the text as written).
    var registered: Timestamp? {
        guard let date = date?.trimmingWhitespace(), !date.isEmpty else { return nil }
        let core = date.split(separator: ".").first.map(String.init) ?? date
        let zoned = date.hasSuffix("Z") || date.dropFirst(19).contains { $0 == "+" || $0 == "-" }
        return Timestamp(iso8601: zoned ? date : core + "Z") ?? Timestamp(iso8601: date)
    }

    /// Reads a task file; `path` is the member's source path, from which the task path is taken.
    init(bytes: [UInt8], sourcePath: String) {
        let parts = sourcePath.split(separator: "/", omittingEmptySubsequences: true)
        let tasks = parts.lastIndex { $0.lowercased() == "tasks" } ?? parts.startIndex
        path = "\\" + parts[(tasks + 1)...].joined(separator: "\\")
        brokenAt = ConfigXML.read(bytes).brokenAt
        let text = Array(ConfigXML.decode(bytes).utf8)
        var stack: [String] = []
        var index = 0
        var currentAction: Action?
        var found: [Action] = []
        func finishAction() {
            if let action = currentAction, !action.command.isEmpty { found.append(action) }
            currentAction = nil
        }
        while index < text.count {
            guard text[index] == 0x3C, let close = text[index...].firstIndex(of: 0x3E) else {
                index += 1
                continue
            }
            let body = String(decoding: text[(index + 1)..<close], as: UTF8.self)
            index = close + 1
            if body.hasPrefix("?") || body.hasPrefix("!") { continue }
            if body.hasPrefix("/") {
                let name = Self.localName(String(body.dropFirst()))
                if name == "exec" { finishAction() }
                if let at = stack.lastIndex(of: name) { stack.removeSubrange(at...) }
                continue
            }
            let name = Self.localName(body.hasSuffix("/") ? String(body.dropLast()) : body)
            if body.hasSuffix("/") { continue }
            stack.append(name)
            if name == "exec" { finishAction(); currentAction = Action(command: "") }
            // A leaf: its text runs to the next '<'.
            let end = text[index...].firstIndex(of: 0x3C) ?? text.count
            let value = ConfigXML.unescape(String(decoding: text[index..<end], as: UTF8.self)).trimmingWhitespace()
            guard !value.isEmpty else { continue }
            let parent = stack.count >= 2 ? stack[stack.count - 2] : ""
            switch (parent, name) {
            case ("registrationinfo", "author"): author = value
            case ("registrationinfo", "date"): date = value
            case ("principal", "userid"): userId = value
            case ("principal", "groupid"): groupId = value
            case ("principal", "runlevel"): runLevel = value
            case ("settings", "hidden"): hidden = value.lowercased() == "true" || value == "1"
            case ("exec", "command"): currentAction?.command = value
            case ("exec", "arguments"): currentAction?.arguments = value
            case ("exec", "workingdirectory"): currentAction?.workingDirectory = value
            case ("comhandler", "classid"): comHandlers.append(value)
            default: break
            }
        }
        finishAction()
        actions = found
    }

    /// A tag's lower-cased name without attributes or namespace prefix.
    static func localName(_ tag: String) -> String {
        let name = tag.trimmingWhitespace().prefix { !$0.isWhitespace }
        return String(name.split(separator: ":").last ?? name[...]).lowercased()
    }
}
