import Testing

@testable import Shared

/// One message of every kind, with contents drawn from a fixed seed.
enum WireSamples {
    static let runID = try! RunIdentifier(bytes: (1...16).map { UInt8($0) })
    static let contextDigest = WireDigest.sha256(of: Array("sample context".utf8))

    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }

    static var messages: [WireMessage] {
        let manifest = [
            ContextManifestEntry(name: "vectors", digest: .sha256(of: bytes(9, seed: 1)), size: 9),
            ContextManifestEntry(name: "rows", digest: .sha256(of: bytes(4, seed: 2)), size: 4),
        ]
        return [
            .hello(
                WorkerHello(
                    workerID: "host-17", jobKinds: ["dot-shard", "score"], processorCount: 8,
                    cachedBlobs: [manifest[0].digest])),
            .welcome(
                CoordinatorWelcome(
                    leaseDuration: .milliseconds(1500), heartbeatInterval: .milliseconds(500), manifest: manifest)),
            .refuse(reason: "context digest differs"),
            .contextBlob(ContextBlob(name: "vectors", bytes: bytes(37, seed: 3))),
            .jobRequest,
            .jobAssignment(
                JobAssignment(
                    jobID: 42, kind: "dot-shard", leaseDuration: .milliseconds(300), payload: bytes(29, seed: 4))),
            .heartbeat(jobIDs: [7, 42, .max]),
            .jobResult(JobResultMessage(jobID: 42, computeTime: .nanoseconds(123_456), payload: bytes(31, seed: 5))),
            .jobFailure(
                JobFailureReport(jobID: 9, kind: .computationFailed, message: "Cholesky: not positive definite")),
            .shutdown(reason: "run complete", nextRunFollows: false),
            .shutdown(reason: "rounds complete", nextRunFollows: true),
        ]
    }

    static func envelope(_ message: WireMessage) -> WireEnvelope {
        WireEnvelope(runID: runID, contextDigest: contextDigest, message: message)
    }

    static func frame(_ message: WireMessage) throws -> [UInt8] {
        try envelope(message).encoded()
    }
}

@Suite("Wire protocol frames: round trips and hostile input")
struct WireProtocolTests {
    @Test("Every message kind has a sample")
    func samplesCoverEveryKind() {
        #expect(Set(WireSamples.messages.map(\.kind)) == Set(WireMessageKind.allCases))
    }

    @Test("Every message round-trips through its frame unchanged")
    func everyMessageRoundTrips() throws {
        for message in WireSamples.messages {
            let envelope = WireSamples.envelope(message)
            #expect(try WireEnvelope.decode(envelope.encoded()) == envelope)
        }
    }

