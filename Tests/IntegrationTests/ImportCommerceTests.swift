import Foundation
import IntakeCore
import IntakeHandlers
import IntakePostgres
import IntakeSchema
import IntakeTestSupport
import Testing

@Suite("Commerce imports", .enabled(if: ImportEnvironment.available, ImportEnvironment.skipReason))
struct ImportCommerceTests {
    struct Dataset {
        var customers: [String] = []
        var products: [String] = []
        var orders: [String] = []
        var items: [String] = []

        static func make(customers: Int, products: Int, orders: Int, itemsPerOrder: Int) -> Dataset {
            func id() -> String { UUID().uuidString.lowercased() }
            var data = Dataset()
            let customerIDs = (0..<customers).map { _ in id() }
            let productIDs = (0..<products).map { _ in id() }
            for (index, customer) in customerIDs.enumerated() {
                data.customers.append(
                    #"{"customer_id":"\#(customer)","name":"Customer \#(index)","email":"c\#(index)@example.com","metadata":{"tier":"gold"},"created_at":"2024-01-02T03:04:05Z"}"#)
            }
            for (index, product) in productIDs.enumerated() {
                data.products.append(
                    #"{"product_id":"\#(product)","sku":"SKU-\#(index)","name":"Product \#(index)","price":"19.99","category_id":"\#(id())","active":true}"#)
            }
            for index in 0..<orders {
                let order = id()
                let customer = customerIDs[index % customers]
                data.orders.append(
                    #"{"order_id":"\#(order)","external_order_id":"EXT-\#(index)","customer_id":"\#(customer)","total_amount":59.97,"currency":"usd","order_status":"paid","order_date":"2024-02-01T10:00:00+01:00","raw_payload":{"source":"test"}}"#)
                for item in 0..<itemsPerOrder {
                    data.items.append(
                        #"{"order_item_id":"\#(id())","order_id":"\#(order)","product_id":"\#(productIDs[(index + item) % products])","quantity":3,"unit_price":"19.99","line_total":"59.97"}"#)
                }
            }
            return data
        }
    }

    @Test func filesInReverseDependencyOrderAllLandAfterPromotion() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { name in
            let db = try await TestDatabase.connect(database: name)
            let pool = PostgresPool(configuration: TestDatabase.configuration(database: name), size: 2)
            let bucket = try await ImportEnvironment.bucket("commerce")
            let services = try ImportEnvironment.services(
                routes: [RouteSettings(key: GlobPattern("commerce/*.ndjson"), handler: "ndjson.commerce")])
            let handler = CommerceImportHandler(services: services)
            let context = ImportEnvironment.context(pool: pool)
            let data = Dataset.make(customers: 20, products: 15, orders: 60, itemsPerOrder: 3)

            let files: [(String, [String])] = [
                ("commerce/order_items_1.ndjson", data.items), ("commerce/orders_1.ndjson", data.orders),
                ("commerce/products_1.ndjson", data.products), ("commerce/customers_1.ndjson", data.customers),
            ]
            for (key, lines) in files {
                let task = try await ImportEnvironment.upload(Array((lines.joined(separator: "\n") + "\n").utf8), bucket: bucket, key: key)
                let outcome = try await handler.handle(ImportEnvironment.message(task, handler: handler.name), context: context)
                #expect(outcome.isSuccess, "\(key): \(outcome)")
                if key.contains("order_items") {
                    // Nothing they refer to exists yet: every item waits, for its order and its product.
                    #expect(try await db.count("SELECT count(*) FROM ingest.order_items_staging") == data.items.count)
                    #expect(try await db.count("SELECT count(*) FROM ingest.order_items") == 0)
                    #expect(
                        try await db.count(
                            "SELECT count(*) FROM ingest.order_items_staging WHERE cardinality(waiting_for) = 2") == data.items.count)
                }
            }
            #expect(try await db.count("SELECT count(*) FROM ingest.orders_staging") == data.orders.count)
            #expect(try await db.count("SELECT count(*) FROM ingest.customers") == data.customers.count)
            #expect(try await db.count("SELECT count(*) FROM ingest.products") == data.products.count)

            // Promotion runs on import.completed, through the notify worker's consumer.
            let drained = try await ImportEnvironment.runJobs(database: name, services: services) {
                try await db.count("SELECT count(*) FROM intake.jobs WHERE status <> 'succeeded'") == 0
            }
            #expect(drained)
            #expect(try await db.count("SELECT count(*) FROM ingest.orders") == data.orders.count)
            #expect(try await db.count("SELECT count(*) FROM ingest.order_items") == data.items.count)
            #expect(try await db.count("SELECT count(*) FROM ingest.orders_staging") == 0)
            #expect(try await db.count("SELECT count(*) FROM ingest.order_items_staging") == 0)
            #expect(try await db.count("SELECT count(*) FROM intake.import_job_errors") == 0)
            #expect(try await db.count("SELECT count(*) FROM intake.dead_letters") == 0)
            #expect(try await db.count("SELECT count(*) FROM intake.import_jobs WHERE status <> 'completed'") == 0)
            // Values survive staging exactly: currency upper-cased by validation, decimals exact, json kept.
            #expect(try await db.count("SELECT count(*) FROM ingest.orders WHERE currency = 'USD' AND total_amount = 59.97") == data.orders.count)
            #expect(try await db.count("SELECT count(*) FROM ingest.orders WHERE raw_payload->>'source' = 'test'") == data.orders.count)
            #expect(try await db.text("SELECT metadata->'data_quality'->>'passed' FROM intake.import_jobs WHERE metadata->>'entity' = 'customers'") == "true")
            await pool.close()
            await db.close()
        }
    }
}
