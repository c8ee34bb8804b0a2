import ExTriageCore
import Testing

/// Reports list each user agent once, whichever log spelled it.
@Suite struct UserAgentsTests {
    @Test func theSpellingsOfOneAgentCollapseIntoTheReadableOne() {
        let agents = [
            "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/88.0",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML  like Gecko) Chrome/88.0",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/88.0",
            "python-requests/2.25.1",
            "python-requests/2.25.1",
            "",
        ]
        #expect(UserAgents.distinct(agents) == [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/88.0",
            "python-requests/2.25.1",
        ])
    }

    @Test func differentAgentsStayApart() {
        #expect(UserAgents.distinct(["curl/7.68.0", "curl/7.88.1", "antSword/v2.1"]) == ["antSword/v2.1", "curl/7.68.0", "curl/7.88.1"])
        #expect(UserAgents.key("a+b,,c ") == "a b c")
    }
}
