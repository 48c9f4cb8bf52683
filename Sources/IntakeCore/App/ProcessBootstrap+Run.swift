import Foundation
import ServiceLifecycle

extension ProcessBootstrap {
    /// Runs `services` until SIGTERM/SIGINT, then shuts them down gracefully within
    /// `workers.shutdown_grace_seconds`; past that they are cancelled (leases are released
    /// either way). Exits 0 after a clean shutdown, 1 when a service failed.
    public func run(_ services: [any Service]) async -> Never {
        var group = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        group.maximumGracefulShutdownDuration = configuration.workers.shutdownGrace
        do {
            try await ServiceGroup(configuration: group).run()
            logger.info("stopped")
            exit(0)
        } catch {
            logger.critical("stopped on error", metadata: ["error": "\(error)"])
            exit(1)
        }
    }
}
