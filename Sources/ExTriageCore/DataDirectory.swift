#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Finds the built-in `Profiles` directory (collection profiles and detection rules) wherever
/// the tool runs from.
public enum DataDirectory {
    /// In order: `$EXTRIAGE_PROFILES`; `<prefix>/share/extriage/Profiles` beside an installed
    /// binary; a `Profiles` folder next to a `Package.swift` above the executable (`swift run`,
    /// `.build`); the source checkout this binary was compiled from.
    public static func locateProfiles(executable: String? = nil) -> String? {
        var candidates: [String] = []
        if let fromEnvironment = ProcessInfo.processInfo.environment["EXTRIAGE_PROFILES"], !fromEnvironment.isEmpty {
            candidates.append(fromEnvironment)
        }
        if let binary = executable ?? executablePath() {
            var directory = (binary as NSString).deletingLastPathComponent
            candidates.append(directory + "/../share/extriage/Profiles")
            for _ in 0..<6 {
                if FileManager.default.fileExists(atPath: directory + "/Package.swift") {
                    candidates.append(directory + "/Profiles")
                }
                directory = (directory as NSString).deletingLastPathComponent
            }
        }
        let sourceRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        candidates.append(sourceRoot + "/Profiles")
        for candidate in candidates {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate + "/profiles", isDirectory: &isDirectory), isDirectory.boolValue {
                return (candidate as NSString).standardizingPath
            }
        }
        return nil
    }

    static func executablePath() -> String? {
        if let resolved = realpath("/proc/self/exe", nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        return CommandLine.arguments.first.flatMap { argument in
            realpath(argument, nil).map { pointer in
                defer { free(pointer) }
                return String(cString: pointer)
            }
        }
    }
}
