import Testing

@testable import IntakeHandlers

@Suite("NDJSON splitting and commerce validation")
struct NDJSONTests {
    struct SplitLine: Equatable {
        var number: Int
        var text: String
        var start: Int64
        var end: Int64
    }

    func split(_ text: String, chunk: Int, start: NDJSONLineSplitter.ResumePoint? = nil) throws -> [SplitLine] {
        let bytes = Array(text.utf8)
        let splitter = NDJSONLineSplitter(start: start)
        var lines: [SplitLine] = []
        func drain() throws {
            while let line = splitter.nextLine() {
                lines.append(SplitLine(number: line.lineNumber, text: line.text(), start: line.startByteOffset, end: line.endByteOffset))
            }
        }
        var offset = 0
        while offset < bytes.count {
            splitter.append(Array(bytes[offset..<min(bytes.count, offset + chunk)]))
            offset += chunk
            try drain()
        }
        splitter.finish()
        try drain()
        return lines
    }

    @Test(arguments: [1, 2, 5, 1000])
    func linesWithOffsetsAcrossChunks(chunk: Int) throws {
        let lines = try split("{\"a\":1}\r\n\n  \r\n{\"b\":2}\n{\"c\":3}", chunk: chunk)
        #expect(lines == [
            SplitLine(number: 1, text: "{\"a\":1}", start: 0, end: 9),
            SplitLine(number: 4, text: "{\"b\":2}", start: 14, end: 22),
            SplitLine(number: 5, text: "{\"c\":3}", start: 22, end: 29),
        ])
    }

    @Test func resumeContinuesLineNumbersAndOffsets() throws {
        let lines = try split("{\"b\":2}\n", chunk: 3, start: .init(byteOffset: 100, nextLineNumber: 7))
        #expect(lines == [SplitLine(number: 7, text: "{\"b\":2}", start: 100, end: 108)])
    }

    @Test(arguments: [1, 3, 4096])
    func anOverlongLineIsOneLineAndTheNextOnesAreRead(chunk: Int) throws {
        let long = String(repeating: "x", count: 2000)
        let text = "{\"a\":1}\n" + long + "\r\n{\"b\":2}\n" + long
        let bytes = Array(text.utf8)
        let splitter = NDJSONLineSplitter(maxLineBytes: 1500)
        var lines: [(number: Int, start: Int64, end: Int64, text: String, oversized: OversizedRecord?)] = []
        func drain() {
            while let line = splitter.nextLine() {
                lines.append((line.lineNumber, line.startByteOffset, line.endByteOffset, line.text(), line.oversized))
            }
        }
        for offset in stride(from: 0, to: bytes.count, by: chunk) {
            splitter.append(Array(bytes[offset..<min(bytes.count, offset + chunk)]))
            drain()
        }
        splitter.finish()
        drain()
        #expect(lines.map(\.number) == [1, 2, 3, 4])
        #expect(lines.map(\.oversized) == [nil, OversizedRecord(byteCount: 2000, limit: 1500), nil, OversizedRecord(byteCount: 2000, limit: 1500)])
        #expect(lines[1].start == 8 && lines[1].end == 2010)
        #expect(lines[2].start == 2010 && lines[2].text == "{\"b\":2}")
        #expect(lines[3].end == Int64(bytes.count))
        #expect(lines[1].text == String(repeating: "x", count: OversizedRecord.keptBytes) + "…")
    }

    @Test func entityFromObjectKey() {
        #expect(CommerceEntity(objectKey: "commerce/2024/customers_0001.ndjson") == .customers)
        #expect(CommerceEntity(objectKey: "products_x.ndjson") == .products)
        #expect(CommerceEntity(objectKey: "commerce/orders_1.NDJSON") == .orders)
        #expect(CommerceEntity(objectKey: "commerce/order_items_2024-01-01.ndjson") == .orderItems)
        #expect(CommerceEntity(objectKey: "commerce/orders.ndjson") == nil)
        #expect(CommerceEntity(objectKey: "commerce/customers_1.json") == nil)
        #expect(CommerceEntity(objectKey: "customers_1.ndjson/readme.txt") == nil)
    }

    static let customerID = "d8f45064-01c6-4498-a626-54e56ed89841"
    static let orderID = "0b9f2a52-6a38-4c1e-9d51-3f7c2e6d1a10"
    static let productID = "5c1d3b7e-2f4a-4e8b-9c6d-7a8b9c0d1e2f"

    func check(_ entity: CommerceEntity, _ json: String) -> RowValidation<CommerceRow> {
        CommerceValidator(entity: entity).validate(line: Array(json.utf8))
    }

    @Test func customerIsNormalised() throws {
        let row = try #require(check(.customers, """
            {"customer_id":"D8F45064-01C6-4498-A626-54E56ED89841","name":"Zoë \\"Z\\"","email":"z@example.com",\
            "metadata":{"tier":"gold"},"created_at":"2024-01-15T10:30:00","extra":[1,2]}
            """).row)
        #expect(row.id == Self.customerID)
        #expect(row.references == [])
        #expect(row.value(of: "name") == "Zoë \"Z\"")
        #expect(row.value(of: "metadata") == "{\"tier\":\"gold\"}")
        #expect(row.value(of: "created_at") == "2024-01-15T10:30:00+00:00")
        let bare = try #require(check(.customers, "{\"customer_id\":\"\(Self.customerID)\",\"name\":\"A\"}").row)
        #expect(bare.value(of: "metadata") == "{}")
        #expect(bare.value(of: "email") == nil)
    }

    @Test func productsKeepDecimalsExactly() throws {
        let row = try #require(check(.products, """
            {"product_id":"\(Self.productID)","sku":"SKU-1","name":"Pen","price":19.90,"category_id":null,"active":false}
            """).row)
        #expect(row.value(of: "price") == "19.90")
        #expect(row.value(of: "active") == "f")
        #expect(row.value(of: "category_id") == nil)
        let fromString = try #require(check(.products, """
            {"product_id":"\(Self.productID)","sku":"S","name":"P","price":"1234567890.01"}
            """).row)
        #expect(fromString.value(of: "price") == "1234567890.01")
        #expect(fromString.value(of: "active") == "t")
    }

    @Test func ordersAndItemsNameTheirReferences() throws {
        let order = try #require(check(.orders, """
            {"order_id":"\(Self.orderID)","customer_id":"\(Self.customerID)","total_amount":"10.00","currency":"usd",\
            "order_status":"Shipped","order_date":"2024-01-15T10:30:00Z","raw_payload":{"k":[1,{"x":null}]},"external_order_id":12345}
            """).row)
        #expect(order.references == [CommerceReference(entity: .customers, id: Self.customerID)])
        #expect(order.value(of: "currency") == "USD")
        #expect(order.value(of: "order_status") == "shipped")
        #expect(order.value(of: "external_order_id") == "12345")
        let item = try #require(check(.orderItems, """
            {"order_item_id":"\(Self.productID)","order_id":"\(Self.orderID)","product_id":"\(Self.productID)",\
            "quantity":3,"unit_price":2.5,"line_total":"7.50"}
            """).row)
        #expect(item.references.map(\.entity) == [.orders, .products])
        var buffer = CopyTextBuffer()
        buffer.setTrailingColumns(["job"])
        item.encode(into: &buffer)
        #expect(String(decoding: buffer.bytes, as: UTF8.self)
            == "\(Self.productID)\t\(Self.orderID)\t\(Self.productID)\t3\t2.5\t7.50\tjob\n")
    }

    @Test func invalidRecordsReportEveryProblem() {
        func kinds(_ entity: CommerceEntity, _ json: String) -> [RowErrorKind] { check(entity, json).errors.map(\.kind) }
        #expect(kinds(.customers, "{\"customer_id\":\"not-a-uuid\",\"name\":\"A\"}") == [.invalidUUID])
        #expect(kinds(.customers, "{\"customer_id\":\"\(Self.customerID)\"}") == [.missingField])
        #expect(kinds(.customers, "{\"customer_id\":\"\(Self.customerID)\",\"name\":\"\(String(repeating: "n", count: 256))\"}") == [.tooLong])
        #expect(kinds(.customers, "{\"customer_id\":\"\(Self.customerID)\",\"name\":\"A\",\"email\":\"nope\"}") == [.invalidEmail])
        #expect(kinds(.customers, "{\"customer_id\":\"\(Self.customerID)\",\"name\":\"A\",\"metadata\":[1]}") == [.invalidType])
        #expect(kinds(.products, "{\"product_id\":\"\(Self.productID)\",\"sku\":\"S\",\"name\":\"P\",\"price\":1.005}") == [.invalidDecimal])
        #expect(kinds(.products, "{\"product_id\":\"\(Self.productID)\",\"sku\":\"S\",\"name\":\"P\",\"price\":1e3}") == [.invalidDecimal])
        #expect(kinds(.products, "{\"product_id\":\"\(Self.productID)\",\"sku\":\"S\",\"name\":\"P\",\"price\":-1}") == [.outOfRange])
        #expect(kinds(.products, "{\"product_id\":\"\(Self.productID)\",\"sku\":\"S\",\"name\":\"P\",\"price\":1,\"active\":\"yes\"}") == [.invalidBoolean])
        #expect(kinds(.orders, "{\"order_id\":\"\(Self.orderID)\",\"customer_id\":\"\(Self.customerID)\",\"total_amount\":1,\"currency\":\"US\",\"order_status\":\"lost\",\"order_date\":\"yesterday\"}")
            == [.invalidEnum, .invalidEnum, .invalidTimestamp])
        #expect(kinds(.orderItems, "{\"order_item_id\":\"\(Self.orderID)\",\"order_id\":\"\(Self.orderID)\",\"product_id\":\"\(Self.productID)\",\"quantity\":1.5,\"unit_price\":1,\"line_total\":1}") == [.invalidInteger])
        #expect(kinds(.orderItems, "{\"order_item_id\":\"\(Self.orderID)\",\"order_id\":\"\(Self.orderID)\",\"product_id\":\"\(Self.productID)\",\"quantity\":0,\"unit_price\":1,\"line_total\":1}") == [.outOfRange])
    }

    @Test(arguments: [
        "not json", "[1,2]", "{\"a\":1,}", "{\"a\":01}", "{\"a\":\"\\u0000\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"tab\there\"}",
        "{\"a\":1} x", "{\"a\":tru}", "{\"a\":\"x\",\"a\":\"y\"}", "{\"a\":\"\\q\"}",
    ])
    func malformedJSONIsRejected(json: String) {
        #expect(check(.customers, json).errors.map(\.kind) == [.invalidJSON])
    }

    /// Lines nest as deep as webhook bodies may (256 levels, the one reader's limit), no deeper.
    @Test func deepNestingIsRejected() {
        let deep = "{\"metadata\":" + String(repeating: "[", count: 300) + String(repeating: "]", count: 300) + "}"
        #expect(check(.customers, deep).errors.map(\.kind) == [.invalidJSON])
    }

    /// A number jsonb's numeric cannot hold used to pass here and then fail its chunk's COPY.
    @Test(arguments: ["1e131072", "1e-16384", "0e99999999999999999999"])
    func numbersJsonbCannotStoreAreRejected(number: String) {
        let line = "{\"customer_id\":\"\(Self.customerID)\",\"name\":\"N\",\"metadata\":{\"n\":\(number)}}"
        #expect(check(.customers, line).errors.map(\.kind) == [.invalidJSON])
        #expect(check(.customers, line).errors.first?.message.contains("numeric") == true)
    }
}
