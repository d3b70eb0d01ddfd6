// Encoding and decoding of the bodies that have more than one field. Every decoder reads
// through `WireReader`, which checks each length against the frame before reading.

extension WorkerHello {
    func encode(into writer: inout WireWriter) {
        writer.appendName(workerID)
        writer.append(processorCount)
        writer.append(UInt32(jobKinds.count))
        for kind in jobKinds { writer.appendName(kind) }
        writer.append(UInt32(cachedBlobs.count))
        for digest in cachedBlobs { writer.appendFixed(digest.bytes) }
    }

    init(from reader: inout WireReader) throws {
        workerID = try reader.readName("worker id")
        processorCount = try reader.read(UInt32.self, "processor count")
        jobKinds = try (0..<reader.readCount("job kinds", elementSize: 2)).map { _ in
            try reader.readName("job kind")
        }
        cachedBlobs = try (0..<reader.readCount("cached blobs", elementSize: WireDigest.length)).map { _ in
            WireDigest(validatedBytes: try reader.readFixed(WireDigest.length, "cached blob digest"))
        }
    }
}

extension CoordinatorWelcome {
    func encode(into writer: inout WireWriter) {
        writer.append(UInt32(clamping: leaseDuration.roundedUpMilliseconds))
        writer.append(UInt32(clamping: heartbeatInterval.roundedUpMilliseconds))
        writer.append(UInt32(manifest.count))
        for entry in manifest {
            writer.appendName(entry.name)
            writer.appendFixed(entry.digest.bytes)
            writer.append(entry.size)
        }
    }

    init(from reader: inout WireReader) throws {
        leaseDuration = .milliseconds(try reader.read(UInt32.self, "lease duration"))
        heartbeatInterval = .milliseconds(try reader.read(UInt32.self, "heartbeat interval"))
        let entrySize = 2 + WireDigest.length + 8
        manifest = try (0..<reader.readCount("context manifest", elementSize: entrySize)).map { _ in
            ContextManifestEntry(
                name: try reader.readName("context blob name"),
                digest: WireDigest(validatedBytes: try reader.readFixed(WireDigest.length, "context blob digest")),
                size: try reader.read(UInt64.self, "context blob size"))
        }
    }
}

extension ContextBlob {
    init(from reader: inout WireReader) throws {
        let name = try reader.readName("context blob name")
        guard !name.isEmpty, name.utf8.count <= 1024 else {
            throw WireError.malformed("context blob name", expected: "1 to 1024 bytes", found: "\(name.utf8.count)")
        }
        let digest = WireDigest(validatedBytes: try reader.readFixed(WireDigest.length, "context blob digest"))
        self.init(name: name, bytes: try reader.readBlob("context blob bytes"), digest: digest)
    }
}

extension JobAssignment {
    func encode(into writer: inout WireWriter) {
        writer.append(jobID)
        writer.appendName(kind)
        writer.append(UInt32(clamping: leaseDuration.roundedUpMilliseconds))
        writer.appendBlob(payload)
    }

    init(from reader: inout WireReader) throws {
        jobID = try reader.read(UInt64.self, "assignment job id")
        kind = try reader.readName("assignment job kind")
        leaseDuration = .milliseconds(try reader.read(UInt32.self, "assignment lease duration"))
        payload = try reader.readBlob("assignment payload")
    }
}

extension JobFailureReport {
    init(from reader: inout WireReader) throws {
        jobID = try reader.read(UInt64.self, "failure job id")
        let kindByte = try reader.read(UInt8.self, "failure kind")
        guard let kind = JobFailureKind(rawValue: kindByte) else {
            throw WireError.malformed("failure kind", expected: "1 to 6", found: "\(kindByte)")
        }
        self.kind = kind
        message = try reader.readText("failure message")
    }
}

extension Duration {
    /// The duration in whole nanoseconds, clamped to 0 ... UInt64.max.
    var wholeNanoseconds: UInt64 {
        guard self > .zero else { return 0 }
        let (seconds, attoseconds) = components
        let (scaled, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : scaled &+ UInt64(attoseconds / 1_000_000_000)
    }
}
