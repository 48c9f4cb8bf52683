/// Realistic sample input for benchmarks, tests and scripts.
public enum SampleData {
    /// A pharmacy claims CSV of `rows` data rows (plus header) as a stream of chunks of about
    /// `chunkSize` bytes. With `invalidEvery` = n > 0, every n-th row is invalid, cycling through
    /// `ClaimsCSVGenerator.InvalidKind`. Deterministic for a given `seed`. The header carries an
    /// extra `drug_name` column (quoted, with commas and sometimes doubled quotes) that the
    /// validator ignores; NDCs come in all accepted forms; fill dates lie in 2022–2024.
    public static func generateClaimsCSV(
        rows: Int, invalidEvery: Int = 0, seed: UInt64 = 0x1D7A_4E11, chunkSize: Int = 64 * 1024
    ) -> ClaimsCSVGenerator {
        ClaimsCSVGenerator(rows: rows, invalidEvery: invalidEvery, seed: seed, chunkSize: chunkSize)
    }
}

/// Chunks of a generated claims CSV; see `SampleData.generateClaimsCSV`.
public struct ClaimsCSVGenerator: Sequence, IteratorProtocol, Sendable {
    public enum InvalidKind: Int, CaseIterable, Sendable {
        case badNDC, badNPICheckDigit, futureFillDate, impossibleDate, moneyWithThreePlaces
        case daysSupplyZero, missingClaimID, raggedRow, zeroQuantity, negativeCopay

        /// The `RowErrorKind` a validator reports for it.
        public var expectedError: RowErrorKind {
            switch self {
            case .badNDC: return .invalidNDC
            case .badNPICheckDigit: return .invalidNPI
            case .futureFillDate: return .futureDate
            case .impossibleDate: return .invalidDate
            case .moneyWithThreePlaces: return .invalidDecimal
            case .daysSupplyZero, .zeroQuantity, .negativeCopay: return .outOfRange
            case .missingClaimID: return .missingField
            case .raggedRow: return .raggedRow
            }
        }
    }

    public static let header =
        "claim_id,patient_id,ndc,drug_name,quantity,days_supply,fill_date,pharmacy_npi,"
        + "prescriber_npi,ingredient_cost,dispensing_fee,copay"

    public let rows: Int
    public let invalidEvery: Int
    public let chunkSize: Int
    private var nextRow = 0
    private var random: SplitMix64
    private var headerWritten = false

    init(rows: Int, invalidEvery: Int, seed: UInt64, chunkSize: Int) {
        self.rows = rows
        self.invalidEvery = invalidEvery
        self.chunkSize = Swift.max(chunkSize, 512)
        random = SplitMix64(seed: seed)
    }

    /// The kind of row `row` (1-based) is, or nil for a valid row.
    public func invalidKind(ofRow row: Int) -> InvalidKind? {
        guard invalidEvery > 0, row % invalidEvery == 0 else { return nil }
        return InvalidKind(rawValue: (row / invalidEvery - 1) % InvalidKind.allCases.count)
    }

    /// Rows the generator makes invalid.
    public var invalidRowCount: Int { invalidEvery > 0 ? rows / invalidEvery : 0 }

    public mutating func next() -> [UInt8]? {
        guard nextRow < rows || !headerWritten else { return nil }
        var chunk: [UInt8] = []
        chunk.reserveCapacity(chunkSize + 512)
        if !headerWritten {
            chunk.append(contentsOf: Self.header.utf8)
            chunk.append(0x0A)
            headerWritten = true
        }
        while nextRow < rows && chunk.count < chunkSize {
            nextRow += 1
            appendRow(nextRow, to: &chunk)
        }
        return chunk
    }

    private static let drugs = [
        "Amoxicillin 500 MG Oral Capsule", "\"Lisinopril 10 MG, Oral Tablet\"",
        "Atorvastatin 20 MG Oral Tablet", "\"Metformin HCl 500 MG, \"\"ER\"\" Tablet\"",
        "\"Albuterol 90 MCG/ACT, Inhaler\"", "Levothyroxine 50 MCG Oral Tablet",
    ]

