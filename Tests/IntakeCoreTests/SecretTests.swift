import Foundation
import Testing

@testable import IntakeCore

@Suite("Secrets stay secret")
struct SecretTests {
    @Test("description, debugDescription, interpolation and dump are redacted")
    func secretRedacted() {
        let secret = Secret("hunter2")
        #expect(secret.description == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        #expect("\(secret)" == "<redacted>")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("hunter2"))
        #expect(secret.value == "hunter2")
        #expect(secret == Secret("hunter2"))
        #expect(secret != Secret("hunter3"))
        #expect(secret != Secret("hunter22"))
    }

    @Test("no secret of the SPEC example appears when the configuration is printed or dumped")
    func configurationRedacted() throws {
        let config = try IntakeConfiguration.parse(
            yaml: ConfigurationFixtures.specExample, environment: ConfigurationFixtures.environment
        )
        var dumped = ""
        dump(config, to: &dumped)
        let renderings = [String(describing: config), String(reflecting: config), dumped, config.database.redactedURL]
        for rendering in renderings {
            for secret in ConfigurationFixtures.secretValues {
                #expect(!rendering.contains(secret), "\(secret) leaked")
            }
        }
        #expect(dumped.contains("<redacted>"))
        #expect(config.database.redactedURL == "postgres://intake:<redacted>@db.internal:5432/intake")
    }

    @Test("errors about secret keys never quote the value")
    func errorsRedacted() {
        let yaml = """
            database: { url: [postgres://u:pg-pass-123@h/db] }
            sources:
              partner:
                verify: { type: standard-webhooks, secret: "whsec_not*base64!stripe-secret-value" }
                handler: webhook.generic
            """
        let error = #expect(throws: ConfigurationError.self) {
            try IntakeConfiguration.parse(yaml: yaml, environment: [:])
        }
        let text = error?.description ?? ""
        #expect(error?.contains(path: "sources.partner.verify.secret") == true)
        #expect(error?.contains(path: "database.url") == true)
        #expect(!text.contains("stripe-secret-value"))
        #expect(!text.contains("pg-pass-123"))
    }

    @Test("database URLs are redacted in URI and conninfo forms", arguments: [
        ("postgres://u:p4ss@h:5432/db", "postgres://u:<redacted>@h:5432/db"),
        ("postgresql://u@h/db?password=p4ss&sslmode=require", "postgresql://u@h/db?password=<redacted>&sslmode=require"),
        ("host=h password=p4ss dbname=d", "host=h password=<redacted> dbname=d"),
        ("host=h password='p4 ss\\'x' dbname=d", "host=h password=<redacted> dbname=d"),
        ("host=/tmp dbname=d", "host=/tmp dbname=d"),
    ])
    func databaseRedaction(url: String, expected: String) {
        #expect(DatabaseSettings(url: Secret(url)).redactedURL == expected)
    }
}
