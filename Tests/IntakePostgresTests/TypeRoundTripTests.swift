import Foundation
import IntakePostgres
import IntakeTestSupport
import Testing

@Suite("PostgreSQL types", .enabled(if: TestDatabase.available, TestDatabase.skipReason))
struct TypeRoundTripTests {
    @Test func textUnicodeAndNull() async throws {
        let db = try await TestDatabase.connect()
        let text = "Grüße, 東京 🚀 'quoted' \"double\" \\ back"
        let rows = try await db.query("SELECT $1::text, $2::text", text, String?.none)
        #expect(try rows[0].decode(String.self, at: 0) == text)
        #expect(try rows[0].decode(String?.self, at: 1) == nil)
        #expect(throws: PostgresError.self) { try rows[0].decode(String.self, at: 1) }
    }

    @Test func integersAndBool() async throws {
        let db = try await TestDatabase.connect()
        let rows = try await db.query(
            "SELECT $1::bigint, $2::int, $3::bool, $4::bool, $5::smallint", Int64.max, Int32.min, true, false, -7)
        #expect(try rows[0].decode(Int64.self, at: 0) == Int64.max)
        #expect(try rows[0].decode(Int32.self, at: 1) == Int32.min)
        #expect(try rows[0].decode(Bool.self, at: 2) == true)
        #expect(try rows[0].decode(Bool.self, at: 3) == false)
        #expect(try rows[0].decode(Int.self, at: 4) == -7)
    }

    @Test func numericIsExact() async throws {
        let db = try await TestDatabase.connect()
        let value = try #require(PostgresNumeric("12345678901234567890.123456789012"))
        let rows = try await db.query("SELECT $1::numeric, $1::numeric + 0.1, 0.1::numeric + 0.2", value)
        #expect(try rows[0].decode(PostgresNumeric.self, at: 0).text == "12345678901234567890.123456789012")
        #expect(try rows[0].decode(PostgresNumeric.self, at: 1).text == "12345678901234567890.223456789012")
        #expect(try rows[0].decode(PostgresNumeric.self, at: 2).text == "0.3")
        #expect(PostgresNumeric("1.2.3") == nil)
        #expect(PostgresNumeric("12a") == nil)
    }

    @Test func timestampsAndDates() async throws {
        let db = try await TestDatabase.connect()
        let instant = Date(timeIntervalSince1970: 1_700_000_000.123456)
        let rows = try await db.query(
            "SELECT $1::timestamptz, '2024-02-29 23:59:59.5+05:30'::timestamptz, $2::date, '1999-12-31'::date",
            instant, PostgresDate(year: 2024, month: 2, day: 29))
        let back = try rows[0].decode(Date.self, at: 0)
        #expect(abs(back.timeIntervalSince1970 - instant.timeIntervalSince1970) < 0.000_001)
        let offset = try rows[0].decode(Date.self, at: 1)
        #expect(offset.timeIntervalSince1970 == 1_709_231_399.5)
        #expect(try rows[0].decode(PostgresDate.self, at: 2) == PostgresDate(year: 2024, month: 2, day: 29))
        #expect(try rows[0].decode(PostgresDate.self, at: 3).description == "1999-12-31")
    }

    @Test func uuidJSONAndBytea() async throws {
        let db = try await TestDatabase.connect()
        let id = UUID()
        let json = try PostgresJSON(object: ["name": "Zoë", "n": 3, "nested": ["a": [1, 2]]] as [String: Any])
        let bytes: [UInt8] = [0, 1, 2, 0, 255, 0, 0x5c, 0x78]
        let rows = try await db.query(
            "SELECT $1::uuid, $2::jsonb, $3::bytea, length($3::bytea), ($2::jsonb)->>'name'", id, json, bytes)
        #expect(try rows[0].decode(UUID.self, at: 0) == id)
        let object = try #require(try rows[0].decode(PostgresJSON.self, at: 1).object() as? [String: Any])
        #expect(object["name"] as? String == "Zoë")
        #expect(try rows[0].decode([UInt8].self, at: 2) == bytes)
        #expect(try rows[0].decode(Int.self, at: 3) == bytes.count)
        #expect(try rows[0].decode(String.self, at: 4) == "Zoë")
    }

    @Test func arraysBindForAny() async throws {
        let db = try await TestDatabase.connect()
        let rows = try await db.query(
            "SELECT x FROM unnest($1::text[]) AS x ORDER BY x", PostgresArray(["b", "a,\"q\"", nil, "c\\d"]))
        #expect(rows.count == 4)
        #expect(try rows[0].decode(String.self, at: 0) == "a,\"q\"")
        #expect(try rows[3].decode(String?.self, at: 0) == nil)
        let ints = try await db.query("SELECT sum(x) FROM unnest($1::bigint[]) AS x", PostgresArray([1, 2, 3]))
        #expect(try ints[0].decode(Int.self, at: 0) == 6)
    }
}
