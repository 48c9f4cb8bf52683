/// The four commerce files `ndjson.commerce` loads, in dependency order.
public enum CommerceEntity: String, Sendable, Hashable, CaseIterable, Codable {
    case customers
    case products
    case orders
    case orderItems = "order_items"

    /// The entity a file holds, from its name: `customers_*.ndjson`, `products_*.ndjson`,
    /// `orders_*.ndjson`, `order_items_*.ndjson`. Takes an S3 key and looks at its last path
    /// component; the prefix is compared case-insensitively. Nil for any other name.
    public init?(objectKey: String) {
        let name = objectKey.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? objectKey
        let lower = name.lowercased()
        guard lower.hasSuffix(".ndjson") else { return nil }
        // Longest prefix first: "order_items_" also starts with "order".
        for entity in [CommerceEntity.orderItems, .customers, .products, .orders]
        where lower.hasPrefix(entity.rawValue + "_") {
            self = entity
            return
        }
        return nil
    }

    /// The target table and the column order `CommerceRow.encode` writes.
    public var table: ImportTable {
        switch self {
        case .customers:
            return ImportTable(
                name: "ingest.customers",
                columns: ["customer_id", "name", "email", "metadata", "created_at", "import_job_id"],
                keyColumns: ["customer_id"])
        case .products:
            return ImportTable(
                name: "ingest.products",
                columns: ["product_id", "sku", "name", "price", "category_id", "active", "created_at", "import_job_id"],
                keyColumns: ["product_id"])
        case .orders:
            return ImportTable(
                name: "ingest.orders",
                columns: [
                    "order_id", "external_order_id", "customer_id", "customer_name_snapshot",
                    "customer_email_snapshot", "total_amount", "currency", "order_status", "order_date",
                    "raw_payload", "created_at", "import_job_id",
                ],
                keyColumns: ["order_id"])
        case .orderItems:
            return ImportTable(
                name: "ingest.order_items",
                columns: [
                    "order_item_id", "order_id", "product_id", "quantity", "unit_price", "line_total",
                    "import_job_id",
                ],
                keyColumns: ["order_item_id"])
        }
    }

    /// Where rows wait for missing references (`ImportSchema`); nil for entities without any.
    public var stagingTable: String? {
        switch self {
        case .orders: return "ingest.orders_staging"
        case .orderItems: return "ingest.order_items_staging"
        case .customers, .products: return nil
        }
    }

    /// Singular noun for messages and the staging tables' `waiting_for` values.
    public var singular: String {
        switch self {
        case .customers: return "customer"
        case .products: return "product"
        case .orders: return "order"
        case .orderItems: return "order_item"
        }
    }
}

/// A row another entity's row must exist for: an order's customer, an item's order and product.
public struct CommerceReference: Sendable, Hashable, Codable, CustomStringConvertible {
    public var entity: CommerceEntity
    /// Lower-case canonical uuid.
    public var id: String

    public init(entity: CommerceEntity, id: String) {
        self.entity = entity
        self.id = id
    }

    public var description: String { "\(entity.singular) \(id)" }
}
