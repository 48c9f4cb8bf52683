import Testing

@testable import IntakeHandlers

@Suite("CSV parser")
struct CSVParserTests {
    @Test func headerAndSimpleRows() throws {
        let records = try parseCSV("a,b,c\n1,2,3\n4,5,6\n")
        #expect(records.map(\.rowNumber) == [0, 1, 2])
        #expect(records.map(\.fields) == [["a", "b", "c"], ["1", "2", "3"], ["4", "5", "6"]])
        #expect(records.map(\.endByteOffset) == [6, 12, 18])
        #expect(records[1].startByteOffset == 6)
        #expect(records[1].raw == "1,2,3")
    }

    @Test func quotedFieldsWithCommasQuotesAndNewlines() throws {
        let input = "h1,h2,h3\n\"a,b\",\"say \"\"hi\"\"\",\"line1\nline2\"\n\"\",x,\"\"\"\"\n"
        let records = try parseCSV(input)
        #expect(records.count == 3)
        #expect(records[1].fields == ["a,b", "say \"hi\"", "line1\nline2"])
        #expect(records[1].raw == "\"a,b\",\"say \"\"hi\"\"\",\"line1\nline2\"")
        #expect(records[2].fields == ["", "x", "\""])
        #expect(records.allSatisfy { $0.malformation == nil })
    }

    @Test func crlfAndBareCRTerminators() throws {
        let records = try parseCSV("a,b\r\n1,2\r\n3,\"4\"\r5,6")
        #expect(records.map(\.fields) == [["a", "b"], ["1", "2"], ["3", "4"], ["5", "6"]])
        #expect(records.map(\.endByteOffset) == [5, 10, 16, 19])
        #expect(records[1].raw == "1,2")
    }

    @Test func byteOrderMarkIsSkippedOnlyAtFileStart() throws {
        let input: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("id,name\n1,x\n".utf8)
        let records = try parseCSV(input, chunkSizes: [1])
        #expect(records[0].fields == ["id", "name"])
        #expect(records[0].startByteOffset == 3)
        #expect(records[1].endByteOffset == Int64(input.count))
        // Not at the start of a file: the bytes are data.
        let resumed = try parseCSV([0xEF, 0xBB, 0xBF] + Array("1,x\n".utf8), start: .init(byteOffset: 100, nextRowNumber: 5))
        #expect(resumed[0].fields == ["\u{FEFF}1", "x"])
    }

    @Test func finalRecordWithoutNewlineAndTrailingEmptyField() throws {
        #expect(try parseCSV("a,b\n1,2").last?.fields == ["1", "2"])
        #expect(try parseCSV("a,b\n1,").last?.fields == ["1", ""])
        #expect(try parseCSV("a,b\n1,\"x\"").last?.fields == ["1", "x"])
        #expect(try parseCSV("a,b\n1,2\r").last?.endByteOffset == 8)
    }

    @Test func raggedRowsReportTheirFieldCount() throws {
        let records = try parseCSV("a,b,c\n1,2\n1,2,3,4\n,,\n")
        #expect(records.map(\.fields.count) == [3, 2, 4, 3])
        #expect(records[3].fields == ["", "", ""])
    }

    @Test func blankLinesAreSkippedWithoutRowNumbers() throws {
        let records = try parseCSV("\n\r\na,b\n\n1,2\r\n\r\n3,4\n\n")
        #expect(records.map(\.rowNumber) == [0, 1, 2])
        #expect(records.map(\.fields) == [["a", "b"], ["1", "2"], ["3", "4"]])
        #expect(records[2].startByteOffset == 15)
    }

    @Test func malformedQuotesAreKeptAndFlagged() throws {
        let records = try parseCSV("a,b\n\"ab\"cd,2\n\"open,3\n")
        #expect(records[1].fields == ["abcd", "2"])
        #expect(records[1].malformation == .textAfterClosingQuote)
        #expect(records[2].fields == ["open,3\n"])
        #expect(records[2].malformation == .unterminatedQuote)
        // A quote inside an unquoted field is literal (5" screen) and not an error.
        let literal = try parseCSV("a\n5\" screen\n")
        #expect(literal[1].fields == ["5\" screen"])
        #expect(literal[1].malformation == nil)
    }

