import Foundation
import IntakeCore
import Testing

@testable import IntakeHandlers

@Suite("Import runtime")
struct ImportRuntimeTests {
    @Test func sourceIdentifierPrefersVersionIdThenTheETagWithoutQuotes() {
        #expect(ImportSourceIdentifier.version(versionId: "v1", eTag: "\"abc\"") == "v1")
        #expect(ImportSourceIdentifier.version(versionId: nil, eTag: "\"abc\"") == "abc")
        #expect(ImportSourceIdentifier.version(versionId: "null", eTag: "\"abc\"") == "abc")
        #expect(ImportSourceIdentifier.version(versionId: nil, eTag: nil) == nil)
        let plain = ImportSourceIdentifier(bucket: "b", key: "claims/a.csv", version: "abc")
        #expect(plain.description == "s3://b/claims/a.csv#abc")
        let again = ImportSourceIdentifier(bucket: "b", key: "claims/a.csv", version: "abc", reprocessTag: "42")
        #expect(again.description == "s3://b/claims/a.csv#abc@reprocess:42")
    }

    @Test func importSettingsFromTheEnvironmentRefuseWhatIsNotAPositiveNumber() {
        let good = ["INTAKE_IMPORT_MAX_RECORD_BYTES": "2097152", "INTAKE_IMPORT_CHUNK_ROWS": "100"]
        #expect(ImportSettings.environmentProblem(good) == nil)
        #expect(ImportSettings.fromEnvironment(good).maxRecordBytes == 2_097_152)
        #expect(ImportSettings.fromEnvironment(good).chunkRows == 100)
        #expect(ImportSettings.fromEnvironment([:]).maxRecordBytes == 1_048_576)
        let bad = ["INTAKE_IMPORT_MAX_RECORD_BYTES": "2MB"]
        #expect(ImportSettings.environmentProblem(bad) == "INTAKE_IMPORT_MAX_RECORD_BYTES must be a positive whole number, got \"2MB\"")
        #expect(ImportSettings.environmentProblem(["INTAKE_IMPORT_CHUNK_ROWS": "0"]) != nil)
    }

    @Test func finalStatusFollowsTheCounts() {
        #expect(ImportJobStatus.final(successful: 10, failed: 0) == .completed)
        #expect(ImportJobStatus.final(successful: 0, failed: 0) == .completed)
        #expect(ImportJobStatus.final(successful: 9, failed: 1) == .partiallyCompleted)
        #expect(ImportJobStatus.final(successful: 0, failed: 3) == .failed)
        #expect(ImportJobStatus.allCases.filter(\.isFinal) == [.completed, .partiallyCompleted, .failed, .skipped])
    }

    /// Feeds `text` to a claims decoder in pieces, committing chunks of `chunkRows` the way
    /// the runner does; returns the chunks.
    func decode(_ text: String, chunkRows: Int, decoder: any ImportDecoder) throws -> [ImportChunk] {
        try decode(Array(text.utf8), chunkRows: chunkRows, decoder: decoder)
    }

    func decode(_ bytes: [UInt8], chunkRows: Int, decoder: any ImportDecoder) throws -> [ImportChunk] {
        var chunks: [ImportChunk] = []
        var chunk = ImportChunk(reservingCapacity: 1024)
        func drain() throws {
            while true {
                switch try decoder.next(into: &chunk) {
                case .needMore: return
                case .header(let header): try decoder.accept(header: header)
                case .record:
                    if chunk.records >= chunkRows {
                        chunks.append(chunk)
                        chunk.reset()
                    }
                }
            }
        }
        for start in stride(from: 0, to: bytes.count, by: 7) {
            bytes[start..<min(start + 7, bytes.count)].withUnsafeBytes { decoder.append($0) }
            try drain()
        }
        decoder.finish()
        try drain()
        if !chunk.isEmpty { chunks.append(chunk) }
        return chunks
    }

    static let header = "claim_id,patient_id,ndc,quantity,days_supply,fill_date,pharmacy_npi,prescriber_npi,ingredient_cost,dispensing_fee,copay"
    static func row(_ id: Int, ndc: String = "12345678901") -> String {
        "C\(id),P1,\(ndc),30,30,2023-05-01,1234567893,1234567893,10.00,1.50,0.00"
    }

