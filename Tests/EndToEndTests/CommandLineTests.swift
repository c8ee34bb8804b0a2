import EvidenceBundle
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// Runs the real `extriage` executable, built beside the test bundle.
struct Run {
    var status: Int32
    var stdout: String
    var stderr: String

    static var executable: String {
        let tests = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return ((tests as NSString).deletingLastPathComponent as NSString).appendingPathComponent("extriage")
    }

    /// Copies the executable and the profiles into `<temp>/prefix` as `make install` lays them out.
    static func installCopy(into temp: TemporaryDirectory) throws -> String {
        let bin = try temp.makeDirectory("prefix/bin")
        _ = try temp.makeDirectory("prefix/share/extriage")
        try FileManager.default.copyItem(atPath: executable, toPath: bin + "/extriage")
        try FileManager.default.copyItem(atPath: Repository.profiles, toPath: temp.path + "/prefix/share/extriage/Profiles")
        for path in [temp.path + "/prefix", temp.path + "/prefix/bin", temp.path + "/prefix/share", temp.path + "/prefix/share/extriage"] { chmod(path, 0o755) }
        chmod(bin + "/extriage", 0o755)
        return bin + "/extriage"
    }

    static func extriage(_ arguments: [String], in directory: String? = nil, prefix: [String] = [], executable: String = Run.executable) throws -> Run {
        let process = Process()
        let launcher = prefix.first ?? executable
        process.executableURL = URL(fileURLWithPath: launcher)
        process.arguments = Array(prefix.dropFirst()) + (prefix.isEmpty ? [] : [executable]) + arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData, as: UTF8.self))
    }
}

