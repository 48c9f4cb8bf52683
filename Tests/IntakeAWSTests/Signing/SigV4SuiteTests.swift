import Foundation
import IntakeAWS
import Testing

/// Cases from AWS's published Signature Version 4 test suite (2015-08-30 edition).
struct SuiteCase: Sendable, CustomTestStringConvertible {
    let name: String
    let method: String
    let path: String
    let query: [SuiteQueryItem]
    let headers: [SuiteHeader]
    let body: String
    let canonicalRequest: String
    let stringToSignHash: String
    let signedHeaders: String
    let signature: String
    var testDescription: String { name }
}

struct SuiteHeader: Sendable {
    let name: String
    let value: String
}

struct SuiteQueryItem: Sendable {
    let name: String
    let value: String
}

let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z
let suiteCredentials = AWSCredentials(
    accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
let suiteToken =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
let baseHeaders = "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n"

let suiteCases: [SuiteCase] = [
    SuiteCase(
        name: "get-vanilla", method: "GET", path: "/", query: [], headers: [], body: "",
        canonicalRequest: "GET\n/\n\n" + baseHeaders + "\nhost;x-amz-date\n" + emptyHash,
        stringToSignHash: "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
        signedHeaders: "host;x-amz-date",
        signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
    SuiteCase(
        name: "get-vanilla-query-order-key-case", method: "GET", path: "/",
        query: [SuiteQueryItem(name: "Param2", value: "value2"), SuiteQueryItem(name: "Param1", value: "value1")],
        headers: [], body: "",
        canonicalRequest: "GET\n/\nParam1=value1&Param2=value2\n" + baseHeaders + "\nhost;x-amz-date\n" + emptyHash,
        stringToSignHash: "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
        signedHeaders: "host;x-amz-date",
        signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
    SuiteCase(
        name: "get-vanilla-query-order-value", method: "GET", path: "/",
        query: [SuiteQueryItem(name: "Param1", value: "value2"), SuiteQueryItem(name: "Param1", value: "value1")],
        headers: [], body: "",
        canonicalRequest: "GET\n/\nParam1=value1&Param1=value2\n" + baseHeaders + "\nhost;x-amz-date\n" + emptyHash,
        stringToSignHash: "c968629d70850097a2d8781c9bf7edcb988b04cac14cca9be4acc3595f884606",
        signedHeaders: "host;x-amz-date",
        signature: "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"),
    SuiteCase(
        name: "get-vanilla-utf8-query", method: "GET", path: "/",
        query: [SuiteQueryItem(name: "ሴ", value: "bar")], headers: [], body: "",
        canonicalRequest: "GET\n/\n%E1%88%B4=bar\n" + baseHeaders + "\nhost;x-amz-date\n" + emptyHash,
        stringToSignHash: "eb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073",
        signedHeaders: "host;x-amz-date",
        signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
    SuiteCase(
        name: "get-header-value-trim", method: "GET", path: "/", query: [],
        headers: [SuiteHeader(name: "My-Header1", value: " value1"), SuiteHeader(name: "My-Header2", value: " \"a   b   c\"")],
        body: "",
        canonicalRequest: "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\n"
            + "x-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n" + emptyHash,
        stringToSignHash: "a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7",
        signedHeaders: "host;my-header1;my-header2;x-amz-date",
        signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
    SuiteCase(
        name: "get-unreserved", method: "GET",
        path: "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", query: [], headers: [],
        body: "",
        canonicalRequest: "GET\n/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\n\n" + baseHeaders
            + "\nhost;x-amz-date\n" + emptyHash,
        stringToSignHash: "6a968768eefaa713e2a6b16b589a8ea192661f098f37349f4e2c0082757446f9",
        signedHeaders: "host;x-amz-date",
        signature: "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
    SuiteCase(
        name: "get-utf8", method: "GET", path: "/ሴ", query: [], headers: [], body: "",
        canonicalRequest: "GET\n/%E1%88%B4\n\n" + baseHeaders + "\nhost;x-amz-date\n" + emptyHash,
        stringToSignHash: "2a0a97d02205e45ce2e994789806b19270cfbbb0921b278ccf58f5249ac42102",
        signedHeaders: "host;x-amz-date",
        signature: "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
    SuiteCase(
        name: "normalize-path/get-space", method: "GET", path: "/example space/", query: [], headers: [], body: "",
        canonicalRequest: "GET\n/example%20space/\n\n" + baseHeaders + "\nhost;x-amz-date\n" + emptyHash,
        stringToSignHash: "63ee75631ed7234ae61b5f736dfc7754cdccfedbff4b5128a915706ee9390d86",
        signedHeaders: "host;x-amz-date",
        signature: "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"),
    SuiteCase(
        name: "normalize-path/get-slashes", method: "GET", path: "//example//", query: [], headers: [], body: "",
        canonicalRequest: "GET\n/example/\n\n" + baseHeaders + "\nhost;x-amz-date\n" + emptyHash,
        stringToSignHash: "cb96b4ac96d501f7c5c15bc6d67b3035061cfced4af6585ad927f7e6c985c015",
        signedHeaders: "host;x-amz-date",
        signature: "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"),
    SuiteCase(
        name: "normalize-path/get-relative-relative", method: "GET", path: "/example1/example2/../..", query: [],
        headers: [], body: "",
        canonicalRequest: "GET\n/\n\n" + baseHeaders + "\nhost;x-amz-date\n" + emptyHash,
        stringToSignHash: "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
        signedHeaders: "host;x-amz-date",
        signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
    SuiteCase(
        name: "post-vanilla", method: "POST", path: "/", query: [], headers: [], body: "",
        canonicalRequest: "POST\n/\n\n" + baseHeaders + "\nhost;x-amz-date\n" + emptyHash,
        stringToSignHash: "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87",
        signedHeaders: "host;x-amz-date",
        signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
    SuiteCase(
        name: "post-header-value-case", method: "POST", path: "/", query: [],
        headers: [SuiteHeader(name: "My-Header1", value: "VALUE1")], body: "",
        canonicalRequest: "POST\n/\n\nhost:example.amazonaws.com\nmy-header1:VALUE1\nx-amz-date:20150830T123600Z\n\n"
            + "host;my-header1;x-amz-date\n" + emptyHash,
        stringToSignHash: "d51ced243e649e3de6ef63afbbdcbca03131a21a7103a1583706a64618606a93",
        signedHeaders: "host;my-header1;x-amz-date",
        signature: "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"),
    SuiteCase(
        name: "post-x-www-form-urlencoded", method: "POST", path: "/", query: [],
        headers: [SuiteHeader(name: "Content-Type", value: "application/x-www-form-urlencoded")], body: "Param1=value1",
        canonicalRequest: "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\n" + baseHeaders
            + "\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
        stringToSignHash: "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281",
        signedHeaders: "content-type;host;x-amz-date",
        signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
    SuiteCase(
        name: "post-x-www-form-urlencoded-parameters", method: "POST", path: "/", query: [],
        headers: [SuiteHeader(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf8")],
        body: "Param1=value1",
        canonicalRequest: "POST\n/\n\ncontent-type:application/x-www-form-urlencoded; charset=utf8\n" + baseHeaders
            + "\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
        stringToSignHash: "2e1cf7ed91881a30569e46552437e4156c823447bf1781b921b5d486c568dd1c",
        signedHeaders: "content-type;host;x-amz-date",
        signature: "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"),
]
