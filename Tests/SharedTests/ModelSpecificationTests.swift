import Testing

@testable import Shared

@Suite("Model strings of the command line: parsing, printing and refusals")
struct ModelSpecificationTests {
    @Test(
        "Every documented form parses to its architecture and prints back the same",
        arguments: [
            ("linear", ModelArchitecture.hardSharingLinear),
            ("hard:none", .hardSharing(trunk: [])),
            ("hard:16tanh", .hardSharing(trunk: [HiddenLayer(width: 16, activation: .tanh)])),
            (
                "hard:32tanh,16softplus",
                .hardSharing(trunk: [
                    HiddenLayer(width: 32, activation: .tanh), HiddenLayer(width: 16, activation: .softplus),
                ])
            ),
            ("soft:linear", .softSharing(hidden: [])),
            ("soft:8relu", .softSharing(hidden: [HiddenLayer(width: 8, activation: .relu)])),
        ])
    func documentedFormsRoundTrip(_ text: String, _ architecture: ModelArchitecture) throws {
        #expect(try ModelArchitecture(specification: text) == architecture)
        #expect(architecture.specification == text)
    }

    @Test("Case and surrounding spaces do not matter")
    func caseAndSpacesAreIgnored() throws {
        #expect(
            try ModelArchitecture(specification: " Hard:16TANH ")
                == .hardSharing(trunk: [HiddenLayer(width: 16, activation: .tanh)]))
    }

    @Test(
        "Malformed strings are refused with the part that is wrong and the accepted forms",
        arguments: [
            ("mlp", "neither 'linear'"), ("deep:16tanh", "family 'deep'"), ("hard:16sigmoid", "'16sigmoid'"),
            ("hard:0tanh", "'0tanh'"), ("hard:tanh", "'tanh'"), ("hard:16tanh,", "''"), ("soft:none", "'none'"),
        ])
    func malformedStringsAreRefused(_ text: String, _ phrase: String) {
        do {
            _ = try ModelArchitecture(specification: text)
            Issue.record("'\(text)' was accepted")
        } catch {
            #expect(error.message.contains(phrase), "\(error.message)")
            #expect(error.message.contains("hard:32tanh,16softplus"))
        }
    }
}