    @Test func chunksCountRowsAndEndAtRecordBoundaries() throws {
        let lines = [Self.header] + (1...5).map { Self.row($0, ndc: $0 == 3 ? "bad" : "12345678901") }
        let text = lines.joined(separator: "\r\n") + "\r\n"
        let decoder = try CSVImportDecoder(format: .pharmacyClaims, resume: nil, header: nil)
        let chunks = try decode(text, chunkRows: 2, decoder: decoder)
        #expect(chunks.map(\.records) == [2, 2, 1])
        #expect(chunks.map(\.valid) == [2, 1, 1])
        #expect(chunks[1].failures.rowNumbers == [3])
        #expect(chunks[1].failures.types == ["invalid_ndc"])
        #expect(chunks[1].failures.raws == [Self.row(3, ndc: "bad")])
        #expect(chunks.map(\.lastRow) == [2, 4, 5])
        // Each chunk ends just past its last record's line break: where a resume starts.
        let offsets = chunks.map(\.endByte)
        for (index, offset) in offsets.enumerated() {
            let prefix = lines[0...(2 * index + 2 < lines.count ? 2 * index + 2 : lines.count - 1)]
            #expect(offset == Int64(prefix.joined(separator: "\r\n").utf8.count + 2), "chunk \(index)")
        }
        var progress = ImportProgress()
        for chunk in chunks { progress = progress.adding(chunk) }
        #expect(progress == ImportProgress(processed: 5, successful: 4, failed: 1, lastRow: 5, lastByte: Int64(text.utf8.count)))
    }

    @Test func aResumedDecoderNeedsTheHeaderFromTheJobAndNumbersRowsOn() throws {
        let first = Self.header + "\n" + Self.row(1) + "\n"
        let rest = Self.row(2) + "\n" + Self.row(3, ndc: "x") + "\n"
        let decoder = try CSVImportDecoder(
            format: .pharmacyClaims, resume: CSVParser.ResumePoint(byteOffset: Int64(first.utf8.count), nextRowNumber: 2),
            header: CSVHeader(columns: Self.header.split(separator: ",").map(String.init)))
        let chunks = try decode(rest, chunkRows: 10, decoder: decoder)
        #expect(chunks.count == 1)
        #expect(chunks[0].valid == 1)
        #expect(chunks[0].failures.rowNumbers == [3])
        #expect(chunks[0].endByte == Int64((first + rest).utf8.count))
    }

