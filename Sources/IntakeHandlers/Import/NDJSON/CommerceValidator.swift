import IntakeSupport

/// Validates one NDJSON line of a commerce file (seed 001 schemas) into a `CommerceRow`.
///
/// Rules: ids are canonical uuids (`8-4-4-4-12` hex, stored lower-case); names and snapshots
/// 1–255 characters, `sku` 1–64, `external_order_id` ≤ 100, `email` ≤ 254 with one `@`;
/// money (`price`, `total_amount`, `unit_price`, `line_total`) is a decimal ≥ 0 with at most 2
/// places and 10 integer digits, given as a JSON number or string and kept exactly as written;
/// `quantity` a whole number 1–1,000,000; `currency` three letters (upper-cased);
/// `order_status` one of `orderStatuses`; timestamps RFC 3339 — without an offset they are taken
/// as UTC; `metadata` an object (absent = `{}`), `raw_payload` any JSON. Unknown fields are
/// ignored; null counts as absent.
public struct CommerceValidator: Sendable {
    public static let orderStatuses = [
        "pending", "confirmed", "processing", "paid", "shipped", "delivered", "completed",
        "cancelled", "refunded", "failed", "on_hold",
    ]

    public let entity: CommerceEntity

    public init(entity: CommerceEntity) { self.entity = entity }

    public func validate(line: UnsafeRawBufferPointer) -> RowValidation<CommerceRow> {
        // The rules every JSON reader in Intake shares, so a row that passes never fails its COPY
        // into jsonb columns.
        let members: [JSONMember]
        do {
            guard let object = try JSONReader.topLevelMembers(line) else {
                return .invalid([RowError(.invalidJSON, column: nil, "not a valid JSON object: expected a JSON object at byte 0")])
            }
            members = object
        } catch {
            return .invalid([RowError(.invalidJSON, column: nil, "not a valid JSON object: \(error.reason) at byte \(error.offset)")])
        }
        var fields = JSONFields(members, line: line)
        if let duplicate = fields.duplicateKey {
            return .invalid([RowError(.invalidJSON, column: duplicate, "field \(duplicate) appears more than once")])
        }
        let id: String?
        var references: [CommerceReference] = []
        var values: [[UInt8]?]
        switch entity {
        case .customers:
            id = fields.uuid("customer_id")
            values = [
                id.map { Array($0.utf8) }, fields.text("name", max: 255), fields.email("email"),
                fields.json("metadata", kinds: [.object], default: "{}"), fields.timestamp("created_at", required: false),
            ]
        case .products:
            id = fields.uuid("product_id")
            let categoryID = fields.uuid("category_id", required: false)
            let active = fields.bool("active", default: true)
            values = [
                id.map { Array($0.utf8) }, fields.text("sku", max: 64), fields.text("name", max: 255),
                fields.money("price"), categoryID.map { Array($0.utf8) }, active.map { $0 ? [0x74] : [0x66] },
                fields.timestamp("created_at", required: false),
            ]
        case .orders:
            id = fields.uuid("order_id")
            let customerID = fields.uuid("customer_id")
            if let customerID { references.append(CommerceReference(entity: .customers, id: customerID)) }
            values = [
                id.map { Array($0.utf8) }, fields.text("external_order_id", max: 100, required: false, allowNumber: true),
                customerID.map { Array($0.utf8) }, fields.text("customer_name_snapshot", max: 255, required: false),
                fields.email("customer_email_snapshot"), fields.money("total_amount"), fields.currency("currency"),
                fields.enumeration("order_status", Self.orderStatuses), fields.timestamp("order_date", required: true),
                fields.json("raw_payload", kinds: [.object, .array, .string, .number, .bool], default: nil),
                fields.timestamp("created_at", required: false),
            ]
        case .orderItems:
            id = fields.uuid("order_item_id")
            let orderID = fields.uuid("order_id")
            let productID = fields.uuid("product_id")
            if let orderID { references.append(CommerceReference(entity: .orders, id: orderID)) }
            if let productID { references.append(CommerceReference(entity: .products, id: productID)) }
            values = [
                id.map { Array($0.utf8) }, orderID.map { Array($0.utf8) }, productID.map { Array($0.utf8) },
                fields.integer("quantity", 1...1_000_000), fields.money("unit_price"), fields.money("line_total"),
            ]
        }
        guard fields.errors.isEmpty, let id else { return .invalid(fields.errors) }
        return .valid(CommerceRow(entity: entity, id: id, references: references, values: values))
    }

    public func validate(line: [UInt8]) -> RowValidation<CommerceRow> {
        line.withUnsafeBytes { validate(line: $0) }
    }
}
