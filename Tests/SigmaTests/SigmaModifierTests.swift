import Foundation
@testable import Sigma
import Testing

/// Every value modifier, one small inline rule each.
struct SigmaModifierTests {
    @Test func containsStartswithEndswith() throws {
        let rule = try Fixture.rule("""
        selection:
            CommandLine|contains: 'sekurlsa'
            Image|endswith: '\\rundll32.exe'
            ParentImage|startswith: 'C:\\Windows\\'
        condition: selection
        """)
        #expect(rule.hits(["CommandLine": "x SEKURLSA::logonpasswords", "Image": "C:\\W\\RunDll32.exe", "ParentImage": "c:\\windows\\explorer.exe"]))
        #expect(!rule.hits(["CommandLine": "x SEKURLSA::logonpasswords", "Image": "C:\\W\\RunDll32.exe.bak", "ParentImage": "c:\\windows\\explorer.exe"]))
        #expect(!rule.hits(["CommandLine": "x SEKURLSA::logonpasswords", "Image": "C:\\W\\RunDll32.exe"]), "a missing field fails")
    }

    @Test func listsAreOrAndAllMakesThemAnd() throws {
        let any = try Fixture.rule("""
        selection:
            CommandLine|contains: ['-enc', '-e ']
        condition: selection
        """)
        #expect(any.hits(["CommandLine": "powershell -enc AAA"]))
        #expect(!any.hits(["CommandLine": "powershell -nop"]))
        let all = try Fixture.rule("""
        selection:
            CommandLine|contains|all:
                - 'vssadmin'
                - 'delete'
                - 'shadows'
        condition: selection
        """)
        #expect(all.hits(["CommandLine": "vssadmin.exe Delete Shadows /all"]))
        #expect(!all.hits(["CommandLine": "vssadmin.exe list shadows"]))
    }

    @Test func listOfMapsIsOrMapIsAnd() throws {
        let rule = try Fixture.rule("""
        selection:
            - Image|endswith: '\\procdump.exe'
              CommandLine|contains: 'lsass'
            - OriginalFileName: 'procdump'
        condition: selection
        """)
        #expect(rule.hits(["Image": "c:\\t\\procdump.exe", "CommandLine": "-ma lsass.exe"]))
        #expect(!rule.hits(["Image": "c:\\t\\procdump.exe", "CommandLine": "-ma notepad.exe"]))
        #expect(rule.hits(["OriginalFileName": "ProcDump"]))
    }

    @Test func nullMatchesMissingOrEmpty() throws {
        let rule = try Fixture.rule("""
        selection:
            Image|endswith: '\\svchost.exe'
        filter:
            ParentImage: null
        condition: selection and not filter
        """)
        #expect(rule.hits(["Image": "c:\\svchost.exe", "ParentImage": "c:\\services.exe"]))
        #expect(!rule.hits(["Image": "c:\\svchost.exe"]))
        #expect(!rule.hits(["Image": "c:\\svchost.exe", "ParentImage": ""]))
        let quoted = try Fixture.rule("""
        selection:
            ParentImage: 'null'
        condition: selection
        """)
        #expect(quoted.hits(["ParentImage": "NULL"]), "a quoted 'null' is the text null")
        #expect(!quoted.hits([:]))
    }

    @Test func numbersCompareAsWrittenAndLtGt() throws {
        let rule = try Fixture.rule("""
        selection:
            EventID: 4688
            TerminalSessionId|gte: 2
            LogonType|lt: 10
        condition: selection
        """)
        #expect(rule.hits(["EventID": "4688", "TerminalSessionId": "2", "LogonType": "3"]))
        #expect(!rule.hits(["EventID": "4688", "TerminalSessionId": "1", "LogonType": "3"]))
        #expect(!rule.hits(["EventID": "4688", "TerminalSessionId": "5", "LogonType": "10"]))
        #expect(!rule.hits(["EventID": "4688", "TerminalSessionId": "x", "LogonType": "3"]))
        let gtLte = try Fixture.rule("""
        selection:
            Size|gt: 100
            Size|lte: 0x200
        condition: selection
        """.replacingOccurrences(of: "0x200", with: "512"))
        #expect(gtLte.hits(["Size": "512"]))
        #expect(gtLte.hits(["Size": "0x101"]), "hex event values compare as numbers")
        #expect(!gtLte.hits(["Size": "100"]))
        #expect(!gtLte.hits(["Size": "513"]))
    }

