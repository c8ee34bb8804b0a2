import Foundation
@testable import Sigma
import Testing

/// Literal regular expressions answered by byte patterns: which ones qualify, and that every answer is ICU's.
struct SigmaRegexLiteralsTests {
    static let patterns = [
        #"\\(wmiprvse|wsmprovhost|winrshost|mmc|services)\.exe$"#, #"&(ipconfig|whoami|quser|cd|dir|c:)&echo"#, #"&echo \[s\]"#,
        #"&attrib \+h \+s \+r "#, "-embedding", "^cmd", "^cmd.exe$", #"^cmd\.exe$"#, #"colou?r"#, "(a|b)(c|d)", "a|b", "^a|b",
        #"cd /d "?[a-z]:"#, #"#\s*65560\b"#, "(?:x|y)", "ab+", "a{2}", "a.b", "(ab)?", #"\d+"#, "a\\$", "Straße",
        #"\\\\127\.0\.0\.1\\admin\$\\__\d+"#, #"cd /d "?[a-z]:[\\/]inetpub"#, "abc+d", #"xy\d?abc"#, "x(y|z)?abc", "abc{2}x",
        #"col[ou]+rful$"#, #"^\s*whoami"#, "abcd?", "ab*cd",
    ]
    static let values = [
        #"C:\Windows\System32\services.exe"#, #"C:\WINDOWS\system32\SERVICES.EXE"#, "C:\\Windows\\services.exe\n", "services.exe",
        "cmd.exe /c cd /d \"C:\\inetpub\"&whoami&echo [S]&cd&echo [E]", "&ATTRIB +h +s +r x", "mshta.exe -Embedding", "cmd",
        "CMD.EXE", "cmdxexe", "color", "colour", "COLOR", "ac", "bd", "xbx", "a", "b", "", "a$", "ab", "ſervices.exe",
        "\\\u{212A}mc.exe", "naïve services.exe", "x\r",
        #"cmd /c dir \\127.0.0.1\ADMIN$\__1614729600.5 2>&1"#, #"\\127.0.0.1\admin$\__x"#, #"CD /D "c:\inetpub"#, "abcccd", "abd",
        "xy7abc", "xyabc", "xzabc", "xabc", "abccx", "abcx", "colourful", "COLORFUL", "  WHOAMI", "abc", "abcd", "acd", "abbbcd",
    ]

    @Test func onlyLiteralPatternsQualify() {
        #expect(SigmaRegexLiterals(Self.patterns[0], caseInsensitive: true, multiline: false)?.patterns.count == 5)
        #expect(SigmaRegexLiterals(Self.patterns[1], caseInsensitive: true, multiline: false)?.patterns.count == 6)
        #expect(SigmaRegexLiterals("colou?r", caseInsensitive: false, multiline: false)?.patterns.count == 2)
        for unsupported in ["^a|b", #"cd /d "?[a-z]:"#, #"#\s*65560\b"#, "(?:x|y)", "ab+", "a{2}", "a.b", "(ab)?", #"\d+"#, "Straße"] {
            #expect(SigmaRegexLiterals(unsupported, caseInsensitive: true, multiline: false) == nil, "\(unsupported)")
        }
        #expect(SigmaRegexLiterals("^cmd", caseInsensitive: true, multiline: true) == nil, "anchors under m are per line")
    }

    @Test func requiredTextIsTopLevelLiteralOnly() {
        func required(_ source: String) -> String? {
            SigmaRegexRequiredText(source, caseInsensitive: true).map { String(decoding: $0.pattern.bytes, as: UTF8.self) }
        }
        #expect(required(#"\\\\127\.0\.0\.1\\admin\$\\__\d+"#) == #"\\127.0.0.1\admin$\__"#)
        #expect(required(#"cd /d "?[a-z]:[\\/]inetpub[\\/]wwwroot[\\/]aspnet_client"#) == "aspnet_client")
        #expect(required(#"xy\d?abc"#) == "abc")
        #expect(required("abcd?") == "abc", "a character a quantifier follows is not required")
        #expect(required("(abc|def)") == nil)
        #expect(required("abc|def") == nil)
        #expect(required(#"\x41bcd"#) == nil, "escapes with arguments are left to ICU")
        #expect(required("(?i)abcd") == nil)
    }

    @Test func answersEqualICUs() throws {
        for source in Self.patterns {
            for caseInsensitive in [true, false] {
                for multiline in [true, false] {
                    let regex = try SigmaRegex(source, caseInsensitive: caseInsensitive, multiline: multiline, dotAll: false)
                    var options: NSRegularExpression.Options = caseInsensitive ? [.caseInsensitive] : []
                    if multiline { options.insert(.anchorsMatchLines) }
                    let icu = try NSRegularExpression(pattern: source, options: options)
                    for value in Self.values {
                        let expected = icu.firstMatch(in: value, range: NSRange(value.startIndex..<value.endIndex, in: value)) != nil
                        #expect(regex.matches(value) == expected, "\(source) i=\(caseInsensitive) m=\(multiline) on \(value.debugDescription)")
                    }
                }
            }
        }
    }
}
