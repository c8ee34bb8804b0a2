/// Which bundle members are web files worth a content scan, from their names alone (the
/// manifest, with the install path, comes last): script and web files under web roots, every
/// file in a drop-zone folder, and compiled pages (`App_Web_*.dll`, `*.compiled`) in
/// `Temporary ASP.NET Files`.
struct WebFileSelection: Sendable {
    let roots: [String]
    let zoneFolders: [String]
    let webExtensions: Set<String>
    let scriptExtensions: Set<String>

    init(_ list: WebShellLocationList) {
        roots = list.webRoots.map(WebFileSelection.looseFolder)
        zoneFolders = list.zones.map { WebFileSelection.looseFolder($0.folder) }
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

    static func contains(_ path: String, folder: String) -> Bool {
        path.hasPrefix(folder) || path.contains("/" + folder)
    }

    func wants(_ member: MemberInfo) -> Bool {
        let path = member.sourcePath.lowercased()
        let name = path.split(separator: "/").last.map(String.init) ?? ""
        let ext = member.fileExtension
        if WebFileSelection.contains(path, folder: "temporary asp.net files/") {
            return (name.hasPrefix("app_web_") && ext == "dll") || ext == "compiled"
        }
        guard roots.contains(where: { WebFileSelection.contains(path, folder: $0) }) else { return false }
        if webExtensions.contains(ext) && ext != "dll" { return true }
        return zoneFolders.contains { WebFileSelection.contains(path, folder: $0) }
    }
}
