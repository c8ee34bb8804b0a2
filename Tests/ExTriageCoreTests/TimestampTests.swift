import Testing
@testable import ExTriageCore

@Suite struct TimestampTests {
    @Test func formatsUTCWithTrimmedFraction() {
        #expect(Timestamp(seconds: 0).iso8601 == "1970-01-01T00:00:00Z")
        #expect(Timestamp(seconds: 1_614_735_582, nanoseconds: 123_000_000).iso8601 == "2021-03-03T01:39:42.123Z")
        #expect(Timestamp(seconds: 1_614_735_582, nanoseconds: 123_456_000).iso8601 == "2021-03-03T01:39:42.123456Z")
        #expect(Timestamp(seconds: 1_614_735_582, nanoseconds: 1).iso8601 == "2021-03-03T01:39:42.000000001Z")
        #expect(Timestamp(seconds: -1).iso8601 == "1969-12-31T23:59:59Z")
        #expect(Timestamp(seconds: 951_782_400).iso8601 == "2000-02-29T00:00:00Z")
    }

    @Test func parsesExchangeAndIISForms() {
        #expect(Timestamp(iso8601: "2021-03-03T01:00:00.123Z") == Timestamp(seconds: 1_614_733_200, nanoseconds: 123_000_000))
        #expect(Timestamp(iso8601: "2021-03-03 01:00:00") == Timestamp(seconds: 1_614_733_200))
        #expect(Timestamp(iso8601: "2021-03-03T02:00:00+01:00") == Timestamp(seconds: 1_614_733_200))
        #expect(Timestamp(iso8601: "03/03/2021 01:00:00") == nil)
        #expect(Timestamp(iso8601: "2021-13-03T01:00:00Z") == nil)
        #expect(Timestamp(iso8601: "2021-03-03T01:00:00Zjunk") == nil)
        #expect(Timestamp(iso8601: "2021-03-03T01:00:00.Z") == nil)
    }

    @Test(arguments: [0, 1, 59, 86_399, 86_400, 1_614_735_582, 4_102_444_800, -86_401])
    func roundTrips(seconds: Int64) {
        let value = Timestamp(seconds: seconds, nanoseconds: 5_000)
        #expect(Timestamp(iso8601: value.iso8601) == value)
    }
}

@Suite struct ByteCountTests {
    @Test func parsesUnits() {
        #expect(ByteCount.parse("1048576") == 1_048_576)
        #expect(ByteCount.parse("2 GiB") == 2 << 30)
        #expect(ByteCount.parse("512MiB") == 512 << 20)
        #expect(ByteCount.parse(" 16 KiB ") == 16 << 10)
        #expect(ByteCount.parse("1 GB") == nil)
        #expect(ByteCount.parse("-1 MiB") == nil)
        #expect(ByteCount.parse("lots") == nil)
        #expect(ByteCount.parse("99999999999 TiB") == nil)
    }

    @Test func formatsLargestUnit() {
        #expect(ByteCount.format(512) == "512 B")
        #expect(ByteCount.format(1536) == "1.5 KiB")
        #expect(ByteCount.format(2 << 30) == "2.0 GiB")
    }
}
