import Foundation
import IntakeTestSupport
import Testing

/// A source whose key material is empty or too short must keep the receiver from starting:
/// a running receiver with an empty HMAC key would accept requests signed with the empty key.
@Suite("Receiver refuses weak keys at start-up", .enabled(if: TestDatabase.available, TestDatabase.skipReason))
struct WeakKeyStartupTests {
    func startReceiver(verify: String, environment: [String: String] = [:]) async throws -> (status: Int32?, log: String) {
        let config = """
            database:
              url: "\(TestDatabase.url ?? "")"
            receiver:
              listen: 127.0.0.1:0
            sources:
              partner:
                verify: \(verify)
                handler: webhook.generic
            """
        let receiver = try WorkerProcess("intake-receiver", config: config, environment: environment)
        let status = await receiver.waitForExit(timeout: .seconds(20))
        if status == nil { receiver.signal(SIGKILL) }
        return (status, receiver.log)
    }

    @Test func aWhsecPrefixWithAnEmptyVariableDoesNotStart() async throws {
        let (status, log) = try await startReceiver(
            verify: #"{ type: standard-webhooks, secret: "whsec_${PARTNER_KEY:-}" }"#, environment: ["PARTNER_KEY": ""])
        #expect(status != nil && status != 0, "the receiver kept running: \(log)")
        #expect(log.contains("sources.partner.verify.secret"), "\(log)")
    }

    @Test func anHMACSecretOfSpacesDoesNotStart() async throws {
        let (status, log) = try await startReceiver(verify: #"{ type: hmac-sha256, header: X-Sig, secret: "    " }"#)
        #expect(status != nil && status != 0, "the receiver kept running: \(log)")
        #expect(log.contains("sources.partner.verify.secret"), "\(log)")
    }

    @Test func aShortBearerTokenDoesNotStart() async throws {
        let (status, log) = try await startReceiver(verify: #"{ type: bearer, token: "${FHIR_TOKEN}" }"#, environment: ["FHIR_TOKEN": "abc"])
        #expect(status != nil && status != 0, "the receiver kept running: \(log)")
        #expect(log.contains("sources.partner.verify.token"), "\(log)")
        #expect(!log.contains("abc\""), "the token's value reached the log: \(log)")
    }
}
