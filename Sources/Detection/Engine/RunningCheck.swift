import Dispatch
import ExTriageCore

/// One check with its state for one bundle: what lets the runner hold checks of different
/// state types in one list. Lives as long as one bundle's analysis, on the analyzing thread.
protocol RunningCheck: AnyObject {
    var id: CheckID { get }
    var title: String { get }
    var input: CheckInput { get }
    var assesses: Assessment { get }
    /// Set once the check has used up its time budget: it is offered nothing more.
    var stoppedAfter: Double? { get }
    func observe(_ observation: Observation)
    func finish(in context: FinishContext) -> CheckOutput
}

/// A check, its per-bundle state, and the time it has taken.
///
/// Time is sampled (one observation in `sampleEvery` is timed, counted that many times) so the
/// clock costs nothing noticeable per record; a check past `budget` seconds is stopped, and its
/// coverage row says so.
final class CheckInstance<Wrapped: Check>: RunningCheck {
    static var sampleEvery: Int { 64 }

    let check: Wrapped
    let budget: Double
    private var state: Wrapped.State
    private var calls = 0
    private var spent = 0.0
    private(set) var stoppedAfter: Double?

    init(_ check: Wrapped, budget: Double) {
        self.check = check
        self.budget = budget
        state = check.makeState()
    }

    var id: CheckID { check.id }
    var title: String { check.title }
    var input: CheckInput { check.input }
    var assesses: Assessment { check.assesses }

    func observe(_ observation: Observation) {
        guard stoppedAfter == nil else { return }
        calls += 1
        guard calls % Self.sampleEvery == 0 else {
            check.observe(observation, into: &state)
            return
        }
        let start = DispatchTime.now().uptimeNanoseconds
        check.observe(observation, into: &state)
        spent += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 * Double(Self.sampleEvery)
        if spent > budget { stoppedAfter = spent }
    }

    func finish(in context: FinishContext) -> CheckOutput { check.finish(&state, in: context) }
}

/// Makes a running instance of any check.
func instantiate(_ check: any Check, budget: Double) -> any RunningCheck {
    func open<C: Check>(_ check: C) -> any RunningCheck { CheckInstance(check, budget: budget) }
    return open(check)
}
