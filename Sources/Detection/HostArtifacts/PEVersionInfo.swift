/// The version resource of a Windows PE file (EXE or DLL): the fixed file and product versions
/// (`VS_FIXEDFILEINFO`) and the `StringFileInfo` strings (CompanyName, FileVersion, ProductName,
/// OriginalFilename...). Read from the bytes alone, bounded: every offset is checked against the
/// buffer, the resource tree is walked at most three levels and a few hundred entries deep, and
/// anything malformed gives nil (or fewer strings), never a trap.
/// References: Microsoft, "PE Format" (resource directory, RT_VERSION = 16), "VS_VERSIONINFO",
/// "VS_FIXEDFILEINFO", "StringFileInfo".
public struct PEVersionInfo: Sendable, Equatable {
    /// `major.minor.build.revision` from `dwFileVersionMS/LS`.
    public var fileVersion: String
    public var productVersion: String
    /// The strings of the first string table, by key.
    public var strings: [String: String]

    /// Whether the resource names Microsoft as the company (`CompanyName` "Microsoft Corporation").
    public var namesMicrosoft: Bool { (strings["CompanyName"] ?? "").lowercased().contains("microsoft corporation") }

    /// The version resource of `bytes`, or nil when it is not a PE file or has none.
    public init?(_ bytes: [UInt8]) {
        guard let resource = PEVersionInfo.versionResource(bytes), let parsed = PEVersionInfo.parse(resource) else { return nil }
        self = parsed
    }

    init(fileVersion: String, productVersion: String, strings: [String: String]) {
        self.fileVersion = fileVersion
        self.productVersion = productVersion
        self.strings = strings
    }

    // MARK: - PE headers and the resource tree

    static let versionType: UInt32 = 16
    static let maximumEntries = 256

    /// The bytes of the first RT_VERSION resource.
    static func versionResource(_ bytes: [UInt8]) -> ArraySlice<UInt8>? {
        let reader = Bytes(bytes[...])
        guard reader.u16(0) == 0x5A4D, let peOffset = reader.u32(0x3C).map(Int.init), reader.u32(peOffset) == 0x0000_4550,
              let sections = reader.u16(peOffset + 6).map(Int.init), let optionalSize = reader.u16(peOffset + 20).map(Int.init),
              let magic = reader.u16(peOffset + 24) else { return nil }
        let optional = peOffset + 24
        let directories: Int
        switch magic {
        case 0x10B: directories = optional + 96
        case 0x20B: directories = optional + 112
        default: return nil
        }
        // Data directory 2 is the resource table; its entry must lie inside the optional header.
        guard directories + 3 * 8 <= optional + optionalSize, let resourceRVA = reader.u32(directories + 16), resourceRVA != 0 else { return nil }
        let sectionTable = optional + optionalSize
        var mapped: [(rva: UInt32, size: UInt32, raw: UInt32)] = []
        for index in 0..<min(sections, 96) {
            let header = sectionTable + index * 40
            guard let virtualSize = reader.u32(header + 8), let rva = reader.u32(header + 12), let rawSize = reader.u32(header + 16),
                  let raw = reader.u32(header + 20) else { return nil }
            mapped.append((rva, max(virtualSize, rawSize), raw))
        }
        func offset(_ rva: UInt32) -> Int? {
            guard let section = mapped.first(where: { rva >= $0.rva && UInt64(rva) < UInt64($0.rva) + UInt64($0.size) }) else { return nil }
            return Int(section.raw) + Int(rva - section.rva)
        }
        guard let root = offset(resourceRVA) else { return nil }
        // Type, then name, then language: take RT_VERSION and the first entry of each level below it.
        guard let typeEntry = entry(reader, directory: root, id: versionType), typeEntry & 0x8000_0000 != 0,
              let nameEntry = entry(reader, directory: root + Int(typeEntry & 0x7FFF_FFFF), id: nil), nameEntry & 0x8000_0000 != 0,
              let languageEntry = entry(reader, directory: root + Int(nameEntry & 0x7FFF_FFFF), id: nil), languageEntry & 0x8000_0000 == 0
        else { return nil }
        let dataEntry = root + Int(languageEntry)
        guard let dataRVA = reader.u32(dataEntry), let size = reader.u32(dataEntry + 4).map(Int.init), let start = offset(dataRVA),
              start >= 0, size > 0, start <= bytes.count, size <= bytes.count - start else { return nil }
        return bytes[start..<(start + size)]
    }

