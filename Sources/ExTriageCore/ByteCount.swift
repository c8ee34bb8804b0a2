/// Byte sizes as people write them in profiles and read them in summaries: `512 MiB`, `2 GiB`.
public enum ByteCount {
    private static let units: [(String, UInt64)] = [
        ("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1),
    ]

    /// Parses a whole number of bytes or `<number> <unit>` (B, KiB, MiB, GiB, TiB); nil when malformed.
    public static func parse(_ text: String) -> UInt64? {
        let trimmed = text.trimmingWhitespace()
        if let plain = UInt64(trimmed) { return plain }
        for (unit, factor) in units where trimmed.hasSuffix(unit) {
            let number = String(trimmed.dropLast(unit.count)).trimmingWhitespace()
            guard let value = UInt64(number), value <= UInt64.max / factor else { return nil }
            return value * factor
        }
        return nil
    }

    /// Renders a count with one decimal in the largest fitting binary unit (`1.5 GiB`).
    public static func format(_ bytes: UInt64) -> String {
        for (unit, factor) in units where bytes >= factor && factor > 1 {
            let tenths = (bytes * 10 + factor / 2) / factor
            return "\(tenths / 10).\(tenths % 10) \(unit)"
        }
        return "\(bytes) B"
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line breaks (no Foundation).
    public func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
