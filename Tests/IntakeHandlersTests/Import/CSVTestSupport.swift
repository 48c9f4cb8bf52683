@testable import IntakeHandlers

/// A record copied out of the parser, for comparisons.
struct ParsedRecord: Equatable, CustomStringConvertible {
    var rowNumber: Int
    var fields: [String]
    var raw: String
    var startByteOffset: Int64
    var endByteOffset: Int64
    var malformation: CSVMalformation?
    var oversized: OversizedRecord?
    var rawText: String

    var resumePointAfter: CSVParser.ResumePoint {
        CSVParser.ResumePoint(byteOffset: endByteOffset, nextRowNumber: rowNumber + 1)
    }

    init(_ record: CSVRecord) {
        rowNumber = record.rowNumber
        fields = record.strings
        raw = String(decoding: record.raw, as: UTF8.self)
        startByteOffset = record.startByteOffset
        endByteOffset = record.endByteOffset
        malformation = record.malformation
        oversized = record.oversized
        rawText = record.rawText()
    }

    var description: String { "#\(rowNumber) \(fields) [\(startByteOffset)..<\(endByteOffset)]" }
}

/// Parses `input` fed in pieces of the given sizes (cycled), then finishes.
func parseCSV(
    _ input: [UInt8], chunkSizes: [Int]? = nil, start: CSVParser.ResumePoint? = nil,
    maxRecordBytes: Int = 1 << 20
) throws -> [ParsedRecord] {
    let parser = CSVParser(start: start, maxRecordBytes: maxRecordBytes)
    let chunkSizes = chunkSizes ?? [max(input.count, 1)]
    var records: [ParsedRecord] = []
    var offset = 0
    var sizeIndex = 0
    while offset < input.count {
        let size = max(1, chunkSizes[sizeIndex % chunkSizes.count])
        sizeIndex += 1
        let end = min(input.count, offset + size)
        try input[offset..<end].withUnsafeBytes { chunk in
            try parser.parse(chunk) { records.append(ParsedRecord($0)) }
        }
        offset = end
    }
    try parser.finish { records.append(ParsedRecord($0)) }
    return records
}

func parseCSV(_ text: String, chunkSizes: [Int]? = nil, start: CSVParser.ResumePoint? = nil) throws -> [ParsedRecord] {
    try parseCSV(Array(text.utf8), chunkSizes: chunkSizes, start: start)
}

/// Deterministic pseudo-random chunk sizes between 1 and `limit`.
func randomChunkSizes(seed: UInt64, count: Int = 97, limit: Int = 17) -> [Int] {
    var random = SplitMix64(seed: seed)
    return (0..<count).map { _ in 1 + Int(random.next(below: UInt64(limit))) }
}

/// Runs `body` with a CSVRecord parsed from one data line under `header`.
func withRecord<R>(header: String, line: String, _ body: (CSVRecord) throws -> R) throws -> R {
    let parser = CSVParser(start: CSVParser.ResumePoint(byteOffset: 0, nextRowNumber: 1))
    parser.append(Array(line.utf8))
    parser.finish()
    guard let record = parser.nextRecord() else {
        throw TestFailure("no record parsed from \(line)")
    }
    return try body(record)
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
