import Foundation

/// Validates one CSV record and, when it is valid, appends it to the COPY buffer; returns the
/// row's problems otherwise.
typealias CSVRowEncoder = (CSVRecord, inout CopyTextBuffer) -> [RowError]?

/// What differs between the CSV strategies: their table and their validator.
public struct CSVImportFormat: Sendable {
    public let handlerName: String
    public let table: ImportTable
    let makeEncoder: @Sendable (CSVHeader) throws -> CSVRowEncoder

    public static let pharmacyClaims = CSVImportFormat(
        handlerName: "csv.pharmacy_claims", table: .pharmacyClaims,
        makeEncoder: { header in
            let validator = try ClaimsValidator(header: header)
            return { record, buffer in
                switch validator.validate(record) {
                case .valid(let row):
                    row.encode(into: &buffer)
                    return nil
                case .invalid(let errors):
                    return errors
                }
            }
        })

    public static let auditRecords = CSVImportFormat(
        handlerName: "csv.audit_records", table: .auditRecords,
        makeEncoder: { header in
            let validator = try AuditValidator(header: header)
            return { record, buffer in
                switch validator.validate(record) {
                case .valid(let row):
                    row.encode(into: &buffer)
                    return nil
                case .invalid(let errors):
                    return errors
                }
            }
        })
}

/// CSV bytes → chunk rows: the parser, the header mapping and the row validator.
final class CSVImportDecoder: ImportDecoder {
    let parser: CSVParser
    let format: CSVImportFormat
    private var encoder: CSVRowEncoder?

    /// From the file's start, or from `resume` with the header the job recorded.
    init(format: CSVImportFormat, resume: CSVParser.ResumePoint?, header: CSVHeader?,
        maxRecordBytes: Int = ImportSettings.defaultMaxRecordBytes
    ) throws {
        self.format = format
        parser = CSVParser(start: resume, maxRecordBytes: maxRecordBytes)
        if let header { try accept(header: header) }
    }

    var hasHeader: Bool { encoder != nil }

    func accept(header: CSVHeader) throws {
        encoder = try format.makeEncoder(header)
    }

    func append(_ bytes: UnsafeRawBufferPointer) { parser.append(bytes) }
    func finish() { parser.finish() }

    func next(into chunk: inout ImportChunk) throws -> DecodeStep {
        guard let record = parser.nextRecord() else { return .needMore }
        if record.isHeader { return .header(try CSVHeader(checking: record)) }
        guard let encoder else { throw ImportHeaderError.empty }
        if let oversized = record.oversized {
            chunk.rejected(
                row: record.rowNumber, errors: [oversized.rowError("row \(record.rowNumber)")], raw: record.rawText(),
                endByte: record.endByteOffset)
        } else if let errors = encoder(record, &chunk.copy) {
            chunk.rejected(row: record.rowNumber, errors: errors, raw: record.rawText(), endByte: record.endByteOffset)
        } else {
            chunk.accepted(row: record.rowNumber, endByte: record.endByteOffset)
        }
        return .record
    }
}
