import Foundation

/// A fresh directory under the system temporary folder, removed when released.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init() throws {
        var template = Array((NSTemporaryDirectory() + "/extriage-test-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        path = String(cString: made)
    }

    deinit {
        // Make everything removable again (tests chmod things), then remove.
        chmod(path, 0o755)
        for relative in FileManager.default.subpaths(atPath: path) ?? [] {
            var info = stat()
            let full = path + "/" + relative
            if lstat(full, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { chmod(full, 0o755) }
        }
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes a file (creating folders) and returns its full path.
    @discardableResult
    public func write(_ relative: String, _ text: String) throws -> String {
        try write(relative, Array(text.utf8))
    }

    @discardableResult
    public func write(_ relative: String, _ bytes: [UInt8]) throws -> String {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: full, contents: Data(bytes)) else { throw CocoaError(.fileWriteUnknown) }
        return full
    }

    public func makeDirectory(_ relative: String) throws -> String {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        return full
    }
}

/// Paths inside this repository, found from this file's location.
public enum Repository {
    public static let root: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    public static var profiles: String { root + "/Profiles" }

    /// Copies a sample volume tree to a temporary directory (fixtures are never used in place).
    public static func copySample(_ name: String, into directory: TemporaryDirectory) throws -> String {
        let target = directory.path + "/" + name
        try FileManager.default.copyItem(atPath: root + "/Samples/images/" + name, toPath: target)
        return target
    }
}
