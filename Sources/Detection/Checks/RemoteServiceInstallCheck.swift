import ExTriageCore

/// Services installed the way remote-execution tools do it (EXCHANGE-ARTIFACTS.md C16,
/// T1569.002/T1021.002): System 7045 and Security 4697 with the PsExec service or a renamed
/// copy, smbexec's command-line services, Impacket/Metasploit random names, and image paths that
/// are a command line, a bare file name, or a file in a temporary or user-writable folder.
struct RemoteServiceInstallCheck: Check {
    let id: CheckID = "EVT-LM-SERVICE-INSTALL"
    let title = "Service installed by a remote-execution tool (PsExec, smbexec, Impacket) or from a suspicious path"
    let input = CheckInput.events(EventSelector(eventIDs: [7045, 4697]))

    static let knownTools = ["psexesvc", "remcomsvc", "paexec", "csexecsvc", "winexesvc", "rexecsvc"]
    static let commandMarkers = ["cmd.exe /c", "cmd /c", "cmd.exe /q", "%comspec%", "powershell", "pwsh", "mshta", "rundll32",
                                 "regsvr32", "\\\\127.0.0.1\\", "\\\\localhost\\", "certutil", "bitsadmin", "wscript", "cscript"]
    static let writableFolders = ["\\windows\\temp\\", "\\appdata\\local\\temp\\", "\\programdata\\", "\\users\\public\\", "\\perflogs\\",
                                  "\\inetpub\\", "\\temp\\", "\\tmp\\", "\\aspnet_client\\"]
    /// Vendor services that live under ProgramData by design.
    static let trustedUnderWritable = ["\\programdata\\microsoft\\windows defender\\platform\\"]

    func makeState() -> EventMatches { EventMatches() }

    func observe(_ observation: Observation, into matches: inout EventMatches) {
        guard case .event(let record, let source) = observation else { return }
        let name = record.value("ServiceName") ?? ""
        guard let image = record.value("ImagePath") ?? record.value("ServiceFileName"), !image.isEmpty else { return }
        guard let (verdict, reason) = Self.judge(name: name, image: image) else { return }
        var evidence = record.evidence(from: source, matched: ["ServiceName", record.value("ImagePath") != nil ? "ImagePath" : "ServiceFileName",
                                                               "AccountName", "ServiceAccount", "SubjectUserName"])
        evidence.details?["Reason"] = reason
        matches.add(verdict, evidence)
        matches.pivot("serviceName", name)
        matches.pivot("computer", record.computer)
    }

    /// The tier and why, or nil for an ordinary service.
    static func judge(name: String, image: String) -> (Verdict, String)? {
        let lowerName = name.lowercased()
        let lowerImage = image.lowercased()
        if lowerName == "btobto" || lowerImage.contains("__output 2^>^&1") || lowerImage.contains(".bat & del ") {
            return (.confirmed, "smbexec-style service")
        }
        let imageName = ImagePath.fileName(firstToken(image))
        if let tool = knownTools.first(where: { lowerName.hasPrefix($0) || imageName.hasPrefix($0) }) {
            return (.likely, "remote-execution service \(tool)")
        }
        if let marker = commandMarkers.first(where: { lowerImage.contains($0) }) {
            return (.likely, "image path is a command line (\(marker))")
        }
        if isDefenderDefinitionDriver(lowerImage) { return nil }
        if let folder = writableFolders.first(where: { lowerImage.contains($0) }), !trustedUnderWritable.contains(where: { lowerImage.contains($0) }) {
            return (.likely, "image in a user-writable or temporary folder (\(folder))")
        }
        if !lowerImage.contains("\\"), !lowerImage.contains("/"), lowerImage.hasSuffix(".exe") || lowerImage.contains(".exe ") {
            return (.likely, "image path without a folder")
        }
        if isRandomRootExecutable(lowerImage) {
            return (.likely, "random executable name directly under the Windows folder (Impacket/Metasploit style)")
        }
        return nil
    }

    /// Defender's definition updates install a kernel driver service `MpKsl<hex>` whose image is
    /// `\??\C:\ProgramData\Microsoft\Windows Defender\Definition Updates\{GUID}\MpKsl<hex>.sys`:
    /// ProgramData, but Defender's own (tamper-protected) folder and a name it always uses.
    static func isDefenderDefinitionDriver(_ lowerImage: String) -> Bool {
        let file = ImagePath.fileName(lowerImage)
        return lowerImage.contains("\\programdata\\microsoft\\windows defender\\definition updates\\") && file.hasPrefix("mpksl") && file.hasSuffix(".sys")
    }

    /// `%systemroot%\AbCdEfGh.exe` or `C:\Windows\xkqjwlrp.exe`: 4-16 letters, no vowel pattern of a word.
    static func isRandomRootExecutable(_ image: String) -> Bool {
        let trimmed = image.filter { $0 != "\"" }
        let prefixes = ["%systemroot%\\", "c:\\windows\\", "\\systemroot\\"]
        guard let prefix = prefixes.first(where: { trimmed.hasPrefix($0) }) else { return false }
        let rest = trimmed.dropFirst(prefix.count)
        guard rest.hasSuffix(".exe"), !rest.contains("\\") else { return false }
        let stem = rest.dropLast(4)
        guard [4, 8, 16].contains(stem.count), stem.allSatisfy({ $0.isLetter && $0.isASCII }) else { return false }
        let vowels = stem.filter { "aeiou".contains($0) }.count
        return Double(vowels) / Double(stem.count) < 0.2 || Double(vowels) / Double(stem.count) > 0.6
    }

    static func firstToken(_ image: String) -> String {
        if image.hasPrefix("\"") { return String(image.dropFirst().prefix { $0 != "\"" }) }
        return String(image.prefix { $0 != " " })
    }

    func finish(_ matches: inout EventMatches, in context: FinishContext) -> CheckOutput {
        CheckOutput(findings: matches.findings(checkId: id, title: title, severity: .high, attack: ["T1569.002", "T1021.002"], category: FindingCategory.lateralMovement,
                         explanation: "A service was installed with the traits of remote execution over SMB (PsExec, smbexec, Impacket). "
                             + "Find the source host (4624 type 3 just before, PSEXEC-<host>-*.key files) and what the service ran."))
    }
}