    @Test("Every truncation of every message throws a malformed-message error")
    func everyTruncationThrows() throws {
        for message in WireSamples.messages {
            let frame = try WireSamples.frame(message)
            for length in 0..<frame.count {
                #expect(throws: WireError.self, "\(message.kind) cut to \(length) bytes") {
                    try WireEnvelope.decode(Array(frame.prefix(length)))
                }
            }
        }
    }

    @Test("A frame with bytes after its body is rejected")
    func trailingBytesThrow() throws {
        for message in WireSamples.messages {
            let frame = try WireSamples.frame(message) + [0]
            let error = try #require(throws: WireError.self) { try WireEnvelope.decode(frame) }
            #expect(error.code == .malformedMessage)
        }
    }

    @Test("A blob length larger than the frame throws instead of reading past it")
    func lyingBlobLengthThrows() throws {
        var frame = try WireSamples.frame(WireSamples.messages[7])  // jobResult
        let lengthOffset = WireProtocol.headerLength + 16
        for lie: UInt64 in [32, 1 << 40, .max] {
            withUnsafeBytes(of: lie.littleEndian) { frame.replaceSubrange(lengthOffset..<(lengthOffset + 8), with: $0) }
            let error = try #require(throws: WireError.self) { try WireEnvelope.decode(frame) }
            #expect(error.code == .malformedMessage)
        }
    }

    @Test("An element count larger than the frame can hold throws before allocating")
    func lyingCountThrows() throws {
        var frame = try WireSamples.frame(WireSamples.messages[6])  // heartbeat with 3 ids
        let countOffset = WireProtocol.headerLength
        for lie: UInt32 in [4, 1 << 28, .max] {
            withUnsafeBytes(of: lie.littleEndian) { frame.replaceSubrange(countOffset..<(countOffset + 4), with: $0) }
            let error = try #require(throws: WireError.self) { try WireEnvelope.decode(frame) }
            #expect(error.code == .malformedMessage)
        }
    }

    @Test("A lying name length inside a hello throws")
    func lyingNameLengthThrows() throws {
        var frame = try WireSamples.frame(WireSamples.messages[0])
        frame[WireProtocol.headerLength] = 0xFF
        frame[WireProtocol.headerLength + 1] = 0xFF
        #expect(throws: WireError.self) { try WireEnvelope.decode(frame) }
    }

    @Test("Random byte corruption of valid frames never traps: each decodes or throws")
    func randomCorruptionNeverTraps() throws {
        var generator = SeededGenerator(seed: 2024)
        var thrown = 0
        for message in WireSamples.messages {
            let frame = try WireSamples.frame(message)
            for _ in 0..<300 {
                var corrupted = frame
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    corrupted[Int.random(in: 0..<corrupted.count, using: &generator)] = UInt8.random(
                        in: 0...255, using: &generator)
                }
                do { _ = try WireEnvelope.decode(corrupted) } catch is WireError { thrown += 1 }
            }
        }
        #expect(thrown > 0)
    }

    @Test("A frame larger than the maximum frame size is rejected on decode and on encode")
    func oversizedFramesRejected() throws {
        let frame = try WireSamples.frame(WireSamples.messages[5])
        let decodeError = try #require(throws: WireError.self) {
            try WireEnvelope.decode(frame, maximumFrameSize: frame.count - 1)
        }
        #expect(decodeError.code == .messageTooLarge)
        #expect(
            try WireEnvelope.decode(frame, maximumFrameSize: frame.count)
                == WireSamples.envelope(WireSamples.messages[5]))
        let encodeError = try #require(throws: WireError.self) {
            try WireSamples.envelope(WireSamples.messages[5]).encoded(maximumFrameSize: 64)
        }
        #expect(encodeError.code == .messageTooLarge)
    }

    @Test("A frame of another protocol version is rejected, except a refusal, which stays readable")
    func wrongVersionRejected() throws {
        for message in WireSamples.messages {
            var envelope = WireSamples.envelope(message)
            envelope.version = WireProtocol.version + 1
            let frame = try envelope.encoded()
            if message.kind == .refuse {
                #expect(try WireEnvelope.decode(frame).message == message)
            } else {
                let error = try #require(throws: WireError.self) { try WireEnvelope.decode(frame) }
                #expect(error.code == .unsupportedProtocolVersion)
            }
        }
    }

    @Test("Wrong magic, unknown kind and non-zero flags are malformed")
    func headerFieldsValidated() throws {
        let frame = try WireSamples.frame(.jobRequest)
        for (offset, value) in [(0, UInt8(ascii: "M")), (6, 0), (6, 11), (7, 1)] {
            var corrupted = frame
            corrupted[offset] = value
            let error = try #require(throws: WireError.self) { try WireEnvelope.decode(corrupted) }
            #expect(error.code == .malformedMessage)
        }
    }

    @Test("An unknown failure kind and invalid UTF-8 in a text are malformed")
    func fieldValuesValidated() throws {
        var failure = try WireSamples.frame(WireSamples.messages[8])
        failure[WireProtocol.headerLength + 8] = 99
        #expect(throws: WireError.self) { try WireEnvelope.decode(failure) }
        var refusal = try WireSamples.frame(.refuse(reason: "abc"))
        refusal[refusal.count - 1] = 0xFF
        #expect(throws: WireError.self) { try WireEnvelope.decode(refusal) }
    }
}
