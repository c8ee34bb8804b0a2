/// Tiny PE32+ files with one `.rsrc` section holding a version resource, for the PE reader tests.
public enum TinyPE {
    static func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF)] }
    static func le32(_ value: Int) -> [UInt8] { le16(value & 0xFFFF) + le16((value >> 16) & 0xFFFF) }
    static func utf16z(_ text: String) -> [UInt8] { text.utf16.flatMap { le16(Int($0)) } + [0, 0] }
    static func pad4(_ bytes: inout [UInt8]) { while bytes.count % 4 != 0 { bytes.append(0) } }

    /// One VS_VERSIONINFO-style block: wLength, wValueLength, wType, key, value, children.
    static func block(_ key: String, value: [UInt8] = [], valueLength: Int? = nil, text: Bool = false, children: [[UInt8]] = []) -> [UInt8] {
        var bytes = [0, 0] + le16(valueLength ?? value.count) + le16(text ? 1 : 0) + utf16z(key)
        pad4(&bytes)
        bytes += value
        for child in children {
            pad4(&bytes)
            bytes += child
        }
        let length = le16(bytes.count)
        bytes[0] = length[0]
        bytes[1] = length[1]
        return bytes
    }

    /// VS_VERSIONINFO with `fileVersion` (four numbers) and `strings` in one string table.
    public static func versionInfo(fileVersion: [Int], strings: [(String, String)]) -> [UInt8] {
        let ms = fileVersion[0] << 16 | fileVersion[1], ls = fileVersion[2] << 16 | fileVersion[3]
        let fixed = le32(0xFEEF04BD) + le32(0x10000) + le32(ms) + le32(ls) + le32(ms) + le32(ls) + [UInt8](repeating: 0, count: 28)
        let entries = strings.map { key, value in block(key, value: utf16z(value), valueLength: value.utf16.count + 1, text: true) }
        let table = block("040904b0", text: true, children: entries)
        let stringFileInfo = block("StringFileInfo", text: true, children: [table])
        let varFileInfo = block("VarFileInfo", text: true, children: [block("Translation", value: le16(0x409) + le16(1200))])
        return block("VS_VERSION_INFO", value: fixed, children: [stringFileInfo, varFileInfo])
    }

    /// A PE32+ DLL whose only section is `.rsrc` holding `version` as its RT_VERSION resource
    /// (nil: a resource tree without RT_VERSION).
    public static func file(version: [UInt8]?) -> [UInt8] {
        let sectionRVA = 0x1000, sectionFile = 0x200
        var resource: [UInt8] = []
        func directory(id: Int, target: Int) -> [UInt8] { [UInt8](repeating: 0, count: 12) + le16(0) + le16(1) + le32(id) + le32(target) }
        resource += directory(id: version == nil ? 3 : 16, target: 0x8000_0000 | 0x18)   // type (RT_ICON when nil)
        resource += directory(id: 1, target: 0x8000_0000 | 0x30)                          // name
        resource += directory(id: 0x409, target: 0x48)                                     // language → data entry
        let data = version ?? [1, 2, 3, 4]
        resource += le32(sectionRVA + 0x58) + le32(data.count) + le32(0) + le32(0)
        resource += data
        var file = [UInt8](repeating: 0, count: 0x40)
        file[0] = 0x4D; file[1] = 0x5A
        file.replaceSubrange(0x3C..<0x40, with: le32(0x40))
        file += [0x50, 0x45, 0, 0] + le16(0x8664) + le16(1) + le32(0) + le32(0) + le32(0) + le16(240) + le16(0x2022)
        var optional = le16(0x20B) + [UInt8](repeating: 0, count: 106) + le32(16)        // magic ... NumberOfRvaAndSizes
        var directories = [UInt8](repeating: 0, count: 128)
        directories.replaceSubrange(16..<24, with: le32(sectionRVA) + le32(resource.count))
        optional += directories
        file += optional
        file += Array(".rsrc\0\0\0".utf8) + le32(resource.count) + le32(sectionRVA) + le32(resource.count) + le32(sectionFile)
            + [UInt8](repeating: 0, count: 16)
        file += [UInt8](repeating: 0, count: sectionFile - file.count)
        return file + resource
    }
}
