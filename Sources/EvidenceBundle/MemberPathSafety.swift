/// Whether a member path is one extriage could have written: relative, under `evidence/`, with
/// no traversal, backslash, drive letter or control character (ADVERSARIAL-CASES A1, A2, A12).
///
/// `verify`, `analyze` and `unpack` all refuse a bundle whose manifest or tar names an unsafe
/// path, so no consumer of a verified bundle ever meets one. Colons are allowed after the first
/// component: `file:stream` names an NTFS alternate data stream.
enum MemberPathSafety {
    /// Why `path` is unsafe, or nil when it is not.
    static func unsafeReason(_ path: String) -> String? {
        guard !path.isEmpty else { return "an empty path" }
        if path.hasPrefix("/") || path.hasPrefix("\\") { return "an absolute path" }
        let scalars = Array(path.unicodeScalars.prefix(2))
        if scalars.count == 2, scalars[1] == ":", scalars[0].isASCII, scalars[0].properties.isAlphabetic {
            return "a drive letter"
        }
        if let control = path.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "a control character U+" + String(control.value, radix: 16, uppercase: true)
        }
        if path.contains("\\") { return "a backslash" }
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        if components.contains("..") { return "a '..' component" }
        if components.contains(where: { $0.isEmpty || $0 == "." }) { return "an empty or '.' component" }
        if components.first != "evidence" || components.count < 3 { return "not under evidence/<volume>/" }
        return nil
    }
}
