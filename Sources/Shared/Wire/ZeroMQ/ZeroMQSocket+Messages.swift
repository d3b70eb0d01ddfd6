import CZeroMQ

// MARK: - Sending and receiving multipart messages

extension ZeroMQSocket {
    /// Sends one multipart message: every frame but the last is flagged "more", so the peer
    /// receives all frames or none.
    ///
    /// Each frame is copied once into libzmq's message buffer. A frame must be smaller than
    /// 2 GiB (libzmq reports sizes as a C `int`).
    ///
    /// - Parameters:
    ///   - frames: the frames, at least one. On a ROUTER the first names the receiving peer.
    ///   - timeout: how long to wait for room in the peer's queue; `nil` waits for ever and
    ///     `.zero` does not wait.
    /// - Throws: `WireError.timeout` when the queue stayed full (EAGAIN),
    ///   `WireError.peerUnreachable` when a ROUTER with `routerMandatory` has no such peer,
    ///   `WireError.transport` otherwise. Interrupted calls (EINTR) are retried.
    public func send(_ frames: [[UInt8]], timeout: Duration? = nil) throws {
        precondition(!frames.isEmpty, "A ZeroMQ message has at least one frame")
        let waitFlag = timeout == .zero ? ZMQ_DONTWAIT : 0
        if timeout != .zero { try setSendTimeout(timeout) }
        for (index, frame) in frames.enumerated() {
            let flags = waitFlag | (index + 1 < frames.count ? ZMQ_SNDMORE : 0)
            try frame.withUnsafeBytes { buffer in
                _ = try ZeroMQCall.retryingInterrupts("Could not send on a \(kind) socket") {
                    zmq_send(handle, buffer.baseAddress, buffer.count, flags)
                }
            }
        }
    }

    /// Receives one multipart message, waiting at most `timeout`.
    ///
    /// - Parameter timeout: `nil` waits for ever; `.zero` only takes a message already queued.
    /// - Returns: the frames of the message, each copied once out of libzmq.
    /// - Throws: `WireError.timeout` when no message arrived in time, `WireError` for a failed
    ///   receive. Interrupted calls (EINTR) are retried with the time that remains.
    public func receive(timeout: Duration?) throws -> [[UInt8]] {
        guard let timeout else { return try receiveMessage(waiting: true)! }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        repeat {
            if let message = try receiveIfReady() { return message }
        } while try waitUntilReadable(timeout: clock.now.duration(to: deadline))
        throw WireError(.timeout, "No message arrived on a \(kind) socket within \(timeout).")
    }

    /// Takes the next message if one is already queued.
    ///
    /// - Returns: the frames, or `nil` when nothing is queued.
    /// - Throws: `WireError` for a failed receive.
    public func receiveIfReady() throws -> [[UInt8]]? {
        try receiveMessage(waiting: false)
    }

    private func receiveMessage(waiting: Bool) throws -> [[UInt8]]? {
        var message = zmq_msg_t()
        zmq_msg_init(&message)
        defer { zmq_msg_close(&message) }
        var frames = [[UInt8]]()
        while true {
            // Later frames of a multipart message are already queued: libzmq delivers all or none.
            let flags = frames.isEmpty && !waiting ? ZMQ_DONTWAIT : 0
            if zmq_msg_recv(&message, handle, flags) < 0 {
                let number = zmq_errno()
                if number == EINTR { continue }
                if number == EAGAIN && frames.isEmpty { return nil }
                throw ZeroMQCall.error(.transport, "Could not receive on a \(kind) socket")
            }
            frames.append(Self.copyBytes(of: &message))
            if zmq_msg_more(&message) == 0 { return frames }
        }
    }

    private static func copyBytes(of message: inout zmq_msg_t) -> [UInt8] {
        let size = zmq_msg_size(&message)
        guard size > 0, let source = zmq_msg_data(&message) else { return [] }
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            buffer.baseAddress!.update(from: source.assumingMemoryBound(to: UInt8.self), count: size)
            count = size
        }
    }

    private func setSendTimeout(_ timeout: Duration?) throws {
        let milliseconds = timeout.map { Int32(clamping: $0.roundedUpMilliseconds) } ?? -1
        guard milliseconds != currentSendTimeout else { return }
        var raw = milliseconds
        _ = try ZeroMQCall.retryingInterrupts("Could not set a send timeout") {
            zmq_setsockopt(handle, ZMQ_SNDTIMEO, &raw, MemoryLayout<Int32>.size)
        }
        currentSendTimeout = milliseconds
    }
}

// MARK: - Polling

extension ZeroMQSocket {
    /// Waits until a message can be received on this socket or `timeout` passes.
    ///
    /// - Parameter timeout: `nil` waits for ever; `.zero` only looks.
    /// - Returns: whether a message is ready.
    /// - Throws: `WireError` when polling fails; EINTR is retried with the time that remains.
    public func waitUntilReadable(timeout: Duration?) throws -> Bool {
        try Self.waitUntilReadable([self], timeout: timeout)[0]
    }

    /// Waits until any of `sockets` has a message to receive or `timeout` passes (`zmq_poll`).
    ///
    /// - Important: every socket must belong to the calling thread.
    /// - Parameters:
    ///   - sockets: the sockets to watch.
    ///   - timeout: `nil` waits for ever; `.zero` only looks.
    /// - Returns: for each socket, in order, whether a message is ready.
    /// - Throws: `WireError` when polling fails; EINTR is retried with the time that remains.
    public static func waitUntilReadable(_ sockets: [ZeroMQSocket], timeout: Duration?) throws -> [Bool] {
        var items = sockets.map { zmq_pollitem_t(socket: $0.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0) }
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now.advanced(by: $0) }
        while true {
            let milliseconds = deadline.map { clock.now.duration(to: $0).roundedUpMilliseconds } ?? -1
            if zmq_poll(&items, Int32(items.count), milliseconds) >= 0 {
                return items.map { $0.revents & Int16(ZMQ_POLLIN) != 0 }
            }
            guard zmq_errno() == EINTR else { throw ZeroMQCall.error(.transport, "Could not poll ZeroMQ sockets") }
        }
    }
}
