import Foundation

/// Registry hives, prefetch files and USN journals made at test time by the repository's Python
/// writers (`Samples/tools/regf_writer.py`, `prefetch_writer.py`, `usn_writer.py`), from a JSON-shaped spec.
public enum SampleFormatWriters {
    /// A regf hive from `spec` (see regf_writer.py: name, time, root key tree, broken keys).
    public static func hive(_ spec: [String: Any]) throws -> [UInt8] {
        try write(tool: "regf_writer.py", spec: spec)
    }

    /// A prefetch file from `spec` (see prefetch_writer.py: version, executable, hash, run count, runs, files).
    public static func prefetch(_ spec: [String: Any]) throws -> [UInt8] {
        try write(tool: "prefetch_writer.py", spec: spec)
    }

    /// A USN journal (`$J` bytes) from `spec` (see usn_writer.py: version, leading zeros, records, truncate).
    public static func usnJournal(_ spec: [String: Any]) throws -> [UInt8] {
        try write(tool: "usn_writer.py", spec: spec)
    }

    /// A record for a USN journal spec: `reason` and `attributes` as USN_REASON_* / FILE_ATTRIBUTE_* masks.
    public static func usnRecord(_ name: String, file: (UInt64, Int), parent: (UInt64, Int), time: String, reason: UInt32,
                                 attributes: UInt32 = 0x20, version: Int? = nil) -> [String: Any] {
        var record: [String: Any] = ["name": name, "file": [file.0, file.1], "parent": [parent.0, parent.1], "time": time,
                                     "reason": reason, "attributes": attributes]
        if let version { record["version"] = version }
        return record
    }

    /// A key for a hive spec.
    public static func key(_ name: String, time: String = "2020-11-02T10:00:00Z", values: [[String: Any]] = [],
                           keys: [[String: Any]] = []) -> [String: Any] {
        ["name": name, "time": time, "values": values, "keys": keys]
    }

    /// A value for a hive spec (`type`: sz, expand_sz, multi_sz, dword, qword, binary, none).
    public static func value(_ name: String, _ type: String, _ data: Any? = nil, typeCode: Int? = nil) -> [String: Any] {
        var value: [String: Any] = ["name": name, "type": type]
        if let data { value["data"] = data }
        if let typeCode { value["type_code"] = typeCode }
        return value
    }

    /// A key at a `\`-separated path below `root`, made of nested keys, the last holding `values` and `keys`.
    public static func path(_ path: String, time: String = "2020-11-02T10:00:00Z", values: [[String: Any]] = [],
                            keys: [[String: Any]] = []) -> [String: Any] {
        let parts = path.split(separator: "\\").map(String.init)
        var node = key(parts.last ?? path, time: time, values: values, keys: keys)
        for part in parts.dropLast().reversed() { node = key(part, keys: [node]) }
        return node
    }

    private static func write(tool: String, spec: [String: Any]) throws -> [UInt8] {
        let temp = try TemporaryDirectory()
        let specPath = temp.path + "/spec.json"
        try JSONSerialization.data(withJSONObject: spec, options: [.sortedKeys]).write(to: URL(fileURLWithPath: specPath))
        let out = temp.path + "/out.bin"
        try ExternalTool.run("python3", [Repository.root + "/Samples/tools/" + tool, specPath, out])
        return Array(try Data(contentsOf: URL(fileURLWithPath: out)))
    }
}
