import IntakePostgres

/// An error that says whether trying again can help.
public protocol ClassifiedError: Error {
    var isRetryable: Bool { get }
}

/// Bad data, failed validation, unknown format: dead-lettered on the first attempt.
public struct PermanentError: ClassifiedError, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var isRetryable: Bool { false }
    public var description: String { message }
}

/// A transient failure (timeout, 5xx, throttling): retried with backoff.
public struct RetryableError: ClassifiedError, CustomStringConvertible {
    public var message: String
    public var delay: Duration?
    public init(_ message: String, delay: Duration? = nil) {
        self.message = message
        self.delay = delay
    }
    public var isRetryable: Bool { true }
    public var description: String { message }
}

extension PostgresError: ClassifiedError {}

/// How the runtime reads a thrown error (SPEC §4).
public enum ErrorClassification {
    public static func isRetryable(_ error: any Error) -> Bool {
        if let classified = error as? any ClassifiedError { return classified.isRetryable }
        if error is DecodingError { return false }
        if error is CancellationError { return true }
        // Unknown errors are retried: a transient cause is likelier than a bad message that
        // the handler failed to recognise, and attempts are bounded either way.
        return true
    }

    /// The error's type name, recorded in dead-letter histories.
    public static func className(_ error: any Error) -> String {
        String(describing: type(of: error))
    }

    public static func message(_ error: any Error) -> String {
        String(describing: error)
    }
}
