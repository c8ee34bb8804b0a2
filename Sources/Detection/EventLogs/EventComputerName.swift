import Synchronization

/// The host's name as its event logs record it: the `Computer` field of the first record that has one.
///
/// The EVTX pre-filter asks `isLooking` for every record, from decoding threads: until a name is
/// found records are decoded whole (whatever the checks want), after that only what they want.
final class EventComputerName: Sendable {
    private let looking = Atomic<Bool>(true)
    private let found = Mutex<String?>(nil)

    var isLooking: Bool { looking.load(ordering: .relaxed) }

    /// The first non-empty name offered wins.
    func offer(_ computer: String) {
        guard isLooking else { return }
        let name = computer.trimmedSpaces
        guard !name.isEmpty else { return }
        found.withLock { if $0 == nil { $0 = name } }
        looking.store(false, ordering: .relaxed)
    }

    var name: String? { found.withLock { $0 } }
}
