#if canImport(Glibc)
import Glibc
#endif
import ExTriageCore
import Foundation

/// Verification step 5: `<bundle>.sha256`, the hash written beside the bundle at collection.
struct SidecarCheck {
    /// `matches`, `mismatch`, `absent`, or `not checked` (the bundle file could not be read whole).
    var status: String
    var problem: VerificationReport.Problem?

    /// Compares the sidecar's first 64 characters with the bundle's computed SHA-256; without
    /// one (a read error) there is nothing to compare, and no mismatch is claimed.
    static func check(bundle path: String, computed: String?) -> SidecarCheck {
        let sidecar = path + ".sha256"
        var info = stat()
        guard lstat(sidecar, &info) == 0 else { return SidecarCheck(status: "absent") }
        guard let computed else { return SidecarCheck(status: "not checked") }
        let data = readSmallRegularFile(sidecar, limit: 4096) ?? []
        let recorded = String(decoding: data.prefix(64), as: UTF8.self).lowercased()
        guard recorded != computed else { return SidecarCheck(status: "matches") }
        return SidecarCheck(status: "mismatch",
                            problem: .sidecarMismatch(sidecarName: "\((path as NSString).lastPathComponent).sha256",
                                                      recorded: recorded, computed: computed))
    }
}
