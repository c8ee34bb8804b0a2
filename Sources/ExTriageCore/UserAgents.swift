/// User agents as different logs spell them: IIS W3C logs write spaces as `+`, and an HttpProxy
/// row may lose the commas of `(KHTML, like Gecko)`. Reports list each agent once.
public enum UserAgents {
    /// Each agent once, sorted: the spellings of one agent collapse into the most readable one
    /// (with spaces rather than `+`, with its commas).
    public static func distinct(_ agents: [String]) -> [String] {
        var best: [String: String] = [:]
        for agent in agents where !agent.isEmpty {
            let key = key(agent)
            if let current = best[key], readability(current) >= readability(agent) { continue }
            best[key] = agent
        }
        return best.values.sorted()
    }

    /// Equal for the spellings of one agent: `+` and `,` read as spaces, runs of spaces as one.
    public static func key(_ agent: String) -> String {
        var key = ""
        var lastWasSpace = false
        for character in agent {
            let space = character == " " || character == "+" || character == ","
            if space {
                if !lastWasSpace && !key.isEmpty { key.append(" ") }
            } else {
                key.append(character)
            }
            lastWasSpace = space
        }
        while key.last == " " { key.removeLast() }
        return key
    }

    /// Prefers the spelling with real spaces, then the one that kept its commas, then the shorter one.
    static func readability(_ agent: String) -> (Int, Int, Int) {
        (agent.filter { $0 == " " }.count > 0 ? 1 : 0, agent.filter { $0 == "," }.count, -agent.count)
    }
}
