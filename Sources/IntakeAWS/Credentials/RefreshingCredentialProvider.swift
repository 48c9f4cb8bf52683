import IntakeSupport
import Foundation
import Logging

/// Keeps one source's credentials and fetches new ones before they expire.
///
/// - Credentials without an expiry are fetched once.
/// - From `refreshAhead` before expiry (5 minutes, or half the lifetime when that is shorter)
///   one background refresh runs while every caller keeps getting the current credentials.
/// - Only when the credentials are unusable (missing, or within `expiryMargin` of expiring)
///   do callers wait, all for the same fetch.
/// - A failed fetch is logged with the source's name (never a secret) and the next one waits
///   for a full-jitter backoff; callers with no usable credentials meanwhile get the last
///   error at once and back off themselves.
public actor RefreshingCredentialProvider: CredentialProvider {
    public nonisolated let name: String
    public nonisolated let detail: String
    private let source: any CredentialProvider
    private let logger: Logger
    private let refreshAhead: TimeInterval
    private let expiryMargin: TimeInterval
    private let backoff: RetryPolicy

    private var current: Held?
    private var inFlight: Task<AWSCredentials, any Error>?
    private var failures = 0
    private var lastError: (any Error)?
    private var retryNotBefore: Date?

    struct Held {
        var credentials: AWSCredentials
        /// When a background refresh starts; nil never.
        var refreshAt: Date?
        /// After this, callers wait for new credentials.
        var usableUntil: Date?
    }

    public init(
        source: any CredentialProvider, logger: Logger = Logger(label: "intake.aws.credentials"),
        refreshAhead: Duration = .seconds(300), expiryMargin: Duration = .seconds(10),
        backoff: RetryPolicy = RetryPolicy(maxAttempts: .max, base: .seconds(1), cap: .seconds(60))
    ) {
        self.name = source.name
        self.detail = source.detail
        self.source = source
        self.logger = logger
        self.refreshAhead = refreshAhead.seconds
        self.expiryMargin = expiryMargin.seconds
        self.backoff = backoff
    }

    public func credentials() async throws -> AWSCredentials {
        let now = Date()
        if let current, current.usableUntil.map({ now < $0 }) ?? true {
            if let refreshAt = current.refreshAt, now >= refreshAt, inFlight == nil, !isBackingOff(now) {
                _ = startFetch()
            }
            return current.credentials
        }
        if let inFlight { return try await inFlight.value }
        if isBackingOff(now), let lastError { throw lastError }
        return try await startFetch().value
    }

    private func isBackingOff(_ now: Date) -> Bool { retryNotBefore.map { now < $0 } ?? false }

    private func startFetch() -> Task<AWSCredentials, any Error> {
        // The task starts running only once this actor call returns or suspends, by which time
        // `inFlight` is set: a second fetch cannot start in between.
        let task = Task { try await self.fetch() }
        inFlight = task
        return task
    }

    private func fetch() async throws -> AWSCredentials {
        defer { inFlight = nil }
        do {
            let fresh = try await source.credentials()
            current = Self.held(fresh, fetchedAt: Date(), refreshAhead: refreshAhead, expiryMargin: expiryMargin)
            failures = 0
            retryNotBefore = nil
            lastError = nil
            if fresh.expiration != nil {
                logger.debug(
                    "AWS credentials fetched",
                    metadata: [
                        "aws.credentials.source": "\(name)",
                        "aws.credentials.expires": "\(fresh.expiration.map { $0.formatted(.iso8601) } ?? "never")",
                    ])
            }
            return fresh
        } catch {
            failures += 1
            let delay = backoff.delay(afterAttempt: failures)
            retryNotBefore = Date().addingTimeInterval(delay.seconds)
            lastError = error
            logger.warning(
                "fetching AWS credentials failed",
                metadata: [
                    "aws.credentials.source": "\(name)", "aws.credentials.failures": "\(failures)",
                    "aws.credentials.retry_after_ms": "\(delay.milliseconds)",
                    "aws.credentials.still_valid": "\(current?.usableUntil.map { Date() < $0 } ?? false)",
                    "error": "\(error)",
                ])
            throw error
        }
    }

    static func held(
        _ credentials: AWSCredentials, fetchedAt: Date, refreshAhead: TimeInterval, expiryMargin: TimeInterval
    )
        -> Held
    {
        guard let expiration = credentials.expiration else { return Held(credentials: credentials) }
        let lifetime = max(0, expiration.timeIntervalSince(fetchedAt))
        return Held(
            credentials: credentials, refreshAt: expiration.addingTimeInterval(-min(refreshAhead, lifetime / 2)),
            usableUntil: expiration.addingTimeInterval(-min(expiryMargin, lifetime / 4)))
    }
}

extension Duration {
    var seconds: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
