import ExTriageCore
import WindowsRegistry

/// Local accounts in the SAM hive beyond Windows' built-in ones (`Domains\Account\Users\Names`:
/// each name's default value type is its RID; the Names key's last-written time is about when the
/// account was created). An Exchange server is a domain member, so a local account is rare:
/// `informational` each, `attempt` when created after the first `likely` sign of compromise in the
/// logs. References: MITRE T1136.001; SANS "SAM hive" notes.
struct RegistryLocalAccountCheck: Check {
    let id: CheckID = "HOST-REG-SAM-ACCOUNTS"
    let title = "Local accounts beyond the built-in ones (SAM hive)"
    let input = CheckInput.memberContent(HiveKind.selector([.sam]))
    let rules: RegistryRules

    struct Account {
        var evidence: Evidence
        var created: Timestamp?
        var name: String
    }

    struct State {
        var reading = HiveReading()
        var accounts: [Account] = []
    }

    func makeState() -> State { State() }

    func observe(_ observation: Observation, into state: inout State) {
        guard case .content(let content) = observation else { return }
        var found: [Account] = []
        state.reading.read(content) { hive, kind in
            let users = hive.key("SAM\\Domains\\Account\\Users")
            for name in users?.subkey("Names")?.subkeys() ?? [] {
                guard let rid = name.values().first(where: { $0.name.isEmpty })?.type, !rules.builtinAccountRids.contains(rid) else { continue }
                var values = [("RID", String(rid))]
                if let created = name.lastWritten { values.append(("Created", created.description)) }
                let hex = String(rid, radix: 16, uppercase: true)
                let record = users?.subkey(String(repeating: "0", count: max(0, 8 - hex.count)) + hex)
                if let f = record?.value("F")?.data, f.count >= 16,
                   let logon = FileTime.timestamp(f[8..<16].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }) {
                    values.append(("LastLogon", logon.description))
                }
                let evidence = HiveReading.evidence(content, kind: kind, key: name, values: values, details: ["Account": name.name])
                found.append(Account(evidence: evidence, created: name.lastWritten, name: name.name))
            }
        }
        state.accounts += found.prefix(max(0, 1000 - state.accounts.count))
    }

    func finish(_ state: inout State, in context: FinishContext) -> CheckOutput {
        let firstSign = context.logFindings.filter { $0.verdict >= .likely }.flatMap(\.evidence).compactMap(\.timestamp).min()
        var matches = EventMatches()
        for account in state.accounts {
            let after = firstSign.map { first in account.created.map { $0 >= first } ?? false } ?? false
            matches.add(after ? .attempt : .informational, account.evidence)
            matches.pivot("account", account.name)
        }
        let window = firstSign.map { " The first likely sign of compromise in the logs is \($0)." } ?? ""
        return CheckOutput(findings: matches.findings(checkId: id, title: title, severity: .medium, attack: ["T1136.001"],
                                                      category: FindingCategory.persistence,
                                                      explanation: "Local accounts other than Administrator, Guest, DefaultAccount and "
                                                          + "WDAGUtilityAccount, with the RID and the time their name key was written (about when "
                                                          + "the account was created). Intruders add one to come back; ask who owns each." + window),
                           coverage: state.reading.coverage("SAM hive"))
    }
}
