/// One record a Sigma rule is evaluated against: an event-log record, an IIS W3C line, or
/// anything else the caller can present as named text fields.
///
/// Field names are looked up case-insensitively and are already in Sigma's vocabulary (use
/// ``SigmaFieldMap/event(_:)`` to present a record's own names under Sigma's). A missing field
/// is `nil`; an empty one is `""` (both satisfy a `null` test).
public protocol SigmaEvent {
    /// The value of `field` (case-insensitive), or nil when the record has no such field.
    func value(_ field: String) -> String?
    /// The values a keyword (field-less) detection searches, e.g. every event data value or the raw log line.
    var keywordText: [String] { get }
    /// `keywordText` with ASCII letters lower-cased (same texts, same order), when the event has
    /// it at hand: case-insensitive keywords then search it byte for byte. Nil by default.
    var keywordTextFolded: [String]? { get }
}

extension SigmaEvent {
    public var keywordTextFolded: [String]? { nil }
}

/// A small in-memory event: a dictionary of fields, looked up case-insensitively.
///
/// Keyword text is every field value unless given explicitly. Meant for tests and for callers
/// that already hold a record's fields in a dictionary.
public struct SigmaFieldsEvent: SigmaEvent, Sendable {
    private let fields: [String: String]
    public let keywordText: [String]

    public init(_ fields: [String: String], keywordText: [String]? = nil) {
        var lowered: [String: String] = [:]
        for (key, value) in fields { lowered[key.lowercased()] = value }
        self.fields = lowered
        self.keywordText = keywordText ?? fields.keys.sorted().compactMap { fields[$0] }
    }

    public func value(_ field: String) -> String? {
        fields[field] ?? fields[field.lowercased()]
    }

    static let empty = SigmaFieldsEvent([:])
}

/// A field-name translation for one kind of record (a channel and event ID, or the W3C log):
/// Sigma's name → the record's own name. Names not in the map pass through unchanged.
///
/// Built by ``SigmaLogsourceMap``; for example Security 4688 maps `Image` to `NewProcessName`.
public struct SigmaFieldMap: Sendable, Equatable {
    /// Lower-cased Sigma field name → the record's field name.
    public let renames: [String: String]

    /// The same renames under the names as written, so the usual lookup needs no lower-casing.
    private let exact: [String: String]

    public init(_ renames: [String: String] = [:]) {
        var lowered: [String: String] = [:]
        for (key, value) in renames { lowered[key.lowercased()] = value }
        self.renames = lowered
        self.exact = renames
    }

    public static let identity = SigmaFieldMap()

    /// The record's name for the Sigma field `field`.
    public func recordField(for field: String) -> String {
        if renames.isEmpty { return field }
        if let name = exact[field] { return name }
        return renames[field.lowercased()] ?? field
    }

    /// `base` presented under Sigma's field names.
    public func event<Base: SigmaEvent>(_ base: Base) -> MappedSigmaEvent<Base> {
        MappedSigmaEvent(base: base, map: self)
    }
}

/// A record presented under Sigma's field names through a ``SigmaFieldMap``.
public struct MappedSigmaEvent<Base: SigmaEvent>: SigmaEvent {
    public let base: Base
    public let map: SigmaFieldMap

    public func value(_ field: String) -> String? {
        base.value(map.recordField(for: field))
    }

    public var keywordText: [String] { base.keywordText }

    public var keywordTextFolded: [String]? { base.keywordTextFolded }
}

extension MappedSigmaEvent: Sendable where Base: Sendable {}
