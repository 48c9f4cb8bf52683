import IntakeHandlers
import IntakeSchema
import Testing

/// The receiver validates handler names against `BuiltinHandlerNames` without linking the
/// handlers; the registry the workers run must answer to exactly those names.
@Suite("Built-in handler names")
struct BuiltinHandlerNamesTests {
    @Test func theConstantNamesEveryRegisteredHandlerAndNoOther() {
        let registered = BuiltinHandlers.names
        #expect(
            registered == BuiltinHandlerNames.all,
            "missing from BuiltinHandlerNames: \(registered.subtracting(BuiltinHandlerNames.all).sorted()); not registered: \(BuiltinHandlerNames.all.subtracting(registered).sorted())"
        )
    }
}
