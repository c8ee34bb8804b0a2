import ExTriageCore
import WindowsRegistry

/// What a hive check keeps: which hives it read (and what it could not) and what they showed.
struct HiveFindings {
    var reading = HiveReading()
    var matches = EventMatches()
}

/// A registry check that looks at each collected hive of its kinds once and adds what it finds
/// (tier, evidence, pivots) to the matches; the reading, its problems and coverage are shared.
protocol HiveInspection: Check where State == HiveFindings {
    func inspect(_ hive: RegistryHive, kind: HiveKind, content: MemberContent, into matches: inout EventMatches)
}

extension HiveInspection {
    func makeState() -> HiveFindings { HiveFindings() }

    func observe(_ observation: Observation, into state: inout HiveFindings) {
        guard case .content(let content) = observation else { return }
        var matches = state.matches
        state.reading.read(content) { hive, kind in inspect(hive, kind: kind, content: content, into: &matches) }
        state.matches = matches
    }
}
