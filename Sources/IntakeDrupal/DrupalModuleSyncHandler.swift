import Foundation
import IntakeCore
import IntakePostgres
import IntakeSupport

/// `drupal.module_sync` (SPEC §5): applies a Drupal site's module inventory push.
///
/// The delivery must come from an `api-key` source backed by `ingest.drupal_sites`: the receiver
/// stores the verified site as the `x-intake-site-id` header, and that site — never anything in
/// the body — is the one updated. In one transaction (shared with the delivery's completion):
/// lock the site's row, so concurrent syncs of one site run one after the other; plan against the
/// site's module set as the earlier sync left it; write the plan with set-based statements; and
/// record a `drupal_sync_runs` row. A request older than the site's last applied sync is recorded
/// as `superseded` and changes nothing: the later `sync_timestamp` wins whatever the arrival order.
///
/// An invalid request is a permanent failure whose result lists every problem with its JSON
/// path; it writes nothing (the savepoint rolls back).
public struct DrupalModuleSyncHandler: Handler {
    public static let handlerName = "drupal.module_sync"
    /// Stored by the receiver for sites verified through `ingest.drupal_sites`.
    static let siteIDHeader = "x-intake-site-id"

    /// Injectable for tests that replay requests with fixed timestamps.
    let clock: @Sendable () -> Date

    public init(clock: @escaping @Sendable () -> Date = { Date() }) {
        self.clock = clock
    }

    public var name: String { Self.handlerName }
    public var transactionMode: TransactionMode { .shared }

    public func handle(_ message: Message, context: HandlerContext) async throws -> HandlerOutcome {
        let start = ContinuousClock.now
        guard let siteText = message.attributes[Self.siteIDHeader], let siteID = Int64(siteText) else {
            return .permanentFailure(
                reason:
                    "drupal.module_sync needs a delivery from an api-key source whose keys are in ingest.drupal_sites (no verified site on delivery \(message.id))"
            )
        }
        let deliveryID = Int64(message.id)

        let request: DrupalSyncRequest
        switch DrupalSyncValidator(now: clock()).validate(jsonBytes: message.body) {
        case .valid(let valid):
            request = valid
        case .invalid(let problems):
            let report = DrupalSyncReport(
                outcome: .rejected, siteID: siteID, syncRunID: nil,
                summary: .rejected(problems, processingTimeMS: start.elapsedMilliseconds),
                processingTimeMicroseconds: start.elapsedMicroseconds, problems: problems)
            return .permanentFailure(
                reason: DrupalSyncValidationError(problems: problems).description, result: try report.json())
        }

        let store = DrupalSyncStore(connection: try context.requireTransaction())
        guard let site = try await store.lockSite(id: siteID) else {
            return .permanentFailure(reason: "site \(siteID) is no longer registered in ingest.drupal_sites")
        }
        if let deliveryID, let earlier = try await store.existingRun(deliveryID: deliveryID) {
            // Handled before (a replayed or reclaimed delivery): report what was done, do nothing.
            let report = DrupalSyncReport(
                outcome: DrupalSyncReport.Outcome(rawValue: earlier.outcome) ?? .applied, siteID: siteID,
                syncRunID: earlier.id, summary: earlier.result, processingTimeMicroseconds: nil, problems: [],
                duplicate: true)
            return .success(result: try report.json())
        }

        let current = try await store.snapshot(siteID: siteID, lastSyncTimestamp: site.lastSyncTimestamp)
        let advisories = try await store.advisories(for: request.modules.map(\.machineName))
        var plan = DrupalSyncPlanner.plan(current: current, request: request, advisories: advisories)
        if site.revoked {
            // Accepted while the key was valid; applied, but the operator should know.
            plan.warnings.append("site \(site.name)'s API key was revoked after this request was accepted")
        }

        let outcome: DrupalSyncReport.Outcome = plan.isSuperseded ? .superseded : .applied
        let runID = try await store.insertRun(
            siteID: siteID, deliveryID: deliveryID, outcome: outcome.rawValue, request: request,
            result: plan.result(processingTimeMS: 0))
        if !plan.isSuperseded {
            try await store.apply(plan, request: request, siteID: siteID, runID: runID)
        }
        let summary = plan.result(processingTimeMS: start.elapsedMilliseconds)
        try await store.finishRun(id: runID, processingTimeMS: summary.processingTimeMS)
        context.logger.info(
            "module sync \(outcome.rawValue)",
            metadata: [
                "site.id": "\(siteID)", "sync.run": "\(runID)", "sync.type": "\(request.syncType.rawValue)",
                "modules": "\(summary.processedCount)", "new": "\(summary.newModules)",
                "updated": "\(summary.updatedModules)", "removed": "\(summary.removedModules)",
                "ms": "\(summary.processingTimeMS)",
            ])
        let report = DrupalSyncReport(
            outcome: outcome, siteID: siteID, syncRunID: runID, summary: summary,
            processingTimeMicroseconds: start.elapsedMicroseconds, problems: [])
        return .success(result: try report.json())
    }
}

/// The delivery's `result`: the summary of SPEC §5 (`processed_count` … `processing_time_ms`)
/// plus what an operator needs to find the run — and, for a rejected request, each problem as
/// `{path, message}`.
struct DrupalSyncReport: Encodable {
    enum Outcome: String, Encodable {
        case applied, superseded, rejected
    }

    var outcome: Outcome
    var siteID: Int64
    var syncRunID: Int64?
    var summary: DrupalSyncResult
    /// Finer than `processing_time_ms`, for benchmarks.
    var processingTimeMicroseconds: Int?
    var problems: [ValidationProblem]
    var duplicate = false

    enum CodingKeys: String, CodingKey {
        case outcome, problems, duplicate
        case success
        case siteID = "site_id"
        case syncRunID = "sync_run_id"
        case processingTimeMicroseconds = "processing_time_us"
    }

    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(outcome != .rejected, forKey: .success)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(siteID, forKey: .siteID)
        try container.encodeIfPresent(syncRunID, forKey: .syncRunID)
        try container.encodeIfPresent(processingTimeMicroseconds, forKey: .processingTimeMicroseconds)
        if !problems.isEmpty { try container.encode(problems, forKey: .problems) }
        if duplicate { try container.encode(true, forKey: .duplicate) }
    }

    func json() throws -> PostgresJSON {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return PostgresJSON(text: String(decoding: try encoder.encode(self), as: UTF8.self))
    }
}

extension ContinuousClock.Instant {
    var elapsedMicroseconds: Int {
        Int((ContinuousClock.now - self).microseconds)
    }

    /// Rounded up: a sync that did anything took at least 1 ms in the summary.
    var elapsedMilliseconds: Int { (elapsedMicroseconds + 999) / 1000 }
}
