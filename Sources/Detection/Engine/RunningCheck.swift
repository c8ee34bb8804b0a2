import ExTriageCore

/// One check with its state for one bundle: what lets the runner hold checks of different
/// state types in one list. Lives as long as one bundle's analysis, on the analyzing thread.
protocol RunningCheck: AnyObject {
    var id: CheckID { get }
    var title: String { get }
    var input: CheckInput { get }
    var assesses: Assessment { get }
    func observe(_ observation: Observation)
    func finish(in context: FinishContext) -> CheckOutput
}

/// A check and its per-bundle state.
final class CheckInstance<Wrapped: Check>: RunningCheck {
    let check: Wrapped
    private var state: Wrapped.State

    init(_ check: Wrapped) {
        self.check = check
        state = check.makeState()
    }

    var id: CheckID { check.id }
    var title: String { check.title }
    var input: CheckInput { check.input }
    var assesses: Assessment { check.assesses }

    func observe(_ observation: Observation) { check.observe(observation, into: &state) }

    func finish(in context: FinishContext) -> CheckOutput { check.finish(&state, in: context) }
}

/// Makes a running instance of any check.
func instantiate(_ check: any Check) -> any RunningCheck {
    func open<C: Check>(_ check: C) -> any RunningCheck { CheckInstance(check) }
    return open(check)
}
