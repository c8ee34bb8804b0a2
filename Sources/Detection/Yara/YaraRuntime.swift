import CYara
import ExTriageCore

/// libyara's process-wide state: `yr_initialize` runs once, the first time rules are compiled,
/// and is never finalized (rule sets may live until the process ends).
enum YaraRuntime {
    /// The result of the one `yr_initialize` call.
    private static let initialized: Int32 = yr_initialize()

    /// Initializes libyara on first use; throws if it could not start.
    static func ensureInitialized() throws {
        guard initialized == ERROR_SUCCESS else {
            throw ExTriageError(.io, "libyara failed to initialize (error \(initialized))")
        }
    }
}

/// The external variables public rule packs rely on (signature-base, THOR): declared with empty
/// values at compile time and set per scanned file.
public struct YaraExternals: Sendable, Hashable {
    /// The file name (`logon.aspx`).
    public var filename: String
    /// The full original path, Windows style (`C:\inetpub\wwwroot\logon.aspx`).
    public var filepath: String
    /// The extension with its dot, lower-cased (`.aspx`), or "".
    public var `extension`: String
    /// A coarse type from the magic bytes or extension (`EXE`, `ASPX`, `TEXT`).
    public var filetype: String
    /// The owner, when the source records it; "" otherwise.
    public var owner: String

    public static let names = ["filename", "filepath", "extension", "filetype", "owner"]

    public init(filename: String = "", filepath: String = "", extension: String = "", filetype: String = "", owner: String = "") {
        self.filename = filename
        self.filepath = filepath
        self.extension = `extension`
        self.filetype = filetype
        self.owner = owner
    }

    /// The externals for a file on a source volume (`C`, `inetpub/wwwroot/x.aspx`), its type
    /// sniffed from the first bytes.
    public init(volume: String, sourcePath: String, head: UnsafeRawBufferPointer, owner: String = "") {
        let name = String(sourcePath.split(separator: "/").last ?? "")
        let ext: String
        if let dot = name.lastIndex(of: "."), dot != name.startIndex { ext = name[dot...].lowercased() } else { ext = "" }
        let drive = volume.count == 1 ? volume + ":" : volume
        self.init(filename: name, filepath: drive + "\\" + String(sourcePath.map { $0 == "/" ? "\\" : $0 }),
                  extension: ext, filetype: YaraExternals.fileType(head: head, extension: ext), owner: owner)
    }

    var values: [(String, String)] {
        [("filename", filename), ("filepath", filepath), ("extension", `extension`), ("filetype", filetype), ("owner", owner)]
    }

    /// `EXE` for a PE (`MZ`), `ZIP`, `PST` (`!BDN`), else the extension upper-cased, else `TEXT`.
    static func fileType(head: UnsafeRawBufferPointer, extension ext: String) -> String {
        if head.count >= 2, head[0] == 0x4D, head[1] == 0x5A { return "EXE" }
        if head.count >= 4, head[0] == 0x50, head[1] == 0x4B, head[2] == 3, head[3] == 4 { return "ZIP" }
        if head.count >= 4, head[0] == 0x21, head[1] == 0x42, head[2] == 0x44, head[3] == 0x4E { return "PST" }
        return ext.isEmpty ? "TEXT" : String(ext.dropFirst()).uppercased()
    }
}
