#if canImport(Glibc)
import Glibc
#endif
import ExTriageCore
import Foundation
import Testing
import TestSupport

/// Issue #14 item 15: `analyze` writes nothing under TMPDIR (event logs are streamed, never
/// spooled), whether it finishes, is stopped with SIGTERM, or is killed with SIGKILL midway.
@Suite(.serialized) struct TemporaryFileTests {
    /// A bundle holding `copies` event logs of `events` records each: slow enough to kill midway.
    static func bundle(events: Int, copies: Int) throws -> (temp: TemporaryDirectory, path: String) {
        let temp = try TemporaryDirectory()
        let start = Timestamp(iso8601: "2021-03-03T06:00:00Z") ?? Timestamp(seconds: 0)
        let log = EvtxWriter.write((0..<events).map { index in
            EvtxEvent(eventID: 4688, provider: "Microsoft-Windows-Security-Auditing", channel: "Security",
                      time: Timestamp(seconds: start.seconds + Int64(index)), level: 0,
                      data: [("NewProcessName", "C:\\Windows\\System32\\cmd.exe"), ("CommandLine", "cmd.exe /c echo \(index)"),
                             ("ParentProcessName", "C:\\Windows\\explorer.exe")])
        }, shareTemplates: true)
        for copy in 0..<copies { try temp.write("tree/\(SampleEventLogs.logsFolder)/Security-\(copy).evtx", log) }
        let path = temp.path + "/b.tar"
        let collect = try Run.extriage(["collect", "--source", temp.path + "/tree", "--output", path, "--case", "TMP",
                                        "--examiner", "Tester", "--quiet"])
        #expect(collect.status == 0, "\(collect.stderr)")
        return (temp, path)
    }

    /// Starts `analyze` with TMPDIR (and TMP, TEMP) set to `tmp`, output discarded. Spawned
    /// directly so that the child gets a clear signal mask: the test runner blocks SIGTERM, and a
    /// child started by `Process` would inherit that.
    static func startAnalyze(_ bundle: String, tmp: String) throws -> pid_t {
        var environment = ProcessInfo.processInfo.environment
        for name in ["TMPDIR", "TMP", "TEMP"] { environment[name] = tmp }
        let arguments = [Run.executable, "analyze", bundle, "--format", "json"]
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGINT)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var pid = pid_t()
        let result = posix_spawn(&pid, Run.executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EIO) }
        return pid
    }

    /// Waits for `pid`: its exit status, or the signal that ended it.
    static func wait(_ pid: pid_t) -> (exit: Int32?, signal: Int32?) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? ((status >> 8) & 0xff, nil) : (nil, signal)
    }

    static func contents(_ directory: String) -> [String] {
        FileManager.default.subpaths(atPath: directory) ?? ["(unreadable)"]
    }

    @Test func aFinishedAnalyzeLeavesTMPDIREmpty() throws {
        let (temp, path) = try Self.bundle(events: 200, copies: 2)
        let tmp = try temp.makeDirectory("tmpdir")
        let ended = Self.wait(try Self.startAnalyze(path, tmp: tmp))
        #expect(ended.exit == 0)
        #expect(Self.contents(tmp).isEmpty)
    }

    /// One slow bundle for both signals (several seconds of analysis in a debug build).
    static let slow = Result(catching: { try bundle(events: 3000, copies: 8) })

    @Test(arguments: [SIGTERM, SIGKILL])
    func aKilledAnalyzeLeavesTMPDIREmpty(_ signal: Int32) throws {
        let (temp, path) = try Self.slow.get()
        let tmp = try temp.makeDirectory("tmpdir-\(signal)")
        let started = Date()
        let pid = try Self.startAnalyze(path, tmp: tmp)
        usleep(500_000)
        kill(pid, signal)
        let ended = Self.wait(pid)
        let seconds = Date().timeIntervalSince(started)
        #expect(ended.signal == signal,
                "analyze finished (status \(ended.exit ?? -1)) after \(seconds) s, before the signal: make the bundle larger")
        #expect(Self.contents(tmp).isEmpty, "left in TMPDIR: \(Self.contents(tmp))")
    }
}

