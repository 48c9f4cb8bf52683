import Testing

@testable import IntakeHandlers

@Suite("Claims validator")
struct ClaimsValidatorTests {
    static let header = CSVHeader(columns: ClaimsValidator.requiredColumns)
    static let today = CivilDate(year: 2024, month: 6, day: 15)!
    static let validator = try! ClaimsValidator(header: header, today: today)  // columns are the required ones
    static let good = ["C-1", "P-9", "12345-6789-01", "30", "30", "2024-02-29", "1234567893", "1245319599", "12.50", "1.00", "0"]

    /// Validates a row built from `good` with some fields replaced.
    func validate(_ changes: [Int: String] = [:], encodeInto buffer: inout CopyTextBuffer) throws -> [RowError] {
        var fields = Self.good
        for (index, value) in changes { fields[index] = value }
        let line = fields.map { $0.contains(",") || $0.contains("\"") ? "\"\($0.replacingOccurrences(of: "\"", with: "\"\""))\"" : $0 }
            .joined(separator: ",")
        return try withRecord(header: "", line: line) { record in
            switch Self.validator.validate(record) {
            case .valid(let row):
                row.encode(into: &buffer)
                return []
            case .invalid(let errors): return errors
            }
        }
    }

    func errors(_ changes: [Int: String]) throws -> [RowErrorKind] {
        var buffer = CopyTextBuffer()
        return try validate(changes, encodeInto: &buffer).map(\.kind)
    }

    @Test func validRowIsNormalisedIntoCopyText() throws {
        var buffer = CopyTextBuffer()
        buffer.setTrailingColumns(["job-1"])
        #expect(try validate([0: " C\\1\t ", 2: "1234-5678-90"], encodeInto: &buffer).isEmpty)
        #expect(String(decoding: buffer.bytes, as: UTF8.self)
            == "C\\\\1\tP-9\t01234567890\t30\t30\t2024-02-29\t1234567893\t1245319599\t12.50\t1.00\t0\tjob-1\n")
        #expect(buffer.rowCount == 1)
    }

    @Test func eachRuleRejectsWithItsErrorType() throws {
        #expect(try errors([0: ""]) == [.missingField])
        #expect(try errors([0: String(repeating: "x", count: 65)]) == [.tooLong])
        #expect(try errors([0: String(repeating: "é", count: 64)]) == [])
        #expect(try errors([2: "1234567890"]) == [.invalidNDC])
        #expect(try errors([3: "0"]) == [.outOfRange])
        #expect(try errors([3: "-2"]) == [.outOfRange])
        #expect(try errors([3: "abc"]) == [.invalidDecimal])
        #expect(try errors([4: "0"]) == [.outOfRange])
        #expect(try errors([4: "366"]) == [.outOfRange])
        #expect(try errors([4: "365"]) == [])
        #expect(try errors([4: "30.5"]) == [.invalidInteger])
        #expect(try errors([5: "2023-02-29"]) == [.invalidDate])
        #expect(try errors([5: "06/15/2024"]) == [.invalidDate])
        #expect(try errors([5: "2024-06-15"]) == [])
        #expect(try errors([5: "2024-06-16"]) == [.futureDate])
        #expect(try errors([6: "1234567890"]) == [.invalidNPI])
        #expect(try errors([7: "123456789"]) == [.invalidNPI])
        #expect(try errors([8: "12.345"]) == [.invalidDecimal])
        #expect(try errors([9: "-0.01"]) == [.outOfRange])
        #expect(try errors([10: "12345678901.00"]) == [.outOfRange])
        #expect(try errors([10: "9999999999.99"]) == [])
        #expect(try errors([1: ""]) == [.missingField])
    }

    @Test func severalProblemsAreAllReported() throws {
        var buffer = CopyTextBuffer()
        let found = try validate([2: "bad", 6: "1234567890", 8: "1.005"], encodeInto: &buffer)
        #expect(found.map(\.kind) == [.invalidNDC, .invalidNPI, .invalidDecimal])
        #expect(found.map(\.column) == ["ndc", "pharmacy_npi", "ingredient_cost"])
        #expect(found.summary.kind == .invalidNDC)
        #expect(found.summary.message.contains("1.005"))
        #expect(buffer.isEmpty)
    }

    @Test func raggedAndMalformedRows() throws {
        let short = try withRecord(header: "", line: "a,b,c") { Self.validator.validate($0).errors }
        #expect(short.map(\.kind) == [.raggedRow])
        #expect(short.first?.message.contains("3 field(s)") == true)
        let malformed = try withRecord(header: "", line: Self.good.joined(separator: ",") + ",\"x\"y") {
            Self.validator.validate($0).errors
        }
        #expect(malformed.map(\.kind) == [.malformedRow])
    }

    @Test func invalidUTF8IsRejectedBeforeItReachesCOPY() throws {
        let parser = CSVParser(start: .init(byteOffset: 0, nextRowNumber: 1))
        parser.append(Array("C1,".utf8) + [0xFF] + Array(",12345678901,1,1,2024-01-01,1234567893,1234567893,1,1,1\n".utf8))
        let record = try #require(parser.nextRecord())
        #expect(Self.validator.validate(record).errors.map(\.kind) == [.invalidEncoding])
    }

    @Test func headerMapsColumnsByNameInAnyOrderWithExtras() throws {
        let header = CSVHeader(columns: [" COPAY", "Extra"] + ClaimsValidator.requiredColumns.dropLast().reversed())
        let validator = try ClaimsValidator(header: header, today: Self.today)
        let values = ["0.50", "ignored"] + Self.good.dropLast().reversed()
        let row = try withRecord(header: "", line: values.joined(separator: ",")) { record -> String in
            var buffer = CopyTextBuffer()
            validator.validate(record).row?.encode(into: &buffer)
            return String(decoding: buffer.bytes, as: UTF8.self)
        }
        #expect(row == "C-1\tP-9\t12345678901\t30\t30\t2024-02-29\t1234567893\t1245319599\t12.50\t1.00\t0.50\n")
    }

    @Test func missingOrDuplicateColumnsAreHeaderErrors() {
        #expect(throws: ImportHeaderError.missingColumns(["copay"], found: Array(ClaimsValidator.requiredColumns.dropLast()))) {
            try ClaimsValidator(header: CSVHeader(columns: Array(ClaimsValidator.requiredColumns.dropLast())))
        }
        #expect(throws: ImportHeaderError.duplicateColumns(["ndc"])) {
            try ClaimsValidator(header: CSVHeader(columns: ClaimsValidator.requiredColumns + ["NDC"]))
        }
    }

    @Test func generatedInvalidRowsFailWithTheirIntendedError() throws {
        var generator = SampleData.generateClaimsCSV(rows: 2_000, invalidEvery: 10, chunkSize: 1000)
        let reference = generator
        let parser = CSVParser()
        var validator: ClaimsValidator?
        var valid = 0
        var mismatches: [String] = []
        while let chunk = generator.next() {
            try chunk.withUnsafeBytes { bytes in
                try parser.parse(bytes) { record in
                    guard let current = validator else {
                        validator = try ClaimsValidator(header: CSVHeader(record), today: CivilDate(year: 2025, month: 1, day: 1)!)
                        return
                    }
                    let result = current.validate(record)
                    let expected = reference.invalidKind(ofRow: record.rowNumber)
                    if let expected {
                        if result.errors.map(\.kind) != [expected.expectedError] {
                            mismatches.append("row \(record.rowNumber) \(expected): \(result.errors)")
                        }
                    } else if result.row == nil {
                        mismatches.append("row \(record.rowNumber) should be valid: \(result.errors)")
                    } else {
                        valid += 1
                    }
                }
            }
        }
        try parser.finish { _ in mismatches.append("unexpected trailing record") }
        #expect(Array(mismatches.prefix(5)) == [])
        #expect(valid == 1_800)
    }
}
