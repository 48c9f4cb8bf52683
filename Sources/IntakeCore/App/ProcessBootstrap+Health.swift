import IntakePostgres

extension ProcessBootstrap {
    /// `/healthz`, `/readyz` and `/metrics` on `workers.metrics_listen`. Ready means the
    /// database answers, plus whatever `extraChecks` the worker adds (its queue, say).
    public func healthServer(
        pool: PostgresPool,
        extraChecks: [(name: String, check: @Sendable () async throws -> Void)] = []
    ) -> HealthServer {
        let database: @Sendable () async throws -> Void = { _ = try await pool.query("SELECT 1") }
        let checks = [(name: "database", check: database)] + extraChecks
        return HealthServer(listen: configuration.workers.metricsListen, logger: logger) {
            await ReadinessReport.gather(checks)
        }
    }
}