    /// Skipped in pieces (small chunks) or seen whole (one chunk): the same record either way.
    @Test(arguments: [1, 7, 1000, 100_000])
    func anOversizedRecordIsOneRecordWithoutFieldsAndTheNextOnesAreRead(chunkSize: Int) throws {
        let long = String(repeating: "x", count: 5000)
        // A quoted line break inside: the record ends where CSV says, not at the first LF.
        let record = long + ",\"q\nq" + long + "\""
        let input = Array("a,b\n1,2\n\(record)\r\n3,4\n".utf8)
        let records = try parseCSV(input, chunkSizes: [chunkSize], maxRecordBytes: 2048)
        #expect(records.map(\.fields) == [["a", "b"], ["1", "2"], [], ["3", "4"]])
        #expect(records.map(\.rowNumber) == [0, 1, 2, 3])
        #expect(records[2].oversized == OversizedRecord(byteCount: Int64(record.utf8.count), limit: 2048))
        #expect(records[2].startByteOffset == 8)
        #expect(records[2].endByteOffset == Int64(8 + record.utf8.count + 2))
        #expect(records[3].startByteOffset == records[2].endByteOffset)
        #expect(records[2].rawText == String(repeating: "x", count: OversizedRecord.keptBytes) + "…")
        #expect(records[1].oversized == nil)
    }

    @Test(arguments: [3, 1000])
    func anUnclosedQuoteOverTheLimitRunsToTheEndAndSaysSo(chunkSize: Int) throws {
        let rest = "\"" + String(repeating: "x", count: 5000) + "\n2\n"
        let records = try parseCSV(Array(("a\n1\n" + rest).utf8), chunkSizes: [chunkSize], maxRecordBytes: 2048)
        #expect(records.count == 3)
        #expect(records[2].oversized == OversizedRecord(byteCount: Int64(rest.utf8.count), limit: 2048, endsInUnclosedQuote: true))
        #expect(records[2].endByteOffset == Int64(4 + rest.utf8.count))
    }

    static let tricky =
        "\u{FEFF}id,text,n\r\n1,\"a,\"\"b\"\"\r\nc\",3\r\n\r\n2,plain,\"\"\r\n3,\"\"\"\",x\n4,\"q\"\"\",\"\r\"\r5,last,\"end\""

    @Test(arguments: [1, 2, 3, 5, 7, 64])
    func chunkBoundariesAnywhereGiveTheSameRecords(chunkSize: Int) throws {
        let whole = try parseCSV(Self.tricky)
        #expect(whole.count == 6)
        #expect(whole[1].fields == ["1", "a,\"b\"\r\nc", "3"])
        #expect(whole[4].fields == ["4", "q\"", "\r"])
        #expect(try parseCSV(Self.tricky, chunkSizes: [chunkSize]) == whole)
    }

    @Test(arguments: [1, 2, 3, 4])
    func randomChunkSizesGiveTheSameRecords(seed: UInt64) throws {
        var generator = SampleData.generateClaimsCSV(rows: 300, invalidEvery: 7, chunkSize: 4096)
        var input: [UInt8] = []
        while let chunk = generator.next() { input += chunk }
        let whole = try parseCSV(input)
        #expect(whole.count == 301)
        #expect(whole.last?.endByteOffset == Int64(input.count))
        #expect(try parseCSV(input, chunkSizes: randomChunkSizes(seed: seed, limit: 300)) == whole)
    }

    @Test func byteByByteMatchesWholeForTheTrickyInput() throws {
        #expect(try parseCSV(Self.tricky, chunkSizes: [1]) == parseCSV(Self.tricky))
    }

    @Test func resumeFromARecordOffsetContinuesNumberingAndOffsets() throws {
        let text = "id,v\n1,\"a\nb\"\n2,x\r\n3,y\n"
        let bytes = Array(text.utf8)
        let all = try parseCSV(bytes)
        let resumeAt = all[1].resumePointAfter  // after row 1
        #expect(resumeAt == CSVParser.ResumePoint(byteOffset: 13, nextRowNumber: 2))
        let tail = Array(bytes[Int(resumeAt.byteOffset)...])
        let resumed = try parseCSV(tail, chunkSizes: [2], start: resumeAt)
        #expect(resumed == Array(all[2...]))
    }

    @Test func consumedOffsetTracksWhatWasReturned() throws {
        let parser = CSVParser()
        parser.append(Array("a,b\n1,2\n3,".utf8))
        #expect(parser.nextRecord()?.isHeader == true)
        #expect(parser.nextRecord()?.endByteOffset == 8)
        #expect(parser.nextRecord() == nil)  // "3," waits for more
        #expect(parser.consumedByteOffset == 8)
        parser.append(Array("4\n".utf8))
        #expect(parser.nextRecord()?.strings == ["3", "4"])
    }

    @Test func rawTextReplacesWhatPostgreSQLCannotStore() throws {
        let bytes: [UInt8] = Array("a\n".utf8) + [0x78, 0x00, 0xFF, 0x0A]
        let parser = CSVParser()
        parser.append(bytes)
        parser.finish()
        _ = parser.nextRecord()
        let record = try #require(parser.nextRecord())
        #expect(record.rawText() == "x\u{FFFD}\u{FFFD}")
    }
}
