/// ECP Server/Activity `EventData`: `S:KEY=value;S:OTHER=...` (EXCHANGE-ARTIFACTS.md §2.3).
///
/// Hand-written scanners, linear in the input (no regex backtracking; ADVERSARIAL-CASES C7).
public enum ECPEventData {
    /// Keys without the type tag (`CMD`, `URL`, `BLD`, ...), values as written; split only at a `;` followed by
    /// `Tag:KEY=` (tags S, I32, Dbl, F; KEY of `[A-Za-z0-9_.\[\]]+`), the equivalent of
    /// `;(?=(S|I32|Dbl|F):[A-Za-z0-9_.\[\]]+=)`. So a script value holding `;` and `=` stays whole.
    ///
    /// Keys keep their case (`BLD` in the Server log, `Bld` in the Activity log). When a key repeats, the first
    /// occurrence wins: a value injected into `S:CMD` cannot displace the real `CMD` (it still could precede
    /// later keys; keep the raw line for text matching). An item without a tag is split at its first `=` (no
    /// `=`: the whole item is the key, with an empty value); empty items are skipped.
    public static func parse(_ eventData: String) -> [String: String] {
        let bytes = Array(eventData.utf8)
        var result: [String: String] = [:]
        var itemStart = 0
        var index = 0
        func addItem(_ start: Int, _ end: Int) {
            guard start < end else { return }
            let key: ArraySlice<UInt8>
            let value: ArraySlice<UInt8>
            if let tagged = taggedKey(bytes, at: start, limit: end) {
                key = bytes[tagged.keyStart..<tagged.equals]
                value = bytes[(tagged.equals + 1)..<end]
            } else if let equals = bytes[start..<end].firstIndex(of: 0x3D) {
                key = bytes[start..<equals]
                value = bytes[(equals + 1)..<end]
            } else {
                key = bytes[start..<end]
                value = []
            }
            let name = String(decoding: key, as: UTF8.self)
            if result[name] == nil {
                result[name] = String(decoding: value, as: UTF8.self)
            }
        }
        while index < bytes.count {
            if bytes[index] == 0x3B, taggedKey(bytes, at: index + 1, limit: bytes.count) != nil {
                addItem(itemStart, index)
                itemStart = index + 1
            }
            index += 1
        }
        addItem(itemStart, bytes.count)
        return result
    }

    /// `Set-OabVirtualDirectory.ExternalUrl='http://f/<script ...>'.Identity='...'` ->
    /// ("Set-OabVirtualDirectory", ["ExternalUrl": "http://f/<script ...>", "Identity": "..."]).
    ///
    /// The name runs to the first `.Param=` (Param of `[A-Za-z0-9_]+`). A value starting with `'` is quoted: `''`
    /// inside is a literal `'`, and the value ends at a `'` followed by the end or by `.Param=` (another lone `'`
    /// is kept literally; an unclosed quote runs to the end). Unquoted values run to the next `.Param=`. When a
    /// parameter repeats, the first wins. Nil when the text is empty or the name is empty or holds `=`, `'` or
    /// white space.
    public static func cmdlet(_ command: String) -> (name: String, parameters: [String: String])? {
        let bytes = Array(command.utf8)
        var nameEnd = 0
        while nameEnd < bytes.count, parameterStart(bytes, at: nameEnd) == nil { nameEnd += 1 }
        guard nameEnd > 0 else { return nil }
        for byte in bytes[0..<nameEnd] where byte == 0x3D || byte == 0x27 || byte == 0x20 || byte == 0x09 {
            return nil
        }
        let name = String(decoding: bytes[0..<nameEnd], as: UTF8.self)
        var parameters: [String: String] = [:]
        var index = nameEnd
        while index < bytes.count, let equals = parameterStart(bytes, at: index) {
            let key = String(decoding: bytes[(index + 1)..<equals], as: UTF8.self)
            var valueStart = equals + 1
            var value: [UInt8] = []
            if valueStart < bytes.count, bytes[valueStart] == 0x27 {
                valueStart += 1
                var cursor = valueStart
                var closedAt = bytes.count
                while cursor < bytes.count {
                    if bytes[cursor] == 0x27 {
                        if cursor + 1 < bytes.count, bytes[cursor + 1] == 0x27 {
                            value.append(0x27)
                            cursor += 2
                            continue
                        }
                        if cursor + 1 == bytes.count || parameterStart(bytes, at: cursor + 1) != nil {
                            closedAt = cursor
                            break
                        }
                    }
                    value.append(bytes[cursor])
                    cursor += 1
                }
                index = closedAt < bytes.count ? closedAt + 1 : bytes.count
            } else {
                var cursor = valueStart
                while cursor < bytes.count, parameterStart(bytes, at: cursor) == nil { cursor += 1 }
                value = Array(bytes[valueStart..<cursor])
                index = cursor
            }
            if parameters[key] == nil {
                parameters[key] = String(decoding: value, as: UTF8.self)
            }
        }
        return (name, parameters)
    }

    /// At `start`: `Tag:KEY=` with a known tag. Returns where the key starts and where its `=` is.
    private static func taggedKey(_ bytes: [UInt8], at start: Int, limit: Int) -> (keyStart: Int, equals: Int)? {
        var index = start
        guard index < limit else { return nil }
        switch bytes[index] {
        case 0x53, 0x46:  // S, F
            index += 1
        case 0x49:  // I32
            guard index + 2 < limit, bytes[index + 1] == 0x33, bytes[index + 2] == 0x32 else { return nil }
            index += 3
        case 0x44:  // Dbl
            guard index + 2 < limit, bytes[index + 1] == 0x62, bytes[index + 2] == 0x6C else { return nil }
            index += 3
        default:
            return nil
        }
        guard index < limit, bytes[index] == 0x3A else { return nil }
        index += 1
        let keyStart = index
        while index < limit, isKeyByte(bytes[index]) { index += 1 }
        guard index > keyStart, index < limit, bytes[index] == 0x3D else { return nil }
        return (keyStart, index)
    }

    private static func isKeyByte(_ byte: UInt8) -> Bool {
        isWordByte(byte) || byte == 0x2E || byte == 0x5B || byte == 0x5D
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x5F: return true
        default: return false
        }
    }

    /// At `start`: `.Param=`. Returns the position of the `=`.
    private static func parameterStart(_ bytes: [UInt8], at start: Int) -> Int? {
        guard start < bytes.count, bytes[start] == 0x2E else { return nil }
        var index = start + 1
        while index < bytes.count, isWordByte(bytes[index]) { index += 1 }
        guard index > start + 1, index < bytes.count, bytes[index] == 0x3D else { return nil }
        return index
    }
}
