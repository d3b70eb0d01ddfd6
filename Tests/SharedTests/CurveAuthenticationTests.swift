import Foundation
import Testing

@testable import Shared

@Suite("CURVE encryption with a ZAP allow-list")
struct CurveAuthenticationTests {
    @Test("A client whose key is on the allow-list is served; a client with another key receives nothing")
    func allowListDecidesWhoConnects() throws {
        let context = try ZeroMQContext()
        let server = try CurveKeyPair.generate()
        let allowed = try CurveKeyPair.generate()
        let stranger = try CurveKeyPair.generate()
        let authenticator = try ZAPAuthenticator(context: context, allowedClientKeys: [allowed.publicKey])
        let router = try ZeroMQSocket(.router, context: context)
        try router.set(.curveServer(secretKey: server.secretKey))
        try router.bind(to: "tcp://127.0.0.1:0")
        let endpoint = try router.lastEndpoint()

        let intruder = try ZeroMQSocket(.dealer, context: context, linger: .zero)
        try intruder.set(.curveClient(serverKey: server.publicKey, keyPair: stranger))
        try intruder.connect(to: endpoint)
        try intruder.send([Array("let me in".utf8)], timeout: .zero)
        #expect(throws: WireError.self) { try router.receive(timeout: ZeroMQTransportTests.absence) }

        let member = try ZeroMQSocket(.dealer, context: context)
        try member.set(.curveClient(serverKey: server.publicKey, keyPair: allowed))
        try member.connect(to: endpoint)
        try member.send([Array("hello".utf8)], timeout: ZeroMQTransportTests.delivery)
        let received = try router.receive(timeout: ZeroMQTransportTests.delivery)
        #expect(received.last == Array("hello".utf8))
        #expect(authenticator.statistics.accepted >= 1)
        #expect(authenticator.statistics.denied >= 1)
        authenticator.stop()
    }

    @Test("A second authenticator in the same context is refused: the ZAP endpoint is taken")
    func oneAuthenticatorPerContext() throws {
        let context = try ZeroMQContext()
        let first = try ZAPAuthenticator(context: context, allowedClientKeys: [])
        #expect(throws: WireError.self) { try ZAPAuthenticator(context: context, allowedClientKeys: []) }
        first.stop()
        first.stop()
    }
}
