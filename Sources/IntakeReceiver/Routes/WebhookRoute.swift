import IntakeCore
import IntakeHTTP
import IntakeSupport
import Logging
import NIOHTTP1

/// One configured source, ready to serve `POST /webhooks/{name}`.
struct SourceRoute: Sendable {
    var settings: SourceSettings
    var verifier: any WebhookVerifier
    /// Set when the source has a `rate_limit`.
    var rateLimiter: (any RateLimiter)?
}

/// `POST /webhooks/{source}`, SPEC §6 steps 1–5. The checks that need only the head (unknown
/// source, declared size, content type) ran in the head inspector before any body byte was
/// read; this runs on the complete body.
struct WebhookRoute: Sendable {
    let writer: GroupCommitWriter
    let metrics: ReceiverMetrics
    let logger: Logger
    /// `Retry-After` for a 503.
    let unavailableRetryAfter: Int

    func handle(_ request: HTTPRequest, route: SourceRoute) async -> HTTPResponse {
        let settings = route.settings
        let body = request.bodyBytes

        // 1. Well-formed JSON that jsonb can store (the content type was checked from the head).
        var jsonID: String?
        if settings.contentType == .json {
            do throws(JSONParseError) {
                jsonID = try IdempotencyKey.jsonID(of: body)
            } catch {
                switch error.kind {
                case .tooDeep, .malformed:
                    return Reply.error(.badRequest, "malformed JSON: \(error.reason) at byte \(error.offset)")
                case .unstorable:
                    // Refused now rather than answered 202 and dead-lettered by the handler's insert.
                    return Reply.error(
                        .badRequest, "JSON that PostgreSQL cannot store: \(error.reason) at byte \(error.offset)")
                }
            }
        }

        // 2. Verify, fail closed.
        let sender: VerifiedSender
        do {
            sender = try await route.verifier.verify(headers: request.headers, body: body)
        } catch let failure as VerificationFailure {
            logger.info(
                "webhook verification failed",
                metadata: ["source": "\(settings.name)", "reason": "\(failure.reason)", "client": "\(request.remoteIPAddress ?? "-")"])
            return Reply.unauthorized
        } catch {
            logger.warning("cannot verify webhook: key store unavailable", metadata: ["source": "\(settings.name)", "error": "\(error)"])
            return Reply.unavailable("cannot verify the request right now; retry later", retryAfter: unavailableRetryAfter)
        }

        // 3. Rate limit.
        if let limit = settings.rateLimit, let limiter = route.rateLimiter {
            let bucket: String
            switch limit.key {
            case .apiKey: bucket = "\(settings.name)|\(sender.keyIdentity ?? "-")"
            case .ip: bucket = "\(settings.name)|ip:\(request.remoteIPAddress ?? "-")"
            case .source: bucket = settings.name
            }
            do {
                if case .limited(let retryAfter) = try await limiter.admit(bucket: bucket, limit: limit) {
                    return Reply.error(
                        .tooManyRequests,
                        "rate limit exceeded: at most \(limit.requests) requests per \(limit.perSeconds) seconds",
                        headers: ["retry-after": String(retryAfter)])
                }
            } catch {
                logger.warning("cannot check the rate limit", metadata: ["source": "\(settings.name)", "error": "\(error)"])
                return Reply.unavailable("cannot check the rate limit right now; retry later", retryAfter: unavailableRetryAfter)
            }
        }

        // 4. Idempotency key; 5. record durably, then answer.
        var key = IdempotencyKey.resolve(idHeader: settings.idHeader, headers: request.headers, jsonID: jsonID, body: body)
        // Sites sharing one source do not share idempotency keys: two sites posting the same
        // bytes are two deliveries.
        if case .site(let id, _) = sender { key = "site:\(id):" + key }
        let draft = DeliveryDraft(
            source: settings.name, externalID: key,
            headersJSON: StoredHeaders.json(request.headers, dropping: route.verifier.credentialHeaders, sender: sender),
            contentType: request.header("content-type"), body: body)
        do {
            let recorded = try await writer.record(draft)
            return recorded.isDuplicate ? Reply.duplicate(recorded.id) : Reply.accepted(recorded.id)
        } catch {
            return Reply.unavailable("the delivery could not be recorded; retry later", retryAfter: unavailableRetryAfter)
        }
    }
}
