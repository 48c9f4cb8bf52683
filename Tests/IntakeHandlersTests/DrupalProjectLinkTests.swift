import Testing

@testable import IntakeDrupal

@Suite("Drupal project_link")
struct DrupalProjectLinkTests {
    @Test(arguments: [
        "https://www.drupal.org/project/views", "http://example.org", "HTTPS://Example.org/x?y=1#z",
        "https://user:pass@git.example.org:8443/p", "http://[2001:db8::1]:8080/x", "https://xn--bcher-kva.example/",
        "http://localhost", "https://bücher.example/",
    ])
    func acceptsAbsoluteWebURLs(_ link: String) {
        #expect(DrupalModuleValidator.isWebURL(link))
    }

    @Test(arguments: [
        "ftp://example.org", "www.drupal.org/project/views", "https://", "https:///path", "https://exa mple.org",
        "https://example.org/a b", "https://example.org:port/", "https://example.org:123456/", "http://[]/",
        "javascript:alert(1)", "https://exa\tmple.org", "https://@/", "",
    ])
    func refusesEverythingElse(_ link: String) {
        #expect(!DrupalModuleValidator.isWebURL(link))
    }
}