    /// The offset field of the entry with `id` (or the first entry when nil) in the resource
    /// directory at `directory`.
    static func entry(_ reader: Bytes, directory: Int, id: UInt32?) -> UInt32? {
        guard let named = reader.u16(directory + 12).map(Int.init), let ids = reader.u16(directory + 14).map(Int.init) else { return nil }
        for index in 0..<min(named + ids, maximumEntries) {
            let position = directory + 16 + index * 8
            guard let name = reader.u32(position), let target = reader.u32(position + 4) else { return nil }
            if id == nil || (name & 0x8000_0000 == 0 && name == id) { return target }
        }
        return nil
    }

    // MARK: - VS_VERSIONINFO

    /// The fixed versions and the strings of a `VS_VERSIONINFO` block.
    static func parse(_ resource: ArraySlice<UInt8>) -> PEVersionInfo? {
        let reader = Bytes(resource)
        let base = resource.startIndex
        guard let length = reader.u16(base).map(Int.init), length <= resource.count, let valueLength = reader.u16(base + 2).map(Int.init),
              let (key, afterKey) = reader.utf16String(base + 6, end: base + length), key == "VS_VERSION_INFO" else { return nil }
        let fixed = align(afterKey)
        guard valueLength >= 52, reader.u32(fixed) == 0xFEEF_04BD, let fileMS = reader.u32(fixed + 8), let fileLS = reader.u32(fixed + 12),
              let productMS = reader.u32(fixed + 16), let productLS = reader.u32(fixed + 20) else { return nil }
        var strings: [String: String] = [:]
        // Children: StringFileInfo → StringTable → String; VarFileInfo is skipped.
        for child in children(reader, from: align(fixed + valueLength), end: base + length) {
            guard let (name, afterName) = reader.utf16String(child.start + 6, end: child.end), name == "StringFileInfo" else { continue }
            guard let table = children(reader, from: align(afterName), end: child.end).first,
                  let (_, afterTable) = reader.utf16String(table.start + 6, end: table.end) else { continue }
            for item in children(reader, from: align(afterTable), end: table.end).prefix(maximumEntries) {
                guard let (stringKey, afterStringKey) = reader.utf16String(item.start + 6, end: item.end) else { continue }
                let value = reader.utf16String(align(afterStringKey), end: item.end)?.0 ?? ""
                if strings[stringKey] == nil { strings[stringKey] = value }
            }
            break
        }
        return PEVersionInfo(fileVersion: dotted(fileMS, fileLS), productVersion: dotted(productMS, productLS), strings: strings)
    }

    /// The child blocks (each starting with its `wLength`) between `from` and `end`.
    static func children(_ reader: Bytes, from: Int, end: Int) -> [(start: Int, end: Int)] {
        var blocks: [(start: Int, end: Int)] = []
        var position = from
        while position + 6 <= end, blocks.count < maximumEntries, let length = reader.u16(position).map(Int.init), length >= 6 {
            let blockEnd = min(position + length, end)
            blocks.append((position, blockEnd))
            position = align(position + length)
        }
        return blocks
    }

    static func align(_ offset: Int) -> Int { (offset + 3) & ~3 }

    static func dotted(_ high: UInt32, _ low: UInt32) -> String { "\(high >> 16).\(high & 0xFFFF).\(low >> 16).\(low & 0xFFFF)" }

    /// Little-endian reads that answer nil outside the buffer.
    struct Bytes {
        let bytes: ArraySlice<UInt8>
        init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

        func u16(_ offset: Int) -> UInt16? {
            guard offset >= bytes.startIndex, offset <= bytes.endIndex - 2 else { return nil }
            return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
        }

        func u32(_ offset: Int) -> UInt32? {
            guard let low = u16(offset), let high = u16(offset + 2) else { return nil }
            return UInt32(low) | UInt32(high) << 16
        }

        /// A NUL-terminated UTF-16LE string at `offset` that ends before `end`, and the offset after its NUL.
        func utf16String(_ offset: Int, end: Int) -> (String, Int)? {
            var units: [UInt16] = []
            var position = offset
            while position + 2 <= min(end, bytes.endIndex), units.count < 4096, let unit = u16(position) {
                position += 2
                if unit == 0 { return (String(decoding: units, as: UTF16.self), position) }
                units.append(unit)
            }
            return nil
        }
    }
}
