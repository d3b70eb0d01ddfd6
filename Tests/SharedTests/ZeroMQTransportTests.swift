import Foundation
import Testing

@testable import Shared

@Suite("ZeroMQ transport: sockets, polling, timeouts, CURVE with ZAP")
struct ZeroMQTransportTests {
    /// Long enough for a loopback or inproc message to arrive on a loaded test machine.
    static let delivery = Duration.seconds(5)
    /// Short enough that waiting for a message that never comes costs little.
    static let absence = Duration.milliseconds(300)

    @Test("A DEALER's multipart message reaches a ROUTER over inproc with the sender's identity first")
    func routerReceivesMultipartFromDealer() throws {
        let context = try ZeroMQContext()
        let router = try ZeroMQSocket(.router, context: context)
        try router.bind(to: "inproc://transport-multipart")
        let dealer = try ZeroMQSocket(.dealer, context: context)
        try dealer.set(.routingID(Array("worker-a".utf8)))
        try dealer.connect(to: "inproc://transport-multipart")
        let frames: [[UInt8]] = [[1, 2, 3], [], WireSamples.bytes(100_000, seed: 41)]
        try dealer.send(frames, timeout: Self.delivery)
        let received = try router.receive(timeout: Self.delivery)
        #expect(received == [Array("worker-a".utf8)] + frames)
        try router.send([Array("worker-a".utf8), [9]], timeout: .zero)
        #expect(try dealer.receive(timeout: Self.delivery) == [[9]])
    }

    @Test("Binding tcp://127.0.0.1:0 reports the port the system chose")
    func tcpPortZeroReportsActualPort() throws {
        let context = try ZeroMQContext()
        let router = try ZeroMQSocket(.router, context: context)
        try router.bind(to: "tcp://127.0.0.1:0")
        let endpoint = try router.lastEndpoint()
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
        let port = try #require(Int(endpoint.split(separator: ":").last ?? ""))
        #expect(port > 0)
        let dealer = try ZeroMQSocket(.dealer, context: context)
        try dealer.connect(to: endpoint)
        try dealer.send([[7]], timeout: Self.delivery)
        #expect(try router.receive(timeout: Self.delivery).last == [7])
    }

    @Test("Receiving with nothing queued times out after about the timeout, as WireError.timeout")
    func receiveTimesOut() throws {
        let context = try ZeroMQContext()
        let pair = try ZeroMQSocket(.pair, context: context)
        try pair.bind(to: "inproc://transport-timeout")
        let clock = ContinuousClock()
        let start = clock.now
        let error = try #require(throws: WireError.self) { try pair.receive(timeout: .milliseconds(120)) }
        let waited = clock.now - start
        #expect(error.code == .timeout)
        #expect(waited >= .milliseconds(100) && waited < Self.delivery)
        #expect(try pair.receiveIfReady() == nil)
        #expect(try pair.waitUntilReadable(timeout: .zero) == false)
    }

    @Test("A ROUTER with mandatory routing reports an unknown peer as unreachable")
    func unknownPeerIsUnreachable() throws {
        let context = try ZeroMQContext()
        let router = try ZeroMQSocket(.router, context: context)
        try router.set(.routerMandatory(true))
        try router.bind(to: "inproc://transport-unreachable")
        let error = try #require(throws: WireError.self) { try router.send([[1, 2], [3]], timeout: .zero) }
        #expect(error.code == .peerUnreachable)
        #expect(error.errorNumber != nil && error.errorText != nil)
    }

    @Test("A peer that sends a frame above the maximum message size is cut off; smaller frames pass")
    func oversizedFrameDisconnectsPeer() throws {
        let context = try ZeroMQContext()
        let router = try ZeroMQSocket(.router, context: context)
        try router.set(.maximumMessageSize(1000))
        try router.bind(to: "tcp://127.0.0.1:0")
        let endpoint = try router.lastEndpoint()
        let big = try ZeroMQSocket(.dealer, context: context)
        try big.connect(to: endpoint)
        try big.send([[UInt8](repeating: 1, count: 5000)], timeout: Self.delivery)
        #expect(throws: WireError.self) { try router.receive(timeout: Self.absence) }
        let small = try ZeroMQSocket(.dealer, context: context)
        try small.connect(to: endpoint)
        try small.send([[UInt8](repeating: 2, count: 900)], timeout: Self.delivery)
        #expect(try router.receive(timeout: Self.delivery).last?.count == 900)
    }

    @Test("Polling several sockets says which one has a message")
    func pollingReportsReadySocket() throws {
        let context = try ZeroMQContext()
        let first = try ZeroMQSocket(.pair, context: context)
        try first.bind(to: "inproc://transport-poll-1")
        let second = try ZeroMQSocket(.pair, context: context)
        try second.bind(to: "inproc://transport-poll-2")
        let sender = try ZeroMQSocket(.pair, context: context)
        try sender.connect(to: "inproc://transport-poll-2")
        try sender.send([[5]], timeout: Self.delivery)
        #expect(try ZeroMQSocket.waitUntilReadable([first, second], timeout: Self.delivery) == [false, true])
    }
}