    @Test func regexWithSubModifiers() throws {
        let sensitive = try Fixture.rule("""
        selection:
            CommandLine|re: '\\s-[FTd]\\s'
        condition: selection
        """)
        #expect(sensitive.hits(["CommandLine": "tool -F x"]))
        #expect(!sensitive.hits(["CommandLine": "tool -f x"]), "re is case-sensitive by default")
        let insensitive = try Fixture.rule("""
        selection:
            CommandLine|re|i: '^powershell.*-enc'
        condition: selection
        """)
        #expect(insensitive.hits(["CommandLine": "PowerShell.exe -ENC aaa"]))
        let multiline = try Fixture.rule("""
        selection:
            ScriptBlockText|re|m: '^Invoke-Evil$'
        condition: selection
        """)
        #expect(multiline.hits(["ScriptBlockText": "a\nInvoke-Evil\nb"]))
        let dotAll = try Fixture.rule("""
        selection:
            ScriptBlockText|re|s: 'begin.end'
        condition: selection
        """)
        #expect(dotAll.hits(["ScriptBlockText": "begin\nend"]))
        #expect(try Fixture.skipReason("""
        selection:
            CommandLine|re: '(unclosed'
        condition: selection
        """)?.contains("does not compile") == true)
    }

    @Test func base64AndBase64offset() throws {
        let plain = try Fixture.rule("""
        selection:
            CommandLine|base64|contains: 'IEX'
        condition: selection
        """)
        #expect(plain.hits(["CommandLine": "x SUVY y"]))
        let offset = try Fixture.rule("""
        selection:
            CommandLine|base64offset|contains: 'http://evil'
        condition: selection
        """)
        for prefix in ["", "a", "ab", "abc", "long prefix ", "x"] {
            let encoded = Data((prefix + "http://evil/payload").utf8).base64EncodedString()
            #expect(offset.hits(["CommandLine": "powershell -e " + encoded]), "offset \(prefix.count % 3)")
        }
        #expect(!offset.hits(["CommandLine": Data("http://good/".utf8).base64EncodedString()]))
        #expect(SigmaDetectionCompiler.base64Offsets(Array("/bin/sh".utf8)) == ["L2Jpbi9za", "9iaW4vc2", "vYmluL3No"])
    }

    @Test func utf16Encodings() throws {
        let wide = try Fixture.rule("""
        selection:
            CommandLine|wide|base64offset|contains: 'ping'
        condition: selection
        """)
        let utf16 = Data("cmd /c ping 1.2.3.4".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }).base64EncodedString()
        #expect(wide.hits(["CommandLine": "powershell -enc " + utf16]))
        let be = try Fixture.rule("""
        selection:
            Data|utf16be|base64: 'ab'
        condition: selection
        """)
        #expect(be.hits(["Data": Data([0, 0x61, 0, 0x62]).base64EncodedString()]))
        let le = try Fixture.rule("""
        selection:
            Data|utf16le|base64: 'ab'
        condition: selection
        """)
        #expect(le.hits(["Data": Data([0x61, 0, 0x62, 0]).base64EncodedString()]))
        let bom = try Fixture.rule("""
        selection:
            Data|utf16|base64: 'a'
        condition: selection
        """)
        #expect(bom.hits(["Data": Data([0xFF, 0xFE, 0x61, 0]).base64EncodedString()]))
    }

    @Test func windashCoversDashVariants() throws {
        let rule = try Fixture.rule("""
        selection:
            CommandLine|windash|contains: ' -decode '
        condition: selection
        """)
        for dash in ["-", "/", "\u{2013}", "\u{2014}", "\u{2015}"] {
            #expect(rule.hits(["CommandLine": "certutil \(dash)decode a b"]))
        }
        #expect(!rule.hits(["CommandLine": "certutil decode a b"]))
        #expect(SigmaDetectionCompiler.windash(SigmaString(literal: "-a -b")).count == 25)
    }

    @Test func cidrIPv4AndIPv6() throws {
        let rule = try Fixture.rule("""
        selection:
            DestinationIp|cidr:
                - '10.0.0.0/8'
                - '192.168.1.0/24'
                - 'fe80::/10'
                - '2001:db8::/32'
        condition: selection
        """, logsource: "category: network_connection\n    product: windows")
        #expect(rule.hits(["DestinationIp": "10.200.3.4"]))
        #expect(rule.hits(["DestinationIp": "192.168.1.255"]))
        #expect(!rule.hits(["DestinationIp": "192.168.2.1"]))
        #expect(!rule.hits(["DestinationIp": "11.0.0.1"]))
        #expect(rule.hits(["DestinationIp": "FE80::1%12"]))
        #expect(rule.hits(["DestinationIp": "2001:0db8:0000::42"]))
        #expect(!rule.hits(["DestinationIp": "2001:db9::1"]))
        #expect(rule.hits(["DestinationIp": "::ffff:10.1.1.1"]), "an IPv4-mapped address is in the IPv4 network")
        #expect(!rule.hits(["DestinationIp": "not an address"]))
        #expect(SigmaNetwork("1.2.3.4/33") == nil)
        #expect(SigmaNetwork("1::2::3/64") == nil)
    }

    @Test func existsAndFieldref() throws {
        let exists = try Fixture.rule("""
        selection:
            Hashes|exists: true
            Signature|exists: false
        condition: selection
        """)
        #expect(exists.hits(["Hashes": ""]))
        #expect(!exists.hits(["Hashes": "x", "Signature": "y"]))
        #expect(!exists.hits([:]))
        let fieldref = try Fixture.rule("""
        selection:
            Image|fieldref: ParentImage
        condition: selection
        """)
        #expect(fieldref.hits(["Image": "C:\\A.exe", "ParentImage": "c:\\a.exe"]))
        #expect(!fieldref.hits(["Image": "C:\\A.exe", "ParentImage": "c:\\b.exe"]))
        #expect(!fieldref.hits(["Image": "C:\\A.exe"]))
        let startswith = try Fixture.rule("""
        selection:
            TargetFilename|fieldref|startswith: Image
        condition: selection
        """)
        #expect(startswith.hits(["TargetFilename": "c:\\a.exe:stream", "Image": "C:\\A.EXE"]))
    }

    @Test func casedAndNeq() throws {
        let cased = try Fixture.rule("""
        selection:
            CommandLine|contains|cased: 'IEX'
        condition: selection
        """)
        #expect(cased.hits(["CommandLine": "x IEX y"]))
        #expect(!cased.hits(["CommandLine": "x iex y"]))
        let neq = try Fixture.rule("""
        selection:
            Image|endswith: '\\lsass.exe'
            User|neq: 'NT AUTHORITY\\SYSTEM'
        condition: selection
        """)
        #expect(neq.hits(["Image": "c:\\lsass.exe", "User": "corp\\bob"]))
        #expect(!neq.hits(["Image": "c:\\lsass.exe", "User": "nt authority\\system"]))
    }

    @Test func expandNeedsPlaceholderValues() throws {
        let detection = """
        selection:
            Attributes|contains|expand: '%known_cdcs%'
        condition: not selection
        """
        #expect(try Fixture.skipReason(detection)?.contains("%known_cdcs%") == true)
        let rule = try Fixture.rule(detection, options: SigmaCompileOptions(placeholders: ["known_cdcs": ["dc01", "10.0.0.5"]]))
        #expect(!rule.hits(["Attributes": "cdc:DC01.corp"]))
        #expect(rule.hits(["Attributes": "cdc:evil"]))
    }

    @Test func unknownAndTimeModifiersAreSkippedWithTheirName() throws {
        #expect(try Fixture.skipReason("""
        selection:
            CommandLine|sounds_like: 'x'
        condition: selection
        """) == "unknown modifier 'sounds_like' on field 'CommandLine'")
        #expect(try Fixture.skipReason("""
        selection:
            UtcTime|hour: 3
        condition: selection
        """)?.hasPrefix("time modifier 'hour'") == true)
    }

    @Test func keywordsSearchTheKeywordText() throws {
        let rule = try Fixture.rule("""
        keywords:
            - 'sekurlsa::'
            - 'lsadump::'
        condition: keywords
        """, logsource: "product: windows\n    service: security")
        #expect(rule.matches(Fixture.event([:], keywords: ["a", "mimikatz LSADUMP::sam"]))?.keywords == ["mimikatz LSADUMP::sam"])
        #expect(rule.matches(Fixture.event([:], keywords: ["benign"])) == nil)
        let all = try Fixture.rule("""
        keywords:
            '|all':
                - 'OabVirtualDirectory'
                - ' -ExternalUrl '
        condition: keywords
        """, logsource: "product: windows\n    service: msexchange-management")
        #expect(all.matches(Fixture.event([:], keywords: ["Set-OabVirtualDirectory", "x -ExternalUrl http://a"])) != nil)
        #expect(all.matches(Fixture.event([:], keywords: ["Set-OabVirtualDirectory -InternalUrl x"])) == nil)
    }

    @Test func matchReportsTheFieldsThatDecided() throws {
        let rule = try Fixture.rule("""
        selection:
            Image|endswith: '\\cmd.exe'
            CommandLine|contains: 'whoami'
        filter:
            User: 'SYSTEM'
        condition: selection and not filter
        """)
        let match = try #require(rule.matches(Fixture.event(["Image": "C:\\cmd.exe", "CommandLine": "whoami /all", "User": "bob"])))
        #expect(match.ruleID == "00000000-0000-4000-8000-000000000001")
        #expect(match.fields.map(\.name) == ["Image", "CommandLine"])
        #expect(match.fields.map(\.value) == ["C:\\cmd.exe", "whoami /all"])
        #expect(match.fields[0].test == "*\\\\cmd.exe")
        #expect(match.fields.allSatisfy { $0.search == "selection" })
    }
}
