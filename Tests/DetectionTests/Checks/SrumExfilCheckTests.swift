@testable import Detection
import ExTriageCore
import Testing
import TestSupport

/// HOST-SRUM-EXFIL. Its judgement is tested on parsed SRUM rows (no ESE writer exists to make a
/// SRUDB.dat at test time); its reading path on members that are no database or a damaged one,
/// which must be recorded in the coverage row, never crash.
@Suite struct SrumExfilCheckTests {
    typealias Row = SrumNetworkUsage.Row
    static let mib: UInt64 = 1 << 20
    static let member = MemberInfo(member: "evidence/C/Windows/System32/sru/SRUDB.dat")!

    static func check() throws -> SrumExfilCheck { SrumExfilCheck(rules: try TestData.detection().srum) }

    static func row(_ app: String, _ time: String, sent: UInt64, received: UInt64 = 0) -> Row {
        Row(time: Timestamp(iso8601: time), application: app, user: "S-1-5-18", bytesSent: sent, bytesReceived: received)
    }

    /// The findings `finish` makes from rows, with an attack window from one confirmed log finding at `attack`.
    static func findings(_ rows: [Row], attack: String? = nil) throws -> [Finding] {
        let check = try check()
        var state = check.makeState()
        for row in rows {
            if check.rules.group(of: row.application)?.spikeFactor != nil {
                state.hourly[SrumNetworkUsage.programName(row.application), default: []].append(row.bytesSent)
            }
            if let group = check.rules.group(of: row.application), row.bytesSent >= group.sentAtLeast { state.rows.append((row, member)) }
        }
        state.databases = 1
        let logFindings = attack.map { time in
            [Finding(checkId: "C05", title: "t", severity: .critical, verdict: .confirmed, evidence: [Evidence(
                member: "m", originalPath: "p", timestamp: Timestamp(iso8601: time), excerpt: "x", sha256: "")], explanation: "e")]
        } ?? []
        return check.finish(&state, in: FinishContext(facts: BundleFacts(manifest: CheckHarness().manifest()), logFindings: logFindings)).findings
    }

    @Test func transferToolsAndArchiversSendingAreLikelyWithTheirHourAndBytes() throws {
        let findings = try Self.findings([
            Self.row("\\Device\\HarddiskVolume2\\ProgramData\\rclone.exe", "2021-03-03T08:00:00Z", sent: 812 * Self.mib),
            Self.row("\\Device\\HarddiskVolume2\\ProgramData\\rclone.exe", "2021-03-03T08:00:00Z", sent: 10 * Self.mib),
            Self.row("\\Device\\HarddiskVolume2\\Program Files\\7-Zip\\7z.exe", "2021-03-03T07:00:00Z", sent: 3 * Self.mib),
            Self.row("\\Device\\HarddiskVolume2\\Windows\\System32\\svchost.exe", "2021-03-03T07:00:00Z", sent: 9_000 * Self.mib),
        ])
        let likely = try #require(findings.first { $0.verdict == .likely })
        let rclone = try #require(likely.evidence.first { $0.details?["Tool"] == "cloud sync or transfer tool" })
        #expect(rclone.details?["BytesSent"] == String(822 * Self.mib), "rows of one program and hour are summed")
        #expect(rclone.timestamp == Timestamp(iso8601: "2021-03-03T08:00:00Z"))
        #expect(rclone.originalPath == "Windows/System32/sru/SRUDB.dat")
        #expect(likely.evidence.contains { $0.details?["Application"]?.hasSuffix("7z.exe") == true })
        #expect(!findings.flatMap(\.evidence).contains { $0.details?["Application"]?.hasSuffix("svchost.exe") == true })
        #expect(likely.pivots["executable"] == ["7z.exe", "rclone.exe"])
    }

