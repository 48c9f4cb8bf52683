import IntakePostgres
import Testing

@Suite("Array literals")
struct PostgresArrayTests {
    @Test func escapesTextAndEncodesByteaAsHex() {
        #expect(PostgresArray(["a", "b\"c", "d\\e", nil]).postgresBind == .text(#"{"a","b\"c","d\\e",NULL}"#))
        #expect(PostgresArray(bytea: [[0x00, 0xff], []]).postgresBind == .text(#"{"\\x00ff","\\x"}"#))
        #expect(PostgresArray([Int64(1), 2, 3]).postgresBind == .text("{1,2,3}"))
        #expect(PostgresArray([1, nil] as [Int?]).postgresBind == .text("{1,NULL}"))
        #expect(PostgresArray([true, false]).postgresBind == .text("{t,f}"))
    }
}
