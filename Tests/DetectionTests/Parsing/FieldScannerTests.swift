import Testing
@testable import Detection

/// The word-at-a-time scanners against a plain byte-by-byte reference, over random lines long enough to cross
/// several 64-byte blocks, with column counts below, at and above the number of fields.
@Suite struct FieldScannerTests {
    /// Python-style lenient CSV, one byte at a time: values, whether each raw field was empty, and whether the
    /// last quote closed.
    static func referenceCSV(_ line: [UInt8]) -> (values: [[UInt8]], rawEmpty: [Bool], closed: Bool) {
        var values: [[UInt8]] = []
        var rawEmpty: [Bool] = []
        var index = 0
        while true {
            let start = index
            var value: [UInt8] = []
            if index < line.count, line[index] == 0x22 {
                index += 1
                var closed = false
                while index < line.count {
                    if line[index] == 0x22 {
                        if index + 1 < line.count, line[index + 1] == 0x22 {
                            value.append(0x22)
                            index += 2
                            continue
                        }
                        index += 1
                        closed = true
                        break
                    }
                    value.append(line[index])
                    index += 1
                }
                if !closed {
                    values.append(value)
                    rawEmpty.append(false)
                    return (values, rawEmpty, false)
                }
            }
            while index < line.count, line[index] != 0x2C {
                value.append(line[index])
                index += 1
            }
            values.append(value)
            rawEmpty.append(index == start)
            if index >= line.count { return (values, rawEmpty, true) }
            index += 1
        }
    }

    static func randomLine(_ alphabet: [String], length: Int, using generator: inout SeededGenerator) -> String {
        (0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }.joined()
    }

    static func isBlank(_ line: String) -> Bool {
        line.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }

    @Test func csvMatchesTheReference() {
        var generator = SeededGenerator(state: 7)
        let alphabets = [
            ["a", "b", "c", "d", ",", ",", ",,,", "\u{E9}", "-", " "],                  // no quotes: fast path
            ["a", "b", ",", ",", "\"", "\"\"", "\u{1F600}", " "],                       // quotes everywhere
            ["xx", ",", "\"q,q\"", ",\"\"\"a\"\"\",", "yyyyyyyyyyyy"],                    // well-formed quoted fields
        ]
        var checked = 0
        for round in 0..<3000 {
            let line = Self.randomLine(alphabets[round % alphabets.count], length: Int.random(in: 0...160, using: &generator), using: &generator)
            let found = Self.referenceCSV(Array(line.utf8)).values.count
            // Mostly the right count, else off by a little or a lot. At least two columns: a one-column #Fields
            // has no comma, so it would mean space-separated.
            let columns = max(2, [found, found, found, found - 1, found + 1, Int.random(in: 2...40, using: &generator)]
                .randomElement(using: &generator) ?? found)
            var parser = W3CLogParser()
            _ = parser.parse(Line(number: 1, text: "#Fields: " + (0..<columns).map { "c\($0)" }.joined(separator: ",")))
            let parsed = parser.parse(Line(number: 2, text: line))
            if Self.isBlank(line) {
                guard case .blank = parsed else { Issue.record("blank line not blank: \(line)"); continue }
                continue
            }
            let reference = Self.referenceCSV(Array(line.utf8))
            let acceptable = reference.closed && (reference.values.count == columns
                || (reference.values.count > columns && reference.rawEmpty[columns...].allSatisfy { $0 }))
            switch parsed {
            case .record(let record):
                #expect(acceptable, "accepted \(line.debugDescription) with \(columns) columns")
                guard acceptable else { continue }
                for column in 0..<columns {
                    #expect(Array(record.value("c\(column)")?.utf8 ?? "<nil>".utf8) == reference.values[column],
                            "column \(column) of \(line.debugDescription)")
                }
                #expect(record.value("c\(columns)") == nil)
                checked += 1
            case .malformed(let reason):
                #expect(!acceptable, "rejected \(line.debugDescription) with \(columns) columns: \(reason)")
                if !reference.closed { #expect(reason == "unterminated quoted field") }
            default:
                Issue.record("unexpected \(parsed) for \(line.debugDescription)")
            }
        }
        #expect(checked > 1000)
    }

    @Test func spacesMatchTheReference() {
        var generator = SeededGenerator(state: 11)
        for _ in 0..<2000 {
            let columns = Int.random(in: 1...30, using: &generator)
            let line = "x" + Self.randomLine(["a", "bb", " ", " ", "-", "+", "\u{E9}", "  "], length: Int.random(in: 0...200, using: &generator), using: &generator)
            var parser = W3CLogParser()
            _ = parser.parse(Line(number: 1, text: "#Fields: " + (0..<columns).map { "c\($0)" }.joined(separator: " ")))
            let reference = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            let acceptable = reference.count == columns || (reference.count > columns && reference[columns...].allSatisfy(\.isEmpty))
            switch parser.parse(Line(number: 2, text: line)) {
            case .record(let record):
                #expect(acceptable)
                guard acceptable else { continue }
                for column in 0..<columns {
                    #expect(record.value("c\(column)") == (reference[column] == "-" ? "" : reference[column]))
                }
            case .malformed:
                #expect(!acceptable, "rejected \(line.debugDescription) with \(columns) columns")
            default:
                Issue.record("unexpected result for \(line.debugDescription)")
            }
        }
    }

    @Test func longRecordsAcrossBlocks() throws {
        // 300 columns of varying width, no quotes (fast path), then the same with one quoted field (general path).
        let names = (0..<300).map { "Column\($0)" }
        let values = (0..<300).map { String(repeating: "v", count: $0 % 23) }
        for quoted in [false, true] {
            var parser = W3CLogParser()
            _ = parser.parse(Line(number: 1, text: "#Fields: " + names.joined(separator: ",")))
            var fields = values
            if quoted { fields[150] = "\"a,\"\"b\"\"\"" }
            let parsed = parser.parse(Line(number: 2, text: fields.joined(separator: ",") + ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,"))
            guard case .record(let record) = parsed else { Issue.record("not a record: \(parsed)"); continue }
            for (index, name) in names.enumerated() {
                let expected = quoted && index == 150 ? "a,\"b\"" : values[index]
                #expect(record.value(name) == expected, "\(name)")
            }
            #expect(record.value("column299") == values[299])
        }
    }

    @Test func lookupIgnoresCaseButPrefersTheExactSpelling() throws {
        var parser = W3CLogParser()
        _ = parser.parse(Line(number: 1, text: "#Fields: a,A,Stem,caf\u{E9},X "))
        guard case .record(let record) = parser.parse(Line(number: 2, text: "1,2,3,4,5")) else {
            Issue.record("not a record")
            return
        }
        #expect(record.value("a") == "1")
        #expect(record.value("A") == "2")
        #expect(record.value("STEM") == "3")
        #expect(record.value("CAF\u{C9}") == "4")  // non-ASCII query: Unicode lower-casing
        #expect(record.value("x") == "5")          // names are trimmed
        #expect(record.value("Ste") == nil)
        #expect(record.value("") == nil)
    }
}
