import CYara
import ExTriageCore

/// One matched string of a rule: its identifier, where, and the matched bytes made readable.
public struct YaraStringMatch: Sendable, Hashable, Codable {
    public var identifier: String
    public var offset: Int
    /// The matched bytes, UTF-16LE decoded when they look like it, other non-printables as `\xNN`,
    /// at most `YaraStringMatch.previewLimit` characters.
    public var text: String

    public static let previewLimit = 80
}

/// One rule that matched a scanned buffer.
public struct YaraMatch: Sendable, Hashable, Codable {
    public var rule: String
    /// The namespace: the rule file it came from.
    public var namespace: String
    public var tags: [String]
    /// String and integer metadata (`description`, `reference`, `mitre_attack`, `score`).
    public var meta: [String: String]
    /// The first matches of each string (at most a few per string).
    public var strings: [YaraStringMatch]
}

/// How one scan ended.
public enum YaraScanOutcome: Sendable {
    case scanned([YaraMatch])
    /// The per-file timeout passed; rules that matched before it are kept.
    case timedOut([YaraMatch])
    case failed(String)

    public var matches: [YaraMatch] {
        switch self {
        case .scanned(let matches), .timedOut(let matches): return matches
        case .failed: return []
        }
    }
}

/// One `YR_SCANNER` over shared rules: use from one thread at a time (one per worker).
public final class YaraScanner {
    private let handle: UnsafeMutablePointer<YR_SCANNER>
    /// Keeps the shared rules alive as long as this scanner.
    public let rules: YaraRules
    private let collector = MatchCollector()

    /// Matches kept per string, so a file full of `eval(` does not flood the report.
    static let matchesPerString = 3

    public init(rules: YaraRules, timeoutSeconds: Int) throws {
        var scanner: UnsafeMutablePointer<YR_SCANNER>?
        guard yr_scanner_create(rules.handle, &scanner) == ERROR_SUCCESS, let scanner else {
            throw ExTriageError(.io, "libyara could not create a scanner")
        }
        handle = scanner
        self.rules = rules
        yr_scanner_set_timeout(handle, Int32(clamping: max(1, timeoutSeconds)))
        yr_scanner_set_callback(handle, { context, message, data, user in
            guard message == CALLBACK_MSG_RULE_MATCHING, let context, let data, let user else { return CALLBACK_CONTINUE }
            let collector = Unmanaged<MatchCollector>.fromOpaque(user).takeUnretainedValue()
            collector.matches.append(YaraScanner.describe(rule: data.assumingMemoryBound(to: YR_RULE.self), context: context))
            return CALLBACK_CONTINUE
        }, Unmanaged.passUnretained(collector).toOpaque())
    }

    deinit { yr_scanner_destroy(handle) }

    /// Scans bytes held in memory with the externals of the file they came from.
    public func scan(_ bytes: UnsafeRawBufferPointer, externals: YaraExternals) -> YaraScanOutcome {
        for (name, value) in externals.values {
            _ = yr_scanner_define_string_variable(handle, name, value)
        }
        collector.matches.removeAll(keepingCapacity: true)
        let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        var empty: UInt8 = 0
        let status = withUnsafePointer(to: &empty) { fallback in
            yr_scanner_scan_mem(handle, base ?? fallback, bytes.count)
        }
        switch status {
        case ERROR_SUCCESS: return .scanned(collector.matches)
        case ERROR_SCAN_TIMEOUT: return .timedOut(collector.matches)
        default: return .failed("libyara scan error \(status)")
        }
    }

    /// A matching rule as values: name, namespace, tags, metadata and the first matched strings.
    static func describe(rule: UnsafeMutablePointer<YR_RULE>, context: UnsafeMutablePointer<YR_SCAN_CONTEXT>) -> YaraMatch {
        let name = rule.pointee.identifier.map { String(cString: $0) } ?? "?"
        let namespace = rule.pointee.ns?.pointee.name.map { String(cString: $0) } ?? ""
        var tags: [String] = []
        if var tag = rule.pointee.tags {
            while tag.pointee != 0 {
                let text = String(cString: tag)
                tags.append(text)
                tag += text.utf8.count + 1
            }
        }
        var meta: [String: String] = [:]
        if var item = rule.pointee.metas {
            while true {
                if let key = item.pointee.identifier.map({ String(cString: $0) }) {
                    switch Int32(item.pointee.type) {
                    case META_TYPE_STRING: meta[key] = item.pointee.string.map { String(cString: $0) } ?? ""
                    case META_TYPE_BOOLEAN: meta[key] = item.pointee.integer != 0 ? "true" : "false"
                    default: meta[key] = String(item.pointee.integer)
                    }
                }
                if item.pointee.flags & META_FLAGS_LAST_IN_RULE != 0 { break }
                item += 1
            }
        }
        var strings: [YaraStringMatch] = []
        if var string = rule.pointee.strings {
            while true {
                let identifier = string.pointee.identifier.map { String(cString: $0) } ?? "$"
                var match = context.pointee.matches[Int(string.pointee.idx)].head
                var kept = 0
                while let current = match, kept < matchesPerString {
                    if !current.pointee.is_private {
                        let data = UnsafeRawBufferPointer(start: current.pointee.data, count: Int(current.pointee.data_length))
                        strings.append(YaraStringMatch(identifier: identifier, offset: Int(current.pointee.base + current.pointee.offset),
                                                       text: MatchText.readable(data)))
                        kept += 1
                    }
                    match = current.pointee.next
                }
                if string.pointee.flags & UInt32(STRING_FLAGS_LAST_IN_RULE) != 0 { break }
                string += 1
            }
        }
        return YaraMatch(rule: name, namespace: namespace, tags: tags, meta: meta, strings: strings)
    }
}

private final class MatchCollector {
    var matches: [YaraMatch] = []
}

/// Matched bytes as text a report can show, never interpreted.
enum MatchText {
    static func readable(_ data: UnsafeRawBufferPointer) -> String {
        var bytes = Array(data)
        // UTF-16LE: ASCII letters with zero high bytes.
        if bytes.count >= 4, stride(from: 1, to: bytes.count, by: 2).allSatisfy({ bytes[$0] == 0 }) {
            bytes = stride(from: 0, to: bytes.count, by: 2).map { bytes[$0] }
        }
        var text = ""
        for byte in bytes {
            if text.count >= YaraStringMatch.previewLimit {
                text += "…"
                break
            }
            if byte >= 0x20 && byte < 0x7F {
                text.append(Character(Unicode.Scalar(byte)))
            } else {
                let hex = Array("0123456789abcdef")
                text += "\\x" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 15)])
            }
        }
        return text
    }
}
