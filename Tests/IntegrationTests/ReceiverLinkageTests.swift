import Foundation
import IntakeTestSupport
import Testing

/// The receiver links the migration list and the handler names (`IntakeSchema`), not the
/// handlers: so neither libcurl nor the AWS client is loaded into the process that faces the
/// internet (docs/ARCHITECTURE.md, "Module graph").
@Suite("Receiver links no handlers")
struct ReceiverLinkageTests {
    #if os(Linux)
    /// The shared libraries the dynamic loader maps for a built product, as `ldd` lists them.
    static func sharedLibraries(of executable: String) throws -> String {
        let product = TestDatabase.productsDirectory.appendingPathComponent(executable).path
        let (status, text) = try runProgram(URL(fileURLWithPath: "/usr/bin/ldd"), [product])
        guard status == 0 else { throw TestSkip("ldd \(executable) failed: \(text)") }
        return text
    }

    @Test func theReceiverDoesNotLoadLibcurl() throws {
        let receiver = try Self.sharedLibraries(of: "intake-receiver")
        #expect(receiver.contains("libpq"), "\(receiver)")
        #expect(!receiver.contains("libcurl"), "\(receiver)")
        // The same check sees libcurl where it belongs: the SQS worker downloads from S3.
        let worker = try Self.sharedLibraries(of: "intake-sqs-worker")
        #expect(worker.contains("libcurl"), "\(worker)")
    }
    #endif
}