    private mutating func appendRow(_ row: Int, to out: inout [UInt8]) {
        let kind = invalidKind(ofRow: row)
        func put(_ text: String) { out.append(contentsOf: text.utf8) }
        func comma() { out.append(0x2C) }

        if kind != .missingClaimID { put("CLM"); putPadded(row, width: 10, &out) }
        comma()
        put("PAT"); putPadded(Int(random.next(below: 5_000_000)), width: 8, &out); comma()
        putNDC(kind: kind, &out); comma()
        put(Self.drugs[Int(random.next(below: UInt64(Self.drugs.count)))]); comma()
        if kind == .zeroQuantity {
            put("0")
        } else {
            put(String(1 + random.next(below: 180)))
            if random.next(below: 4) == 0 { put(".5") }
        }
        comma()
        put(kind == .daysSupplyZero ? "0" : String([30, 90, 7, 14, 28][Int(random.next(below: 5))])); comma()
        switch kind {
        case .futureFillDate: put("2999-01-15")
        case .impossibleDate: put("2023-02-30")
        default:
            put(String(2022 + random.next(below: 3))); out.append(0x2D)
            putPadded(Int(1 + random.next(below: 12)), width: 2, &out); out.append(0x2D)
            putPadded(Int(1 + random.next(below: 28)), width: 2, &out)
        }
        comma()
        putNPI(corrupt: kind == .badNPICheckDigit, &out); comma()
        putNPI(corrupt: false, &out); comma()
        putMoney(Int(random.next(below: 500_000)), &out)
        if kind == .moneyWithThreePlaces { put("5") }
        comma()
        putMoney(Int(random.next(below: 1_500)), &out)
        if kind != .raggedRow {
            comma()
            if kind == .negativeCopay { put("-") }
            putMoney(Int(random.next(below: 5_000)), &out)
        }
        out.append(0x0A)
    }

    private mutating func putNDC(kind: InvalidKind?, _ out: inout [UInt8]) {
        let labeler = Int(random.next(below: 100_000))
        let product = Int(random.next(below: 10_000))
        let package = Int(random.next(below: 100))
        if kind == .badNDC {
            putPadded(labeler, width: 5, &out); out.append(0x2D); putPadded(product, width: 3, &out)
            return
        }
        let segments: [(Int, Int)]
        switch random.next(below: 10) {
        case 0: segments = [(labeler % 10_000, 4), (product, 4), (package, 2)]
        case 1: segments = [(labeler, 5), (product % 1_000, 3), (package, 2)]
        case 2: segments = [(labeler, 5), (product, 4), (package % 10, 1)]
        case 3: segments = [(labeler, 5), (product, 4), (package, 2)]
        default:
            putPadded(labeler, width: 5, &out); putPadded(product, width: 4, &out)
            putPadded(package, width: 2, &out)
            return
        }
        for (index, segment) in segments.enumerated() {
            if index > 0 { out.append(0x2D) }
            putPadded(segment.0, width: segment.1, &out)
        }
    }

    private mutating func putNPI(corrupt: Bool, _ out: inout [UInt8]) {
        var digits = [UInt8](repeating: 0, count: 10)
        digits[0] = UInt8(1 + random.next(below: 2))
        var sum = 24
        for i in 0..<9 {
            if i > 0 { digits[i] = UInt8(random.next(below: 10)) }
            let digit = Int(digits[i])
            sum += i % 2 == 0 ? (digit * 2 > 9 ? digit * 2 - 9 : digit * 2) : digit
        }
        let check = (10 - sum % 10) % 10
        digits[9] = UInt8(corrupt ? (check + 1) % 10 : check)
        out.append(contentsOf: digits.map { $0 + 0x30 })
    }

    private func putMoney(_ cents: Int, _ out: inout [UInt8]) {
        out.append(contentsOf: String(cents / 100).utf8)
        out.append(0x2E)
        putPadded(cents % 100, width: 2, &out)
    }

    private func putPadded(_ value: Int, width: Int, _ out: inout [UInt8]) {
        let digits = String(value)
        for _ in digits.utf8.count..<Swift.max(width, digits.utf8.count) { out.append(0x30) }
        out.append(contentsOf: digits.utf8)
    }
}

/// A small deterministic PRNG (SplitMix64) so generated files are reproducible.
struct SplitMix64: Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(below bound: UInt64) -> UInt64 { next() % bound }
}