    @Test func aHeaderWithoutRequiredColumnsIsRefused() throws {
        let decoder = try CSVImportDecoder(format: .pharmacyClaims, resume: nil, header: nil)
        #expect(throws: ImportHeaderError.self) {
            _ = try decode("claim_id,patient_id\nC1,P1\n", chunkRows: 10, decoder: decoder)
        }
    }

    @Test func anOversizedRowIsOneTooLongErrorAndTheRowsAfterItLoad() throws {
        let long = Self.row(2) + String(repeating: "x", count: 3000)
        let text = [Self.header, Self.row(1), long, Self.row(3)].joined(separator: "\n") + "\n"
        let decoder = try CSVImportDecoder(format: .pharmacyClaims, resume: nil, header: nil, maxRecordBytes: 2048)
        let chunks = try decode(text, chunkRows: 10, decoder: TextInputCheck(decoder))
        #expect(chunks.count == 1)
        #expect(chunks[0].records == 3)
        #expect(chunks[0].valid == 2)
        #expect(chunks[0].failures.rowNumbers == [2])
        #expect(chunks[0].failures.types == ["too_long"])
        #expect(chunks[0].failures.messages[0].hasPrefix("row 2 is \(long.utf8.count) bytes long, over the limit of 2048 bytes"))
        #expect(chunks[0].failures.raws[0] == String(long.prefix(OversizedRecord.keptBytes)) + "…")
        #expect(chunks[0].endByte == Int64(text.utf8.count))
    }

    @Test func filesThatAreNotTextAreRefusedBeforeAnyRow() throws {
        let utf16: [UInt8] = [0xFF, 0xFE] + (Self.header + "\n" + Self.row(1) + "\n").utf16.flatMap { unit -> [UInt8] in
            [UInt8(truncatingIfNeeded: unit), UInt8(unit >> 8)]
        }
        let noBOM = Array(utf16.dropFirst(2))
        let gzip: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]
        let zstd: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0x04, 0x58]
        for (bytes, expected) in [
            (utf16, "it is UTF-16 text (byte order mark ff fe)"), (noBOM, "NUL byte at byte 1"),
            (gzip, "gzip-compressed (it starts with 1f 8b)"), (zstd, "zstd-compressed"),
        ] {
            let decoder = TextInputCheck(try CSVImportDecoder(format: .pharmacyClaims, resume: nil, header: nil))
            #expect {
                _ = try decode(bytes, chunkRows: 10, decoder: decoder)
            } throws: { error in
                (error as? NotTextInput)?.description.contains(expected) == true
            }
        }
        let ndjson = TextInputCheck(CommerceImportDecoder(entity: .customers, jobID: UUID(), resume: nil))
        #expect(throws: NotTextInput.self) { _ = try decode(utf16, chunkRows: 10, decoder: ndjson) }
        // A header in Latin-1: which byte is not UTF-8.
        let latin1 = Array(Self.header.utf8) + [0x2C, 0x72, 0xE9, 0x66, 0x0A] + Array((Self.row(1) + ",x\n").utf8)
        let decoder = TextInputCheck(try CSVImportDecoder(format: .pharmacyClaims, resume: nil, header: nil))
        #expect(throws: ImportHeaderError.notText(byteOffset: Int64(Self.header.utf8.count + 2))) {
            _ = try decode(latin1, chunkRows: 10, decoder: decoder)
        }
        // Invalid UTF-8 in one row of a text file is that row's error.
        let oneBadRow = Array((Self.header + "\nC1,P").utf8) + [0xFF]
            + Array((Self.row(1).dropFirst(4) + "\n" + Self.row(2) + "\n").utf8)
        let claims = try CSVImportDecoder(format: .pharmacyClaims, resume: nil, header: nil)
        let rows = try decode(oneBadRow, chunkRows: 10, decoder: TextInputCheck(claims))
        #expect(rows.first?.valid == 1)
        #expect(rows.first?.failures.types == ["invalid_encoding"])
    }

    @Test func commerceRowsThatMayWaitCarryTheirLineForStaging() throws {
        let jobID = UUID()
        let decoder = CommerceImportDecoder(entity: .orders, jobID: jobID, resume: nil)
        let line = #"{"order_id":"6f1c0f0e-8a51-4d55-9d7e-2f3c4b5a6d7e","customer_id":"0b7f9a52-3c1d-4e8f-a6b5-c4d3e2f1a0b9","total_amount":"5.00","currency":"eur","order_status":"paid","order_date":"2024-01-01T00:00:00Z"}"#
        Array((line + "\n").utf8).withUnsafeBytes { decoder.append($0) }
        decoder.finish()
        var chunk = ImportChunk(reservingCapacity: 256)
        #expect(try decoder.next(into: &chunk) == .record)
        #expect(chunk.valid == 1)
        let fields = String(decoding: chunk.copy.bytes, as: UTF8.self).dropLast().split(separator: "\t", omittingEmptySubsequences: false)
        let sql = try #require(CommerceReferenceSQL(entity: .orders))
        // The target's columns, then the raw line and its number.
        #expect(fields.count == sql.table.columns.count + 2)
        #expect(fields[sql.table.columns.count - 1] == Substring(jobID.uuidString.lowercased()))
        #expect(fields.last == "1")
        #expect(sql.copyIntoChunk.hasSuffix("import_job_id, raw_line, line_number) FROM STDIN"))
        #expect(sql.promote.contains("jsonb_populate_record(NULL::ingest.orders"))
        #expect(CommerceReferenceSQL(entity: .customers) == nil)
    }
}

extension DecodeStep: Equatable {
    public static func == (lhs: DecodeStep, rhs: DecodeStep) -> Bool {
        switch (lhs, rhs) {
        case (.needMore, .needMore), (.record, .record): return true
        case (.header(let a), .header(let b)): return a == b
        default: return false
        }
    }
}
