import Foundation
import Testing

@testable import IntakeCore

/// Every problem configuration loading reports for `yaml`, as printed.
private func problems(_ yaml: String, environment: [String: String] = [:]) -> [String] {
    do {
        _ = try IntakeConfiguration.parse(yaml: yaml, environment: environment)
        return []
    } catch {
        return error.issues.map(\.description)
    }
}

@Suite("Configuration errors")
struct ConfigurationErrorTests {
    @Test("an unknown verifier names the key path and the choices")
    func unknownVerifier() {
        let yaml = """
            sources:
              github:
                verify: { type: hmac, secret: x }
                handler: webhook.generic
            """
        #expect(
            problems(yaml) == [
                #"sources.github.verify.type: unknown verifier "hmac" (expected one of hmac-sha256, standard-webhooks, stripe, api-key, bearer)"#
            ]
        )
    }

    @Test("out-of-range numbers say the range and the value")
    func outOfRange() {
        #expect(problems("workers:\n  concurrency: 0\n") == ["workers.concurrency: must be between 1 and 1024, got 0"])
        #expect(problems("sqs: { queue_url: http://q/1, wait_seconds: 21 }") == ["sqs.wait_seconds: must be between 0 and 20, got 21"])
        #expect(problems("sqs: { queue_url: http://q/1, max_messages: 11 }") == ["sqs.max_messages: must be between 1 and 10, got 11"])
        #expect(problems("workers: { batch: lots }") == [#"workers.batch: must be a whole number, got "lots""#])
    }

    @Test("unknown keys are errors, with a suggestion when one is close")
    func unknownKeys() {
        #expect(problems("workers:\n  concurency: 4\n") == [#"workers.concurency: unknown key (did you mean "concurrency"?)"#])
        let unrelated = problems("databse: {}\nsqs: { queue_url: http://q/1, zzz: 1 }")
        #expect(unrelated.count == 2)
        #expect(unrelated[0].hasPrefix(#"databse: unknown key (did you mean "database"?)"#))
        #expect(unrelated[1].hasPrefix("sqs.zzz: unknown key (expected one of max_messages, queue_url"))
    }

    @Test("a source without verify does not start (fail closed)")
    func sourceWithoutVerify() {
        let found = problems("sources:\n  open:\n    handler: webhook.generic\n")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("sources.open.verify: is required") == true)
    }

    @Test("keys a verifier does not use are reported; required ones are demanded")
    func verifierKeys() {
        let yaml = """
            sources:
              fhir:
                verify: { type: bearer, token: t-0123456789abcdef, prefix: "x" }
                handler: fhir.subscription
              gh:
                verify: { type: hmac-sha256, secret: s-0123456789abcdef }
                handler: webhook.generic
            """
        #expect(
            Set(problems(yaml)) == [
                "sources.fhir.verify.prefix: is not used by the bearer verifier",
                "sources.gh.verify.header: is required (the request header carrying the signature)",
            ]
        )
    }

    @Test("an unset variable names the variable and the key")
    func unsetVariable() {
        let found = problems(ConfigurationFixtures.minimal("sqs:\n  queue_url: ${INTAKE_SQS_QUEUE_URL}"))
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("sqs.queue_url: environment variable INTAKE_SQS_QUEUE_URL is not set") == true)
    }

    @Test("every problem in the file is reported at once, each under its path")
    func collectsAll() {
        let yaml = """
            receiver: { listen: "nowhere", max_body_bytes: 0 }
            routes:
              - { key: "a/*" }
            retry: { base_seconds: 10, cap_seconds: 5 }
            subscribers:
              - { events: [], url: "ftp://x", secret: "" }
            """
        let found = problems(yaml)
        for path in [
            "receiver.listen", "receiver.max_body_bytes", "routes[0].handler", "retry.cap_seconds",
            "subscribers[0].events", "subscribers[0].url", "subscribers[0].secret",
        ] {
            #expect(found.contains { $0.hasPrefix(path + ": ") }, "missing \(path) in \(found)")
        }
    }

    @Test("YAML syntax errors give the position, not the line's text")
    func syntaxError() {
        let found = problems("sources:\n  gh:\n    verify: { secret: \"topsecret-literal, type: [\n")
        #expect(found.count == 1)
        #expect(found.first?.contains("line") == true)
        #expect(found.first?.contains("topsecret-literal") == false)
    }

    @Test("an api-key rate limit needs the api-key verifier")
    func rateLimitKey() {
        let yaml = """
            sources:
              gh:
                verify: { type: bearer, token: t-0123456789abcdef }
                handler: webhook.generic
                rate_limit: { requests: 5, key: api-key }
            """
        #expect(problems(yaml) == ["sources.gh.rate_limit.key: api-key needs verify.type api-key, but this source uses bearer"])
    }

    @Test("a process ignores sections it does not read, and requires those it does")
    func processScope() throws {
        let yaml = ConfigurationFixtures.minimal("sqs:\n  queue_url: ${INTAKE_SQS_QUEUE_URL}")
        let config = try IntakeConfiguration.parse(yaml: yaml, for: .receiver, environment: [:])
        #expect(config.sources.count == 1)

        let sqsError = #expect(throws: ConfigurationError.self) {
            try IntakeConfiguration.parse(yaml: yaml, for: .sqsWorker, environment: [:])
        }
        #expect(sqsError?.contains(path: "sqs.queue_url") == true)
        #expect(sqsError?.contains(path: "routes") == true)

        let noSources = try IntakeConfiguration.parse(yaml: "", environment: [:])
        #expect(throws: ConfigurationError.self) { try noSources.validateForReceiver() }
        #expect(throws: ConfigurationError.self) { try noSources.validateForSQSWorker() }
        try noSources.validateForNotifyWorker()
    }

    @Test("handler names are checked against the registered handlers")
    func knownHandlers() throws {
        let yaml = ConfigurationFixtures.minimal("retry:\n  handlers:\n    csv.claims: { max_attempts: 2 }")
        let error = #expect(throws: ConfigurationError.self) {
            try IntakeConfiguration.parse(yaml: yaml, for: .inboxWorker, knownHandlers: ["webhook.generik"], environment: [:])
        }
        #expect(error?.contains(path: "sources.github.handler") == true)
        #expect(error?.contains(path: #"retry.handlers["csv.claims"]"#) == true)
        _ = try IntakeConfiguration.parse(yaml: yaml, for: .receiver, knownHandlers: ["webhook.generic"], environment: [:])
    }
}