    @Test func powershellRisesInTheAttackWindowAndSmallTrafficStaysQuiet() throws {
        let rows = [Self.row("\\Device\\HarddiskVolume2\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "2021-03-03T08:00:00Z",
                             sent: 120 * Self.mib),
                    Self.row("\\Device\\HarddiskVolume2\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "2021-03-01T08:00:00Z",
                             sent: 2 * Self.mib),
                    Self.row("!!rclone.exe!2021/01/01:12:00:00!0!", "2021-03-03T08:00:00Z", sent: 100_000)]
        #expect(try Self.findings(rows).map(\.verdict) == [.attempt])
        let near = try Self.findings(rows, attack: "2021-03-03T07:20:00Z")
        #expect(near.map(\.verdict) == [.likely])
        #expect(near.first?.evidence.count == 1, "2 MiB from PowerShell and 100 kB from rclone stay below their thresholds")
    }

    @Test func w3wpCountsOnlyFarAboveItsOwnUsualHourInsideTheAttackWindow() throws {
        let w3wp = "\\Device\\HarddiskVolume2\\Windows\\System32\\inetsrv\\w3wp.exe"
        var rows = (0..<48).map { hour in
            Self.row(w3wp, Timestamp(seconds: Timestamp(iso8601: "2021-03-01T00:00:00Z")!.seconds + Int64(hour) * 3600).description,
                     sent: 300 * Self.mib)
        }
        #expect(try Self.findings(rows, attack: "2021-03-01T10:00:00Z").isEmpty, "an Exchange server's ordinary OWA traffic stays quiet")
        rows.append(Self.row(w3wp, "2021-03-03T07:00:00Z", sent: 6_000 * Self.mib))
        #expect(try Self.findings(rows).map(\.verdict) == [.informational], "a spike outside any attack window is context")
        let near = try Self.findings(rows, attack: "2021-03-03T07:20:00Z")
        let evidence = try #require(near.first { $0.verdict == .likely }?.evidence.first)
        #expect(evidence.details?["MedianHourSent"] == String(300 * Self.mib))
        #expect(evidence.details?["BytesSent"] == String(6_000 * Self.mib))
    }

    @Test func aMemberThatIsNoDatabaseOrADamagedOneIsRecorded() throws {
        let result = CheckHarness(binaryMembers: [
            ("Windows/System32/sru/SRUDB.dat", Array("not a database".utf8) + [UInt8](repeating: 0, count: 1000)),
        ]).result([try Self.check()])
        let row = try #require(result.coverage.first { $0.checkId == "HOST-SRUM-EXFIL" })
        #expect(row.malformed == 1)
        #expect(row.reason?.contains("Windows/System32/sru/SRUDB.dat: not an ESE database") == true)
        #expect(result.findings.filter { $0.checkId == "HOST-SRUM-EXFIL" }.isEmpty)
        let none = CheckHarness().result([try Self.check()])
        #expect(none.coverage.first { $0.checkId == "HOST-SRUM-EXFIL" }?.status == .notApplicable)
    }

    @Test func srumValuesDecode() {
        #expect(SrumNetworkUsage.programName("\\Device\\HarddiskVolume2\\Windows\\System32\\inetsrv\\w3wp.exe") == "w3wp.exe")
        #expect(SrumNetworkUsage.programName("!!Rclone.exe!2021/01/01:12:00:00!0!") == "rclone.exe")
        #expect(SrumNetworkUsage.sid([1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0]) == "S-1-5-18")
        // 2021-03-03T08:00:00Z as an OLE automation date: 44258 + 8/24 days since 1899-12-30.
        let ole = (44258.0 + 8.0 / 24.0).bitPattern
        #expect(SrumNetworkUsage.oleDate((0..<8).map { UInt8(truncatingIfNeeded: ole >> (8 * UInt64($0))) })
                == Timestamp(iso8601: "2021-03-03T08:00:00Z"))
        #expect(SrumNetworkUsage.integer([0x00, 0x10, 0, 0, 0, 0, 0, 0]) == 4096)
        #expect(SrumNetworkUsage.utf16(Array("a.exe".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }) + [0, 0]) == "a.exe")
    }
}