@Suite(.serialized) struct CommandLineTests {
    /// The README's command table lists every option of every command, and every help text its exit codes.
    @Test(arguments: ["collect", "verify", "analyze", "case add", "case report", "case export", "unpack", "keygen", "custody add", "custody show", "profiles list",
                      "profiles show", "profiles validate", "rules list"])
    func readmeTableAndHelpAreComplete(_ command: String) throws {
        let help = try Run.extriage(command.split(separator: " ").map(String.init) + ["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("Exit codes:"), "`\(command) --help` must list its exit codes")
        let readme = try String(contentsOfFile: Repository.root + "/README.md", encoding: .utf8)
        let row = try #require(readme.split(separator: "\n").first { $0.hasPrefix("| `extriage \(command) ") || $0.hasPrefix("| `extriage \(command)`") },
                               "no README row for \(command)")
        // Options are the OPTIONS lines that start with `--name` (or `-x, --name`); prose mentions are not options.
        let options = help.stdout.split(separator: "\n").compactMap { line -> String? in
            let words = line.split(separator: " ")
            guard let first = words.first, first.hasPrefix("-") else { return nil }
            let option = String(first.hasPrefix("--") ? first : (words.dropFirst().first ?? "")).trimmingCharacters(in: CharacterSet(charactersIn: ","))
            let isName = option.hasPrefix("--") && option.dropFirst(2).allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
            return isName && !["--help", "--version"].contains(option) ? option : nil
        }
        #expect(!options.isEmpty || ["custody show", "profiles validate"].contains(command))
        for option in Set(options) {
            #expect(row.contains(option), "README row for `\(command)` does not list \(option)")
        }
    }

    @Test func helpListsCommandsAndVersionPrints() throws {
        let help = try Run.extriage(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("collect") && help.stdout.contains("Collect Exchange artifacts"))
        #expect(help.stdout.contains("profiles") && help.stdout.contains("List, show and validate"))
        let version = try Run.extriage(["--version"])
        #expect(version.status == 0 && version.stdout.trimmingWhitespace() == ToolInfo.version)
    }

    @Test func collectsTheCompromisedSampleIntoAVerifiableBundle() throws {
        let temp = try TemporaryDirectory()
        let source = try Repository.copySample("exchange2016-compromised", into: temp)
        let bundle = temp.path + "/ex16.tar"
        let run = try Run.extriage(["collect", "--source", source, "--output", bundle, "--case", "IR-2021-007",
                                    "--examiner", "J. Responder", "--evidence-id", "EXCH01-C", "--notes", "sample"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.trimmingWhitespace() == bundle)
        #expect(run.stderr.contains("Result:     complete"))

        let contents = try BundleContents.read(bundle)
        let manifest = try #require(contents.manifest)
        let evidence = Array(contents.members.dropLast())
        #expect(contents.members.last?.path == "manifest.json")
        #expect(evidence.count == manifest.entries.count && manifest.seal.memberCount == evidence.count)
        for (member, entry) in zip(evidence, manifest.entries) {
            #expect(member.path == entry.path)
            #expect(member.kind == .file)
            #expect(member.digests == entry.memberDigests, "\(entry.path)")
        }
        let paths = Set(manifest.entries.map(\.sourcePath))
        for planted in ["inetpub/wwwroot/aspnet_client/system_web/qGtWmKzP.aspx",
                        "inetpub/wwwroot/aspnet_client/discover.aspx",
                        "Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/RedirSuiteServerProxy.aspx",
                        "Program Files/Microsoft/Exchange Server/V15/Logging/ECP/Server/ECPServer20210303-1.LOG",
                        "Program Files/Microsoft/Exchange Server/V15/Logging/OABGeneratorLog/OABGenerator_20210303-1.LOG",
                        "inetpub/logs/LogFiles/W3SVC1/u_ex210303.log",
                        "Windows/Temp/debug01.tmp", "root/lsass.dmp", "ProgramData/it.7z", "Windows/PSEXESVC.exe"] {
            #expect(paths.contains(planted), "not collected: \(planted)")
        }
        #expect(manifest.entries.filter { $0.sourcePath.contains("/HttpProxy/") && $0.sourcePath.hasSuffix("LOG") || $0.sourcePath.hasSuffix(".log") && $0.sourcePath.contains("HttpProxy_") }.count == 40)
        #expect(manifest.entries.first { $0.sourcePath == "Windows/Temp/debug01.tmp" }?.flags == ["minidump"])
        #expect(manifest.case == .init(caseId: "IR-2021-007", evidenceId: "EXCH01-C", examiner: "J. Responder", notes: "sample"))
        #expect(manifest.exchangeInstallPath?.path == "Program Files/Microsoft/Exchange Server/V15")

        // Outcomes cover every pattern of the profile, in profile order.
        let profile = try Run.extriage(["profiles", "show", "exchange-triage"])
        let patterns = profile.stdout.split(separator: "\n").filter { $0.hasPrefix("  - ") }.map { String($0.dropFirst(4)) }
        #expect(manifest.outcomes.filter { $0.path == nil }.map(\.pattern) == patterns)

        // The sidecar is sha256sum-compatible.
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        check.arguments = ["--check", "--status", "ex16.tar.sha256"]
        check.currentDirectoryURL = URL(fileURLWithPath: temp.path)
        try check.run()
        check.waitUntilExit()
        #expect(check.terminationStatus == 0)

        // A second collection gives identical members and entries.
        let again = try Run.extriage(["collect", "--source", source, "--output", temp.path + "/again.tar", "--case", "IR-2021-007",
                                      "--examiner", "J. Responder", "--evidence-id", "EXCH01-C", "--notes", "sample", "--quiet"])
        #expect(again.status == 0)
        let second = try BundleContents.read(temp.path + "/again.tar")
        #expect(Array(second.members.dropLast()) == evidence)
        #expect(second.manifest?.entries == manifest.entries)
        #expect(second.manifest?.outcomes == manifest.outcomes)
    }

    @Test func theCleanSampleIsFoundAtANonDefaultPath() throws {
        let temp = try TemporaryDirectory()
        let source = try Repository.copySample("exchange2019-clean", into: temp)
        let run = try Run.extriage(["collect", "--source", source, "--output", temp.path + "/ex19.tar", "--case", "C", "--examiner", "E", "--quiet"])
        #expect(run.status == 0)
        let manifest = try #require(try BundleContents.read(temp.path + "/ex19.tar").manifest)
        #expect(manifest.exchangeInstallPath == .init(volume: "C", path: "Exchange/V15", discoveredBy: "logging-search"))
        #expect(manifest.entries.contains { $0.sourcePath.hasPrefix("Exchange/V15/Logging/HttpProxy/") })
    }

    /// A tree with no Exchange install is collected, ends with a warning, and analyzes as not assessable.
    @Test func aTreeWithoutExchangeEndsWithAWarning() throws {
        let temp = try TemporaryDirectory()
        let source = temp.path + "/src"
        try FileManager.default.createDirectory(atPath: source + "/inetpub/logs/LogFiles/W3SVC1", withIntermediateDirectories: true)
        try "#Software: Microsoft Internet Information Services 10.0\n".write(toFile: source + "/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log",
                                                                              atomically: true, encoding: .utf8)
        let bundle = temp.path + "/noex.tar"
        let run = try Run.extriage(["collect", "--source", source, "--output", bundle, "--case", "C", "--examiner", "E"])
        #expect(run.status == 0, "\(run.stderr)")
        let lastLine = run.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(lastLine.hasPrefix("warning: the Exchange install path was not found"), "\(run.stderr)")
        let quiet = try Run.extriage(["collect", "--source", source, "--output", bundle, "--case", "C", "--examiner", "E", "--quiet", "--force"])
        #expect(quiet.stderr.contains("warning: the Exchange install path was not found"), "a warning is printed even with --quiet")
        let analysis = try Run.extriage(["analyze", bundle, "--format", "json"])
        let report = try JSONSerialization.jsonObject(with: Data(analysis.stdout.utf8)) as? [String: Any]
        let states = try #require(report?["cveStates"] as? [String: String])
        #expect(!states.isEmpty && states.values.allSatisfy { $0 == "not-assessable" }, "\(states)")
        #expect(report?["verdict"] as? String != "no-evidence-found" || (report?["verdictNote"] as? String ?? "").contains("not assessable"))
    }

    @Test func fatalErrorsExitOneWithAClearMessage() throws {
        let temp = try TemporaryDirectory()
        try temp.write("vol/inetpub/a.htm", "a")
        let base = ["collect", "--source", temp.path + "/vol", "--case", "C", "--examiner", "E", "--quiet"]

        let missingCase = try Run.extriage(["collect", "--source", temp.path, "--output", temp.path + "/x.tar", "--examiner", "E"])
        #expect(missingCase.status == 1 && missingCase.stderr.contains("--case"))

        let noDirectory = try Run.extriage(base + ["--output", temp.path + "/nope/x.tar"])
        #expect(noDirectory.status == 1 && noDirectory.stderr.contains("output directory does not exist"))

        let noSource = try Run.extriage(["collect", "--source", temp.path + "/missing", "--output", temp.path + "/y.tar", "--case", "C", "--examiner", "E"])
        #expect(noSource.status == 1 && noSource.stderr.contains("source does not exist"))

        let hostile = try Run.extriage(base + ["--output", temp.path + "/z.tar", "--notes", String(repeating: "n", count: 5000)])
        #expect(hostile.status == 1 && hostile.stderr.contains("at most 4096"))

        try temp.write("existing.tar", "keep me")
        let exists = try Run.extriage(base + ["--output", temp.path + "/existing.tar"])
        #expect(exists.status == 1 && exists.stderr.contains("--force"))
        #expect(try String(contentsOfFile: temp.path + "/existing.tar", encoding: .utf8) == "keep me")
        let forced = try Run.extriage(base + ["--output", temp.path + "/existing.tar", "--force"])
        #expect(forced.status == 0)
    }

    @Test func anUnreadableFileGivesExitTwoAndARecordedFailure() throws {
        let temp = try TemporaryDirectory()
        chmod(temp.path, 0o755)
        try temp.write("vol/Windows/Temp/locked.tmp", "secret")
        try temp.write("vol/Windows/Temp/open.tmp", "fine")
        chmod(temp.path + "/vol/Windows/Temp/locked.tmp", 0o000)
        let out = try temp.makeDirectory("out")
        chmod(out, 0o777)
        // Root reads anything: drop to an unprivileged user that respects the permission bits. That
        // user may not reach the build folder, so it runs an installed-layout copy in the temp dir.
        let prefix = geteuid() == 0 ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []
        let installed = try Run.installCopy(into: temp)
        let run = try Run.extriage(["collect", "--source", temp.path + "/vol", "--output", out + "/b.tar",
                                    "--case", "C", "--examiner", "E"], prefix: prefix, executable: installed)
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.contains("INCOMPLETE"))
        #expect(run.stderr.contains("locked.tmp"))
        let manifest = try #require(try BundleContents.read(out + "/b.tar").manifest)
        #expect(manifest.entries.map(\.sourcePath) == ["Windows/Temp/open.tmp"])
        let failure = try #require(manifest.outcomes.first { $0.path == "C:/Windows/Temp/locked.tmp" })
        #expect(failure.status == .failed && failure.reason?.contains("Permission denied") == true)
    }

    @Test func profilesAreFoundFromAnyDirectoryAndValidated() throws {
        let temp = try TemporaryDirectory()
        let list = try Run.extriage(["profiles", "list"], in: temp.path)
        #expect(list.status == 0 && list.stdout.contains("exchange-triage"))
        let valid = try Run.extriage(["profiles", "validate"], in: temp.path)
        #expect(valid.status == 0 && valid.stdout.contains("valid:"))

        try temp.write("custom/artifacts/my/own/thing.yaml", "version: 1\nname: my.own.thing\ndescription: d\npaths: [x]\nsizeCap: 1 MiB\nmodes: content\n")
        let invalid = try Run.extriage(["profiles", "validate", temp.path + "/custom"])
        #expect(invalid.status == 1)
        #expect(invalid.stderr.contains("thing.yaml:6: key 'modes'"))
    }
}

@Suite struct InstalledLayoutTests {
    /// After `make install`, the binary finds `<prefix>/share/extriage/Profiles`, from any directory.
    @Test func anInstalledBinaryUsesTheInstalledProfiles() throws {
        let temp = try TemporaryDirectory()
        let bin = (try Run.installCopy(into: temp) as NSString).deletingLastPathComponent
        try temp.write("prefix/share/extriage/Profiles/profiles/installed-marker.yaml",
                       "version: 1\nname: installed-marker\ndescription: only in the installed copy\nartifacts: [iis.logs.w3c]\n")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: bin + "/extriage")
        process.arguments = ["profiles", "list"]
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = Pipe()
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(output.contains("installed-marker"))
    }
}
