import Foundation

/// NDJSON bytes → chunk rows for one commerce entity.
///
/// Rows of entities without references (customers, products) are written as the target
/// table's columns. Rows that may have to wait (orders, order items) also carry the line as
/// received and its number, for the staging table (`CommerceChunkLoader`).
final class CommerceImportDecoder: ImportDecoder {
    let splitter: NDJSONLineSplitter
    let validator: CommerceValidator
    let jobID: String
    let carriesRaw: Bool

    init(entity: CommerceEntity, jobID: UUID, resume: NDJSONLineSplitter.ResumePoint?,
        maxLineBytes: Int = ImportSettings.defaultMaxRecordBytes
    ) {
        splitter = NDJSONLineSplitter(start: resume, maxLineBytes: maxLineBytes)
        validator = CommerceValidator(entity: entity)
        self.jobID = jobID.uuidString.lowercased()
        carriesRaw = entity.stagingTable != nil
    }

    var hasHeader: Bool { true }
    func accept(header: CSVHeader) throws {}
    func append(_ bytes: UnsafeRawBufferPointer) { splitter.append(bytes) }
    func finish() { splitter.finish() }

    func next(into chunk: inout ImportChunk) throws -> DecodeStep {
        guard let line = splitter.nextLine() else { return .needMore }
        if let oversized = line.oversized {
            chunk.rejected(
                row: line.lineNumber, errors: [oversized.rowError("line \(line.lineNumber)")], raw: line.text(),
                endByte: line.endByteOffset)
            return .record
        }
        switch validator.validate(line: line.bytes) {
        case .valid(let row):
            for value in row.values {
                if let value { value.withUnsafeBytes { chunk.copy.appendText($0) } } else { chunk.copy.appendNull() }
            }
            chunk.copy.appendText(jobID)
            if carriesRaw {
                chunk.copy.appendText(line.bytes)
                chunk.copy.appendInt(line.lineNumber)
            }
            chunk.copy.endRow()
            chunk.accepted(row: line.lineNumber, endByte: line.endByteOffset)
        case .invalid(let errors):
            chunk.rejected(row: line.lineNumber, errors: errors, raw: line.text(), endByte: line.endByteOffset)
        }
        return .record
    }
}
