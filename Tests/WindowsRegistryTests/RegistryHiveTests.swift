import ExTriageCore
import Testing
import TestSupport
import WindowsRegistry

/// libregf behind RegistryHive over hives written at test time: keys, values, times, broken cells.
@Suite struct RegistryHiveTests {
    typealias W = SampleFormatWriters

    static func spec(broken: [String] = []) -> [String: Any] {
        ["name": "SYSTEM", "time": "2021-03-03T09:40:00Z", "broken": broken,
         "root": W.key("ROOT", keys: [
            W.key("Select", values: [W.value("Current", "dword", 2)]),
            W.path("ControlSet001\\Services", keys: [W.key("Old", time: "2019-01-01T00:00:00Z")]),
            W.path("ControlSet002\\Services", keys: [
                W.key("PSEXESVC", time: "2021-03-03T08:12:44Z", values: [
                    W.value("ImagePath", "expand_sz", "%SystemRoot%\\PSEXESVC.exe"), W.value("Start", "dword", 3),
                    W.value("DependOnService", "multi_sz", ["LanmanServer", "Tcpip"]), W.value("Quota", "qword", 1 << 40),
                    W.value("Blob", "binary", "00ff10203040"),
                ]),
                W.key("Aaa"),
                W.key("W3SVC", values: [W.value("ImagePath", "expand_sz", "%windir%\\system32\\svchost.exe -k iissvcs")]),
            ]),
         ])]
    }

    @Test func readsKeysValuesAndLastWrittenTimes() throws {
        let hive = try RegistryHive(bytes: try W.hive(Self.spec()), name: "SYSTEM")
        #expect(hive.controlSets().map(\.name) == ["ControlSet002", "ControlSet001"], "Select\\Current names the set read first")
        let service = try #require(hive.key("controlset002\\SERVICES\\psexesvc"), "names compare case-insensitively")
        #expect(service.path == "ControlSet002\\Services\\PSEXESVC")
        #expect(service.lastWritten == Timestamp(iso8601: "2021-03-03T08:12:44Z"))
        #expect(service.value("ImagePath")?.string == "%SystemRoot%\\PSEXESVC.exe")
        #expect(service.value("Start")?.integer == 3)
        #expect(service.value("DependOnService")?.strings == ["LanmanServer", "Tcpip"])
        #expect(service.value("Quota")?.integer == 1 << 40)
        #expect(service.value("Blob")?.data == [0x00, 0xFF, 0x10, 0x20, 0x30, 0x40])
        #expect(service.values().map(\.name) == ["ImagePath", "Start", "DependOnService", "Quota", "Blob"])
        #expect(hive.key("ControlSet002\\Services")?.subkeys().map(\.name) == ["Aaa", "PSEXESVC", "W3SVC"])
        #expect(hive.key("ControlSet002\\Services\\Missing") == nil && hive.problems.isEmpty)
    }

    @Test func aBrokenKeyCellIsAProblemAndItsSiblingsStillRead() throws {
        let hive = try RegistryHive(bytes: try W.hive(Self.spec(broken: ["ControlSet002\\Services\\Aaa"])), name: "SYSTEM")
        let names = hive.key("ControlSet002\\Services")?.subkeys().map(\.name)
        #expect(names == ["PSEXESVC", "W3SVC"])
        #expect(hive.problems.count == 1)
        #expect(hive.problems.first?.hasPrefix("ControlSet002\\Services: subkey 0 unreadable") == true)
    }

    @Test func notAHiveOrACutHiveIsRecordedNotACrash() throws {
        #expect(throws: ExTriageError.self) { try RegistryHive(bytes: Array("not a hive".utf8), name: "junk") }
        let bytes = try W.hive(Self.spec())
        // The base block and a part of the first bin: libregf refuses it or reads what it can.
        let cut = Array(bytes.prefix(4096 + 700))
        if let hive = try? RegistryHive(bytes: cut, name: "cut") {
            _ = hive.key("ControlSet002\\Services")?.subkeys()
            #expect(!hive.problems.isEmpty || hive.root == nil || hive.isCorrupted)
        }
    }
}
