import Foundation
import Testing

@testable import IntakeHandlers

/// Not a timed test: it asserts counts and only prints the rate. Run in release mode:
/// `INTAKE_PERF=1 swift test -c release -Xswiftc -enable-testing --filter ClaimsThroughput`.
/// With `INTAKE_PERF_STREAM=1` chunks are generated while parsing (generation time included)
/// instead of up front, so the process's peak RSS shows what streaming a file costs.
@Suite("Claims throughput (INTAKE_PERF)")
struct ClaimsThroughputTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["INTAKE_PERF"] != nil, "set INTAKE_PERF=1 to measure"))
    func parseValidateEncodeOneMillionRows() throws {
        let rows = Int(ProcessInfo.processInfo.environment["INTAKE_PERF_ROWS"] ?? "") ?? 1_000_000
        let clock = ContinuousClock()
        var generator = SampleData.generateClaimsCSV(rows: rows, invalidEvery: 100)
        let streaming = ProcessInfo.processInfo.environment["INTAKE_PERF_STREAM"] != nil
        var chunks: [[UInt8]] = []
        let generation = clock.measure {
            if !streaming { while let chunk = generator.next() { chunks.append(chunk) } }
        }
        var bytes = chunks.reduce(0) { $0 + $1.count }

        var valid = 0
        var invalid = 0
        var copied = 0
        let elapsed = try clock.measure {
            let parser = CSVParser()
            var validator: ClaimsValidator?
            var buffer = CopyTextBuffer()
            buffer.setTrailingColumns(["6f1c2a4e-6f0b-4a8e-9a55-2b1f0c7d9e11"])
            func handle(_ record: CSVRecord) throws {
                guard let validator else {
                    validator = try ClaimsValidator(header: CSVHeader(record), today: CivilDate(year: 2025, month: 1, day: 1)!)
                    return
                }
                switch validator.validate(record) {
                case .valid(let row):
                    row.encode(into: &buffer)
                    valid += 1
                case .invalid:
                    invalid += 1
                }
                if buffer.count >= 1 << 20 {
                    copied += buffer.count
                    buffer.removeAll()
                }
            }
            for chunk in chunks {
                try chunk.withUnsafeBytes { try parser.parse($0, handle) }
            }
            if streaming {
                while let chunk = generator.next() {
                    bytes += chunk.count
                    try chunk.withUnsafeBytes { try parser.parse($0, handle) }
                }
            }
            try parser.finish(handle)
            copied += buffer.count
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            "claims: \(rows) rows, \(bytes) bytes; generate \(generation); parse+validate+encode \(elapsed): "
                + "\(Int(Double(rows) / seconds)) rows/s, \(Int(Double(bytes) / seconds / 1e6)) MB/s in, "
                + "\(copied) COPY bytes")
        #expect(valid + invalid == rows)
        #expect(invalid == generator.invalidRowCount)
    }
}
