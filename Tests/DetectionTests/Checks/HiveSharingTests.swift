@testable import Detection
import ExTriageCore
import Testing
import TestSupport
import WindowsRegistry

/// A hive is opened once per bundle member and shared by every registry check reading it: the
/// runner hands the checks of one member one `MemberShared` store, `HiveReading.open` keeps the
/// opened hive there, and each check still records only the problems it met itself.
@Suite struct HiveSharingTests {
    /// Records the identity of the shared store it was handed, as its coverage reason.
    struct SharedProbe: Check {
        let id: CheckID
        let title = "probe"
        let input = CheckInput.memberContent(HiveKind.selector([.system, .software]))
        func makeState() -> [String] { [] }
        func observe(_ observation: Observation, into state: inout [String]) {
            guard case .content(let content) = observation else { return }
            state.append("\(ObjectIdentifier(content.shared).hashValue)")
        }
        func finish(_ state: inout [String], in context: FinishContext) -> CheckOutput {
            CheckOutput(findings: [], coverage: CoverageNote(reason: state.joined(separator: ",")))
        }
    }

    static func system(broken: [String] = []) throws -> [UInt8] {
        try RegistryCheckTests.system(services: RegistryCheckTests.ordinaryServices + [RegistryCheckTests.service("PSEXESVC", "%SystemRoot%\\PSEXESVC.exe")],
                                      wdigest: [SampleFormatWriters.value("UseLogonCredential", "dword", 1)], broken: broken)
    }

    @Test func theChecksOfOneMemberShareOneStoreAndEachMemberHasItsOwn() throws {
        let bytes = try Self.system()
        let result = CheckHarness(binaryMembers: [(RegistryCheckTests.systemPath, bytes), (RegistryCheckTests.softwarePath, bytes)])
            .result([SharedProbe(id: "PROBE-A"), SharedProbe(id: "PROBE-B")])
        let a = try #require(result.coverage.first { $0.checkId == "PROBE-A" }?.reason)
        let b = try #require(result.coverage.first { $0.checkId == "PROBE-B" }?.reason)
        #expect(a.split(separator: ",").count == 2 && a == b, "both checks saw the same store for each member")
    }

    @Test func theHiveIsOpenedOnceAndHandedToTheNextReader() throws {
        let bytes = try Self.system()
        let content = MemberContent(member: MemberInfo(member: "evidence/C/" + RegistryCheckTests.systemPath)!, head: bytes, size: bytes.count)
        let first = try HiveReading.open(content).get()
        let second = try HiveReading.open(content).get()
        #expect(first === second)
        let other = MemberContent(member: content.member, head: bytes, size: bytes.count)
        #expect(try HiveReading.open(other).get() !== first, "another member (another store) opens its own")
    }

    @Test func anUnreadableHiveIsTriedOnceAndEveryCheckRecordsIt() throws {
        let content = MemberContent(member: MemberInfo(member: "evidence/C/" + RegistryCheckTests.systemPath)!, head: Array("regf".utf8) + [UInt8](repeating: 0, count: 600), size: 604)
        guard case .failure(let error) = HiveReading.open(content) else { Issue.record("a broken hive opened"); return }
        var first = HiveReading()
        var second = HiveReading()
        first.read(content) { _, _ in Issue.record("read over a hive that did not open") }
        second.read(content) { _, _ in Issue.record("read over a hive that did not open") }
        #expect(first.problems.count == 1 && second.problems == first.problems)
        #expect(first.problems.first?.contains(error.message) == true)
    }

    @Test func theSixSystemHiveChecksStillFindTheirOwnThingsFromOneOpening() throws {
        let rules = try TestData.detection().registry
        let execution = try TestData.detection().execution
        let result = CheckHarness(binaryMembers: [(RegistryCheckTests.systemPath, try Self.system())]).result([
            RegistryServiceCheck(rules: rules), RegistryWDigestCheck(), RegistryLsaProtectionCheck(), RegistryLsaPackagesCheck(rules: rules),
            ShimCacheToolCheck(rules: execution),
        ])
        #expect(result.findings.contains { $0.checkId == "HOST-REG-SERVICES" && $0.verdict == .likely })
        #expect(result.findings.contains { $0.checkId == "HOST-REG-WDIGEST" && $0.verdict == .likely })
        for id in ["HOST-REG-SERVICES", "HOST-REG-WDIGEST", "HOST-REG-RUNASPPL", "HOST-REG-LSA-PACKAGES"] {
            #expect(result.coverage.first { $0.checkId == CheckID(id) }?.malformed == 0, "\(id) read the shared hive cleanly")
        }
    }

    @Test func aBrokenKeyIsRecordedByTheCheckThatMeetsIt() throws {
        let rules = try TestData.detection().registry
        let bytes = try Self.system(broken: ["ControlSet001\\Services\\PSEXESVC"])
        let result = CheckHarness(binaryMembers: [(RegistryCheckTests.systemPath, bytes)]).result([
            RegistryServiceCheck(rules: rules), RegistryWDigestCheck(),
        ])
        #expect((result.coverage.first { $0.checkId == "HOST-REG-SERVICES" }?.malformed ?? 0) > 0)
        #expect(result.coverage.first { $0.checkId == "HOST-REG-WDIGEST" }?.malformed == 0, "WDigest's key is whole; the broken service is not its problem")
    }
}
