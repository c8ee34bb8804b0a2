import EvidenceBundle
import EvidenceSource
import ExTriageCore

/// Finds the Exchange install directory (`%ExchangeInstallPath%`) on the evidence.
///
/// Order (EXCHANGE-ARTIFACTS.md §1.2, path-based steps): the default location
/// `Program Files/Microsoft/Exchange Server/V15` (or `V14`); else a directory `V15`/`V14` that
/// holds `Logging`; else a `Bin/ExSetup.exe`. Never assumes `C:\Program Files` (CSS-Exchange #495).
/// The registry-based steps come with hive parsing.
public struct InstallPathDiscovery {
    public struct Found: Sendable, Equatable {
        public var volume: String
        public var path: EvidencePath
        /// `default-location`, `logging-search` or `exsetup-search`.
        public var method: String
    }

    /// How deep the searches go below a volume root, and how many directories they may visit.
    public static let searchDepth = 6
    public static let searchBudget = 50_000

    let source: any EvidenceSource

    public init(source: any EvidenceSource) { self.source = source }

    public func discover() -> Found? {
        // Shadow copies (`C@vss1`) are earlier states of a live volume: the install is found on
        // the live one, and its patterns reach the snapshots from there (Collector.resolvePatterns).
        let liveVolumes = source.volumes.filter { $0.shadowCopy == nil }.map(\.name)
        for volume in liveVolumes {
            let navigator = SourceNavigator(source: source, volume: volume)
            for version in ["V15", "V14"] {
                if let path = navigator.directory(["Program Files", "Microsoft", "Exchange Server", version]) {
                    return Found(volume: volume, path: path, method: "default-location")
                }
            }
        }
        for volume in liveVolumes {
            let navigator = SourceNavigator(source: source, volume: volume)
            if let path = search(volume: volume, where: { directory, entry in
                (entry.name.folded == "v15" || entry.name.folded == "v14")
                    && navigator.contains(directory.appending(entry.name), "Logging", kind: .directory)
            }) {
                return Found(volume: volume, path: path, method: "logging-search")
            }
        }
        for volume in liveVolumes {
            let navigator = SourceNavigator(source: source, volume: volume)
            if let bin = search(volume: volume, where: { directory, entry in
                entry.name.folded == "bin" && navigator.contains(directory.appending(entry.name), "ExSetup.exe", kind: .file)
            }) {
                return Found(volume: volume, path: bin.parent, method: "exsetup-search")
            }
        }
        return nil
    }

    /// Breadth-first search for a directory satisfying `accept`, bounded in depth and size,
    /// visiting names in sorted order so the answer is the same every run.
    func search(volume: String, where accept: (EvidencePath, SourceEntry) -> Bool) -> EvidencePath? {
        var queue: [(EvidencePath, Int)] = [(.root, 0)]
        var visited = 0
        var index = 0
        while index < queue.count, visited < InstallPathDiscovery.searchBudget {
            let (directory, depth) = queue[index]
            index += 1
            visited += 1
            guard let entries = try? source.list(volume: volume, directory: directory) else { continue }
            for entry in entries where entry.kind == .directory {
                if accept(directory, entry) { return directory.appending(entry.name) }
                if depth + 1 < InstallPathDiscovery.searchDepth {
                    queue.append((directory.appending(entry.name), depth + 1))
                }
            }
        }
        return nil
    }
}
