// MARK: - Frames

extension WireEnvelope {
    /// Encodes the envelope as one frame: the 56-byte header, then the body.
    ///
    /// - Parameter maximumFrameSize: the largest frame the receiving side accepts.
    /// - Returns: the frame's bytes.
    /// - Throws: `WireError.messageTooLarge` when the frame would exceed `maximumFrameSize`.
    public func encoded(maximumFrameSize: Int = WireProtocol.defaultMaximumFrameSize) throws -> [UInt8] {
        var writer = WireWriter(capacity: WireProtocol.headerLength + message.bulkByteCount + 256)
        writer.appendFixed(WireProtocol.magic)
        writer.append(version)
        writer.append(message.kind.rawValue)
        writer.append(UInt8(0))
        writer.appendFixed(runID.bytes)
        writer.appendFixed(contextDigest.bytes)
        message.encodeBody(into: &writer)
        guard writer.bytes.count <= maximumFrameSize else {
            throw WireError(
                .messageTooLarge,
                "A \(message.kind) message of \(writer.bytes.count) bytes exceeds the maximum frame size of "
                    + "\(maximumFrameSize) bytes; use smaller shards or raise the limit on both sides.")
        }
        return writer.bytes
    }

    /// Decodes one frame, validating every length against the frame and the size cap.
    ///
    /// - Parameters:
    ///   - frame: the frame's bytes.
    ///   - maximumFrameSize: frames longer than this are rejected before any field is read.
    /// - Returns: the envelope.
    /// - Throws: `WireError.messageTooLarge`, `WireError.unsupportedProtocolVersion` (except
    ///   for `refuse`, whose layout every version shares), or `WireError.malformedMessage`
    ///   naming the first field that does not fit. Never traps on any input.
    public static func decode(
        _ frame: [UInt8], maximumFrameSize: Int = WireProtocol.defaultMaximumFrameSize
    ) throws -> WireEnvelope {
        guard frame.count <= maximumFrameSize else {
            throw WireError(
                .messageTooLarge, "A frame of \(frame.count) bytes exceeds the maximum of \(maximumFrameSize) bytes.")
        }
        let header = try decodeHeader(frame)
        var reader = WireReader(frame, offset: WireProtocol.headerLength)
        let message = try WireMessage.decodeBody(of: header.kind, from: &reader)
        try reader.expectEnd("\(header.kind) message")
        return WireEnvelope(
            version: header.version, runID: header.runID, contextDigest: header.contextDigest, message: message)
    }

    /// Decodes only the header, whose layout every protocol version shares.
    ///
    /// - Throws: `WireError.malformedMessage` for a short frame, a wrong magic, an unknown kind
    ///   or non-zero flags; `WireError.unsupportedProtocolVersion` for another version's frame
    ///   that is not a `refuse`.
    public static func decodeHeader(_ frame: [UInt8]) throws -> WireHeader {
        var reader = WireReader(frame)
        let magic = try reader.readFixed(4, "header magic")
        guard magic == WireProtocol.magic else {
            throw WireError.malformed("header", expected: "the magic \"mtif\"", found: "bytes \(magic.hexadecimal)")
        }
        let version = try reader.read(UInt16.self, "protocol version")
        let kindByte = try reader.read(UInt8.self, "message kind")
        guard version == WireProtocol.version || kindByte == WireMessageKind.refuse.rawValue else {
            throw WireError(
                .unsupportedProtocolVersion,
                "The peer speaks protocol version \(version); this build speaks version \(WireProtocol.version). "
                    + "Run the same mtif release on the coordinator and every worker.")
        }
        guard let kind = WireMessageKind(rawValue: kindByte) else {
            throw WireError.malformed("message kind", expected: "1 to 10", found: "\(kindByte)")
        }
        let flags = try reader.read(UInt8.self, "header flags")
        guard flags == 0 else { throw WireError.malformed("header flags", expected: "0", found: "\(flags)") }
        let runID = RunIdentifier(validatedBytes: try reader.readFixed(RunIdentifier.length, "run identifier"))
        let digest = WireDigest(validatedBytes: try reader.readFixed(WireDigest.length, "context digest"))
        return WireHeader(version: version, kind: kind, runID: runID, contextDigest: digest)
    }
}

// MARK: - Bodies

extension WireMessage {
    /// The size of the message's large byte fields, to reserve the frame once.
    var bulkByteCount: Int {
        switch self {
        case .contextBlob(let blob): blob.bytes.count
        case .jobAssignment(let assignment): assignment.payload.count
        case .jobResult(let result): result.payload.count
        case .heartbeat(let jobIDs): jobIDs.count * 8
        default: 0
        }
    }

    func encodeBody(into writer: inout WireWriter) {
        switch self {
        case .hello(let hello): hello.encode(into: &writer)
        case .welcome(let welcome): welcome.encode(into: &writer)
        case .refuse(let reason): writer.appendText(reason)
        case .shutdown(let reason, let nextRunFollows):
            writer.appendText(reason)
            writer.append(UInt8(nextRunFollows ? 1 : 0))
        case .contextBlob(let blob):
            writer.appendName(blob.name)
            writer.appendFixed(blob.digest.bytes)
            writer.appendBlob(blob.bytes)
        case .jobRequest: break
        case .jobAssignment(let assignment): assignment.encode(into: &writer)
        case .heartbeat(let jobIDs):
            writer.append(UInt32(jobIDs.count))
            for jobID in jobIDs { writer.append(jobID) }
        case .jobResult(let result):
            writer.append(result.jobID)
            writer.append(result.computeTime.wholeNanoseconds)
            writer.appendBlob(result.payload)
        case .jobFailure(let failure):
            writer.append(failure.jobID)
            writer.append(failure.kind.rawValue)
            writer.appendText(failure.message)
        }
    }

    static func decodeBody(of kind: WireMessageKind, from reader: inout WireReader) throws -> WireMessage {
        switch kind {
        case .hello: .hello(try WorkerHello(from: &reader))
        case .welcome: .welcome(try CoordinatorWelcome(from: &reader))
        case .refuse: .refuse(reason: try reader.readText("refusal reason"))
        case .contextBlob: .contextBlob(try ContextBlob(from: &reader))
        case .jobRequest: .jobRequest
        case .jobAssignment: .jobAssignment(try JobAssignment(from: &reader))
        case .heartbeat:
            .heartbeat(
                jobIDs: try (0..<reader.readCount("heartbeat jobs", elementSize: 8)).map { _ in
                    try reader.read(UInt64.self, "heartbeat job id")
                })
        case .jobResult:
            .jobResult(
                JobResultMessage(
                    jobID: try reader.read(UInt64.self, "result job id"),
                    computeTime: .nanoseconds(Int64(clamping: try reader.read(UInt64.self, "result compute time"))),
                    payload: try reader.readBlob("result payload")))
        case .jobFailure: .jobFailure(try JobFailureReport(from: &reader))
        case .shutdown:
            .shutdown(
                reason: try reader.readText("shutdown reason"),
                nextRunFollows: try reader.read(UInt8.self, "shutdown next run") != 0)
        }
    }
}
