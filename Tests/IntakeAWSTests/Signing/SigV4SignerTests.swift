import Foundation
import IntakeCrypto
import Testing

@testable import IntakeAWS

@Suite("SigV4 signer")
struct SigV4SignerTests {
    let signer = SigV4Signer(credentials: suiteCredentials, region: "us-east-1", service: "service")

    @Test(arguments: suiteCases)
    func awsTestSuite(_ suite: SuiteCase) {
        let request = SigV4Request(
            method: suite.method, host: "example.amazonaws.com", path: suite.path,
            query: suite.query.map { ($0.name, $0.value) }, headers: suite.headers.map { ($0.name, $0.value) },
            payloadHash: SHA256.hash(suite.body).hexString)
        let signed = signer.sign(request, date: suiteDate)
        #expect(signed.canonicalRequest == suite.canonicalRequest)
        #expect(
            signed.stringToSign
                == "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n" + suite.stringToSignHash)
        #expect(
            signed.authorization
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders="
                + suite.signedHeaders + ", Signature=" + suite.signature)
    }

    @Test func postStsHeaderBeforeSignsTheSessionToken() {
        var credentials = suiteCredentials
        credentials.sessionToken = suiteToken
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "service")
        let signed = signer.sign(SigV4Request(method: "POST", host: "example.amazonaws.com", path: "/"), date: suiteDate)
        #expect(
            signed.canonicalRequest
                == "POST\n/\n\n" + baseHeaders + "x-amz-security-token:" + suiteToken
                + "\n\nhost;x-amz-date;x-amz-security-token\n" + emptyHash)
        #expect(signed.stringToSign.hasSuffix("\nc237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6"))
        #expect(signed.signature == "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead")
        #expect(signed.headersToAdd.contains { $0.name == "X-Amz-Security-Token" && $0.value == suiteToken })
    }

    @Test func signingKeyMatchesPublishedDerivation() {
        #expect(
            signer.signingKey(day: "20150830").hexString
                == "938127b5336810ddb6a5d6af445fcac9e371f9ed418ed386b022aed82901be75")
    }

    @Test func signingKeyFollowsTheDay() {
        let first = signer.sign(SigV4Request(method: "GET", host: "example.amazonaws.com", path: "/"), date: suiteDate)
        let nextDay = signer.sign(
            SigV4Request(method: "GET", host: "example.amazonaws.com", path: "/"),
            date: suiteDate.addingTimeInterval(86_400))
        #expect(first.authorization.contains("/20150830/"))
        #expect(nextDay.authorization.contains("/20150831/"))
        // Back to the first day: the cached key must have been replaced, not reused.
        let again = signer.sign(SigV4Request(method: "GET", host: "example.amazonaws.com", path: "/"), date: suiteDate)
        #expect(again.signature == first.signature)
    }

    @Test func headersToAddCarryDateAndAuthorization() {
        let signed = signer.sign(SigV4Request(method: "GET", host: "example.amazonaws.com", path: "/"), date: suiteDate)
        #expect(signed.headersToAdd.map(\.name) == ["X-Amz-Date", "Authorization"])
        #expect(signed.headersToAdd[0].value == "20150830T123600Z")
    }

    @Test func credentialsDescriptionHidesSecrets() {
        let credentials = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "very-secret", sessionToken: "tok-secret")
        #expect(!credentials.description.contains("very-secret"))
        #expect(!credentials.description.contains("tok-secret"))
        #expect(credentials.description.contains("AKID"))
        #expect(!"\(signer)".contains("wJalrXUtnFEMI"))
    }
}

@Suite("SigV4 for S3")
struct SigV4S3Tests {
    /// "Example: GET Object" from the S3 API reference (sig-v4-header-based-auth).
    @Test func getObjectExample() {
        let signer = SigV4Signer(
            credentials: AWSCredentials(
                accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            region: "us-east-1", service: "s3")
        let request = SigV4Request(
            method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt",
            headers: [("Range", "bytes=0-9")], payloadHash: SigV4Signer.emptyPayloadHash)
        let signed = signer.sign(request, date: Date(timeIntervalSince1970: 1_369_353_600))  // 2013-05-24T00:00:00Z
        #expect(
            signed.canonicalRequest
                == "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
                + "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
                + "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
                + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            signed.stringToSign
                == "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
                + "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972")
        #expect(
            signed.authorization
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(signed.headersToAdd.contains { $0.name == "X-Amz-Content-SHA256" && $0.value == SigV4Signer.emptyPayloadHash })
    }

    @Test func s3PathsAreNotNormalizedOrEncodedAgain() {
        let signer = SigV4Signer(credentials: suiteCredentials, region: "us-east-1", service: "s3")
        let path = "/bucket/" + AWSURIEncoding.encode("a//b/./x/../c d+e%=ü.csv", keepSlash: true)
        #expect(path == "/bucket/a//b/./x/../c%20d%2Be%25%3D%C3%BC.csv")
        let signed = signer.sign(
            SigV4Request(method: "GET", host: "s3.amazonaws.com", path: path, payloadHash: SigV4Signer.unsignedPayload),
            date: suiteDate)
        #expect(signed.canonicalRequest.hasPrefix("GET\n/bucket/a//b/./x/../c%20d%2Be%25%3D%C3%BC.csv\n\n"))
        #expect(signed.canonicalRequest.hasSuffix("\nUNSIGNED-PAYLOAD"))
        #expect(signed.canonicalRequest.contains("x-amz-content-sha256:UNSIGNED-PAYLOAD\n"))
    }

    @Test func nonS3PathsAreEncodedTwice() {
        let signer = SigV4Signer(credentials: suiteCredentials, region: "us-east-1", service: "service")
        let signed = signer.sign(SigV4Request(method: "GET", host: "h", path: "/a%20b"), date: suiteDate)
        #expect(signed.canonicalRequest.hasPrefix("GET\n/a%2520b\n"))
    }
}

@Suite("URI encoding")
struct URIEncodingTests {
    @Test func encodesAllButUnreserved() {
        #expect(AWSURIEncoding.encode("a b+c/d=e~f") == "a%20b%2Bc%2Fd%3De~f")
        #expect(AWSURIEncoding.encode("a b/c", keepSlash: true) == "a%20b/c")
        #expect(AWSURIEncoding.encode("ü") == "%C3%BC")
    }

    @Test func decodes() {
        #expect(AWSURIEncoding.decode("a+b%20c") == "a+b c")
        #expect(AWSURIEncoding.decode("a+b%20c", plusAsSpace: true) == "a b c")
        #expect(AWSURIEncoding.decode("%C3%BC") == "ü")
        #expect(AWSURIEncoding.decode("%zz") == nil)
        #expect(AWSURIEncoding.decode("%C3") == nil)  // truncated UTF-8
        #expect(AWSURIEncoding.decode("50%") == nil)
    }
}
