/// `receiver:` — the webhook receiver's HTTP listeners.
public struct ReceiverSettings: Sendable, Equatable {
    /// The public port: `POST /webhooks/{source}` and `GET /deliveries/{id}`, nothing else.
    public var listen: ListenAddress
    /// `/healthz`, `/readyz` and `/metrics`: an address of their own, so that webhook senders
    /// (anyone on the internet) never see metrics; kubelet and Prometheus reach it in-cluster.
    public var adminListen: ListenAddress
    /// Largest accepted body; each source may override it.
    public var maxBodyBytes: Int
    /// A connection with no request in progress is closed after this long; also bounds how long
    /// a client may stall in the middle of sending a request.
    public var idleTimeoutSeconds: Int
    /// Connections beyond this are refused at accept.
    public var maxConnections: Int
    /// NIO event loop threads serving HTTP.
    public var eventLoops: Int

    public init(
        listen: ListenAddress = ListenAddress(host: "0.0.0.0", port: 8080),
        adminListen: ListenAddress = ListenAddress(host: "0.0.0.0", port: 9464),
        maxBodyBytes: Int = 1_048_576,
        idleTimeoutSeconds: Int = 60,
        maxConnections: Int = 4096,
        eventLoops: Int = 1
    ) {
        self.listen = listen
        self.adminListen = adminListen
        self.maxBodyBytes = maxBodyBytes
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.maxConnections = maxConnections
        self.eventLoops = eventLoops
    }
}

/// `sources.NAME:` — one webhook source served at `POST /webhooks/NAME`.
public struct SourceSettings: Sendable, Equatable {
    public var name: String
    /// Always present: a source without verification does not start.
    public var verify: VerifySettings
    /// Header carrying the sender's idempotency key (`id.header`); nil falls back to
    /// `webhook-id`, then the JSON `id` field, then the body's SHA-256.
    public var idHeader: String?
    public var handler: String
    public var rateLimit: RateLimitSettings?
    /// Resolved: the source's `max_body_bytes`, else `receiver.max_body_bytes`.
    public var maxBodyBytes: Int
    /// Where `webhook.generic` finds the event type, if anywhere.
    public var eventType: EventTypeLocation?
    public var contentType: SourceContentType

    public init(
        name: String,
        verify: VerifySettings,
        idHeader: String? = nil,
        handler: String,
        rateLimit: RateLimitSettings? = nil,
        maxBodyBytes: Int = 1_048_576,
        eventType: EventTypeLocation? = nil,
        contentType: SourceContentType = .json
    ) {
        self.name = name
        self.verify = verify
        self.idHeader = idHeader
        self.handler = handler
        self.rateLimit = rateLimit
        self.maxBodyBytes = maxBodyBytes
        self.eventType = eventType
        self.contentType = contentType
    }
}

/// `verify.type`.
public enum VerifierType: String, Sendable, CaseIterable {
    case hmacSHA256 = "hmac-sha256"
    case standardWebhooks = "standard-webhooks"
    case stripe = "stripe"
    case apiKey = "api-key"
    case bearer = "bearer"
}

/// `verify.encoding` for `hmac-sha256` signatures.
public enum SignatureEncoding: String, Sendable, CaseIterable {
    case hex
    case base64
}

/// `sources.NAME.verify:` — how a request proves it came from the sender. Each case carries
/// exactly what its verifier needs, already checked and defaulted.
public enum VerifySettings: Sendable, Equatable {
    /// HMAC-SHA256 of the raw body in `header`, after an optional `prefix` (`sha256=`).
    case hmacSHA256(header: String, prefix: String, encoding: SignatureEncoding, secret: Secret)
    /// Standard Webhooks: `webhook-id`/`webhook-timestamp`/`webhook-signature`, `whsec_` secret.
    case standardWebhooks(secret: Secret, toleranceSeconds: Int)
    /// `Stripe-Signature: t=…,v1=…`.
    case stripe(secret: Secret, toleranceSeconds: Int)
    /// A key in `header` (default `X-API-Key`). With `secret`, that single key is accepted;
    /// without, keys are looked up (hashed) in `ingest.drupal_sites`.
    case apiKey(header: String, secret: Secret?)
    /// `Authorization: Bearer <token>`.
    case bearer(token: Secret)

    public var type: VerifierType {
        switch self {
        case .hmacSHA256: .hmacSHA256
        case .standardWebhooks: .standardWebhooks
        case .stripe: .stripe
        case .apiKey: .apiKey
        case .bearer: .bearer
        }
    }

    /// Default for `tolerance_seconds` (both directions).
    public static let defaultToleranceSeconds = 300
    /// Default for an `api-key` source's `header`.
    public static let defaultAPIKeyHeader = "X-API-Key"
}

/// `rate_limit.key`: what one bucket of the limit is counted per.
public enum RateLimitKey: String, Sendable, CaseIterable {
    /// Per API key (the `api-key` verifier's header value).
    case apiKey = "api-key"
    /// Per client IP address.
    case ip
    /// One bucket for the whole source.
    case source
}

/// `sources.NAME.rate_limit:` — `requests` per `per_seconds`, beyond which the receiver answers 429.
public struct RateLimitSettings: Sendable, Equatable {
    public var requests: Int
    public var perSeconds: Int
    public var key: RateLimitKey

    public init(requests: Int, perSeconds: Int, key: RateLimitKey) {
        self.requests = requests
        self.perSeconds = perSeconds
        self.key = key
    }
}

/// `sources.NAME.event_type:` — `{ header: X-GitHub-Event }` or `{ json_field: type }`.
public enum EventTypeLocation: Sendable, Equatable {
    case header(String)
    /// A top-level field, or a dotted path into nested objects (`data.type`).
    case jsonField(String)
}

/// `sources.NAME.content_type`: `json` requires a JSON content type and a well-formed body
/// (else 415/400); `raw` accepts any bytes.
public enum SourceContentType: String, Sendable, CaseIterable {
    case json
    case raw
}
