/// Which bundle members are web files worth a content scan, from their names alone (the
/// manifest, with the install path, comes last): script and web files under web roots, every
/// file in a drop-zone folder, and compiled pages (`App_Web_*.dll`, `*.compiled`) in
/// `Temporary ASP.NET Files`.
struct WebFileSelection: Sendable {
    /// Lower-case folder needles (`frontend/httpproxy/`), matched as whole segments.
    let roots: [[UInt8]]
    let zoneFolders: [[UInt8]]
    let webExtensions: Set<String>
    let scriptExtensions: Set<String>

    static let compiledFolder = Array("temporary asp.net files/".utf8)
    static let compiledPrefix = Array("app_web_".utf8)

    init(_ list: WebShellLocationList) {
        roots = list.webRoots.map { Array(WebFileSelection.looseFolder($0).utf8) }
        zoneFolders = list.zones.map { Array(WebFileSelection.looseFolder($0.folder).utf8) }
        webExtensions = list.webExtensions
        scriptExtensions = list.scriptExtensions
    }

    /// `%ExchangeInstallPath%/FrontEnd/HttpProxy/` → `frontend/httpproxy/`: matched anywhere as
    /// whole segments, since the install path is not known while members stream.
    static func looseFolder(_ pattern: String) -> String {
        var folder = pattern.lowercased()
        if folder.hasPrefix("%exchangeinstallpath%/") { folder.removeFirst("%exchangeinstallpath%/".count) }
        return folder.hasSuffix("/") ? folder : folder + "/"
    }

    /// Whether `folder` starts `path` or follows a `/` in it, ignoring ASCII case. Every member
    /// name passes here, so it works on bytes (String search costs more than the scan of a
    /// small page).
    static func contains(_ path: UnsafeBufferPointer<UInt8>, folder: [UInt8]) -> Bool {
        var start = 0
        while let at = ByteSearch.firstIndex(path, of: folder, from: start) {
            if at == 0 || path[at - 1] == UInt8(ascii: "/") { return true }
            start = at + 1
        }
        return false
    }

    func wants(_ member: MemberInfo) -> Bool {
        let ext = member.fileExtension
        var path = member.sourcePath
        return path.withUTF8 { bytes in
            if WebFileSelection.contains(bytes, folder: WebFileSelection.compiledFolder) {
                let nameStart = (bytes.lastIndex(of: UInt8(ascii: "/")) ?? -1) + 1
                let name = UnsafeBufferPointer(rebasing: bytes[nameStart...])
                return (ByteSearch.firstIndex(name, of: WebFileSelection.compiledPrefix, from: 0) == 0 && ext == "dll") || ext == "compiled"
            }
            guard roots.contains(where: { WebFileSelection.contains(bytes, folder: $0) }) else { return false }
            if webExtensions.contains(ext) && ext != "dll" { return true }
            return zoneFolders.contains { WebFileSelection.contains(bytes, folder: $0) }
        }
    }
}