@Suite("Weak key material in the configuration")
struct WeakKeyConfigurationTests {
    private func source(_ verify: String) -> String {
        "sources:\n  partner:\n    verify: \(verify)\n    handler: webhook.generic\n"
    }

    @Test("whsec_ followed by an empty variable decodes to no key")
    func emptyStandardWebhooksKey() {
        let found = problems(source(#"{ type: standard-webhooks, secret: "whsec_${PARTNER_KEY:-}" }"#))
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("sources.partner.verify.secret: decoded from base64, is empty") == true, "\(found)")
    }

    @Test("a standard-webhooks key of 8 bytes is too short")
    func shortStandardWebhooksKey() {
        let found = problems(source(#"{ type: standard-webhooks, secret: "whsec_AAAAAAAAAAA=" }"#))
        #expect(found.first?.contains("is 8 bytes of key material, too short") == true, "\(found)")
    }

    @Test("secrets, tokens and api keys that are blank, padded or short are named")
    func blankPaddedShort() {
        let cases: [(String, String, String)] = [
            (#"{ type: hmac-sha256, header: X-Sig, secret: "    " }"#, "secret", "is only whitespace"),
            (#"{ type: stripe, secret: "${STRIPE_SECRET}" }"#, "secret", "starts or ends with whitespace"),
            (#"{ type: bearer, token: "abc" }"#, "token", "too short"),
            (#"{ type: api-key, secret: "key-1" }"#, "secret", "too short"),
        ]
        for (verify, key, problem) in cases {
            let found = problems(source(verify), environment: ["STRIPE_SECRET": "whsec_0123456789abcdef\n"])
            #expect(found.count == 1, "\(verify): \(found)")
            #expect(found.first?.hasPrefix("sources.partner.verify.\(key): ") == true, "\(verify): \(found)")
            #expect(found.first?.contains(problem) == true, "\(verify): \(found)")
            #expect(found.first?.contains("0123456789abcdef") == false, "a secret reached the message: \(found)")
        }
    }

    @Test("a subscriber's signing secret follows the same rule")
    func shortSubscriberSecret() {
        let found = problems(
            source(#"{ type: bearer, token: "t-0123456789abcdef" }"#)
                + #"subscribers:\n  - { events: [import.completed], url: "https://ops.example.com/h", secret: "tiny" }"#
                    .replacingOccurrences(of: "\\n", with: "\n"))
        #expect(found.count == 1 && found.first?.hasPrefix("subscribers[0].secret: is 4 bytes") == true, "\(found)")
    }
}

@Suite("Receiver admin listener")
struct ReceiverAdminListenTests {
    @Test("admin_listen defaults off the webhook port and is read from the file")
    func parsed() throws {
        let defaults = try IntakeConfiguration.parse(yaml: ConfigurationFixtures.minimal(), environment: [:])
        #expect(defaults.receiver.adminListen.port == 9464)
        #expect(defaults.receiver.adminListen.port != defaults.receiver.listen.port)
        let set = try IntakeConfiguration.parse(
            yaml: ConfigurationFixtures.minimal("receiver: { listen: 127.0.0.1:8081, admin_listen: 127.0.0.1:9999 }"),
            environment: [:])
        #expect(set.receiver.adminListen == ListenAddress(host: "127.0.0.1", port: 9999))
    }

    @Test("admin_listen on the webhook port is refused")
    func samePort() {
        do {
            _ = try IntakeConfiguration.parse(
                yaml: ConfigurationFixtures.minimal("receiver: { listen: 0.0.0.0:8080, admin_listen: 127.0.0.1:8080 }"),
                environment: [:])
            Issue.record("accepted admin_listen on the webhook port")
        } catch {
            #expect(error.issues.map(\.description).contains { $0.hasPrefix("receiver.admin_listen: must differ") })
        }
    }
}
