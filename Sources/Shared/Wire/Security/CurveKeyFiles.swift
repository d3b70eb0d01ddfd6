import Foundation

/// CURVE keys on disk: one Z85 key per file, an authorized-keys file with one public key per
/// line.
///
/// A key file holds comment lines starting with `#` and exactly one line with the 40-character
/// Z85 key. `mtif keygen` writes `NAME.key` (public, mode 0644) and `NAME.secret` (secret,
/// mode 0600, created with that mode so it is never readable by others, even briefly).
/// Secret key files readable by group or others are refused, as ssh does.
public enum CurveKeyFiles {
    /// Writes a key pair as `name.key` and `name.secret` in `directory`, creating the directory.
    ///
    /// - Parameter overwrite: replace existing files; refused otherwise, so that a key in use
    ///   is not lost by accident.
    /// - Returns: the paths written.
    /// - Throws: `WireError.invalidKey` naming the path when a file exists or cannot be written.
    public static func write(
        _ pair: CurveKeyPair, to directory: String, name: String, overwrite: Bool = false
    ) throws
        -> (publicPath: String, secretPath: String)
    {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw WireError(.invalidKey, "Cannot create the key directory \(directory): \(error.localizedDescription)")
        }
        let base = URL(fileURLWithPath: directory).appendingPathComponent(name).path
        let publicPath = base + ".key"
        let secretPath = base + ".secret"
        try writeFile(
            publicPath, text: "# mtif CURVE public key\n\(pair.publicKey.z85)\n", mode: 0o644, overwrite: overwrite)
        try writeFile(
            secretPath, text: "# mtif CURVE secret key: keep private\n\(pair.secretKey.z85)\n", mode: 0o600,
            overwrite: overwrite)
        return (publicPath, secretPath)
    }

    /// Reads a public key file.
    ///
    /// - Throws: `WireError.invalidKey` naming the path and what is wrong.
    public static func readPublicKey(at path: String) throws -> CurvePublicKey {
        try CurvePublicKey(z85: keyLine(in: readText(path), path: path))
    }

    /// Reads a secret key file and derives its key pair.
    ///
    /// - Throws: `WireError.invalidKey` when the file is unreadable, malformed, or readable by
    ///   group or others.
    public static func readKeyPair(secretKeyAt path: String) throws -> CurveKeyPair {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if let mode = (attributes?[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0 {
            throw WireError(
                .invalidKey,
                "The secret key file \(path) is readable by others (mode \(String(mode, radix: 8))); "
                    + "run chmod 600 \(path).")
        }
        return try CurveKeyPair(secretKey: CurveSecretKey(z85: keyLine(in: readText(path), path: path)))
    }

    /// Reads an authorized-keys file: one public key per line; blank lines and `#` comments
    /// are skipped.
    ///
    /// - Throws: `WireError.invalidKey` naming the line of a malformed key, or when the file
    ///   lists no key at all.
    public static func readAuthorizedKeys(at path: String) throws -> Set<CurvePublicKey> {
        var keys = Set<CurvePublicKey>()
        for (number, line) in try readText(path).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty, !text.hasPrefix("#") else { continue }
            do {
                keys.insert(try CurvePublicKey(z85: text))
            } catch let error as WireError {
                throw WireError(.invalidKey, "\(path), line \(number + 1): \(error.message)")
            }
        }
        guard !keys.isEmpty else { throw WireError(.invalidKey, "\(path) lists no public key.") }
        return keys
    }

    private static func readText(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw WireError(.invalidKey, "Cannot read the key file \(path): \(error.localizedDescription)")
        }
    }

    private static func keyLine(in text: String, path: String) throws -> String {
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard lines.count == 1 else {
            throw WireError(.invalidKey, "\(path) must hold exactly one key line, found \(lines.count).")
        }
        return lines[0]
    }

    /// Creates `path` with `mode` already set (never wider, even for an instant).
    private static func writeFile(_ path: String, text: String, mode: mode_t, overwrite: Bool) throws {
        let flags = O_WRONLY | O_CREAT | O_TRUNC | (overwrite ? 0 : O_EXCL)
        let descriptor = open(path, flags, mode)
        guard descriptor >= 0 else {
            let reason = errno == EEXIST ? "it exists (pass --force to replace it)" : String(cString: strerror(errno))
            throw WireError(.invalidKey, "Cannot write the key file \(path): \(reason).")
        }
        defer { close(descriptor) }
        // An existing file keeps its old mode through open(2): narrow it before writing the key.
        guard fchmod(descriptor, mode) == 0 else {
            throw WireError(.invalidKey, "Cannot set the mode of \(path): \(String(cString: strerror(errno))).")
        }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw WireError(.invalidKey, "Cannot write the key file \(path): \(String(cString: strerror(errno))).")
        }
    }
}
