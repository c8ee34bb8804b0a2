import ExTriageCore
import Sigma

/// An event record as Sigma rules see it: `EventID`, `Provider_Name`, `Channel`, `Computer`,
/// `Level` from the System values, every data field by name, and the field values for keyword
/// searches. Sigma's field names (`Image` for 4688's `NewProcessName`) come from the rule's
/// field map wrapped around this.
struct SigmaEventRecord: SigmaEvent {
    let record: EventRecord

    func value(_ field: String) -> String? {
        switch field.utf8.count {
        case 13 where EventRecord.same(field, "provider_name"): return record.provider
        case 13 where EventRecord.same(field, "eventrecordid"): return String(record.recordNumber)
        default: return record.value(field)
        }
    }

    /// Every value joined (` | ` between): one text to search, computed once per record by the reader.
    var keywordText: [String] { record.keywordTexts?.plain ?? [record.dataText ?? record.allData] }

    var keywordTextFolded: [String]? { record.keywordTexts?.folded }

    /// System values every evidence item already shows (its excerpt and details): not repeated as matched fields.
    static let systemFields: Set<String> = ["eventid", "provider_name", "provider", "channel", "computer", "level"]

    /// The record's names of the fields a match tested, System values left out.
    /// When only System values decided (a log-cleared event), the channel is named.
    static func matchedFields(_ match: SigmaMatch, _ map: SigmaFieldMap) -> [String] {
        let all = match.fields.map { map.recordField(for: $0.name) }
        let data = all.filter { !systemFields.contains($0.lowercased()) }
        return data.isEmpty ? all.filter { $0.lowercased() == "channel" } : data
    }
}

/// A W3C log record (IIS) as Sigma `webserver` rules see it: fields by their `#Fields:` names.
struct SigmaLogRecord: SigmaEvent {
    let record: LogRecord

    func value(_ field: String) -> String? { record.value(field) }

    var keywordText: [String] { [record.raw] }
}
