import Foundation
import Testing

@testable import Shared

@Suite("CURVE key files: keygen output, secret-file modes and authorized-keys lists")
struct CurveKeyFilesTests {
    func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mtif-key-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    func mode(of path: String) throws -> Int {
        try #require((FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue)
    }

    @Test("Written keys read back as the same pair; the secret file is created with mode 0600")
    func writtenKeysReadBack() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pair = try CurveKeyPair.generate()
        let paths = try CurveKeyFiles.write(pair, to: directory + "/nested", name: "node")
        #expect(paths.publicPath.hasSuffix("nested/node.key") && paths.secretPath.hasSuffix("nested/node.secret"))
        #expect(try mode(of: paths.secretPath) == 0o600)
        #expect(try CurveKeyFiles.readPublicKey(at: paths.publicPath) == pair.publicKey)
        #expect(try CurveKeyFiles.readKeyPair(secretKeyAt: paths.secretPath) == pair)
    }

    @Test("Existing key files are kept unless overwriting is asked for, and then the mode is narrowed first")
    func existingFilesAreProtected() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try CurveKeyPair.generate()
        let paths = try CurveKeyFiles.write(first, to: directory, name: "node")
        let error = try #require(throws: WireError.self) {
            try CurveKeyFiles.write(try CurveKeyPair.generate(), to: directory, name: "node")
        }
        #expect(error.code == .invalidKey && error.message.contains("--force"))
        #expect(try CurveKeyFiles.readKeyPair(secretKeyAt: paths.secretPath) == first)

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: paths.secretPath)
        let second = try CurveKeyPair.generate()
        _ = try CurveKeyFiles.write(second, to: directory, name: "node", overwrite: true)
        #expect(try mode(of: paths.secretPath) == 0o600)
        #expect(try CurveKeyFiles.readKeyPair(secretKeyAt: paths.secretPath) == second)
    }

    @Test("A secret key file readable by others is refused with the chmod that fixes it")
    func looseSecretFileRefused() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let paths = try CurveKeyFiles.write(try CurveKeyPair.generate(), to: directory, name: "node")
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: paths.secretPath)
        let error = try #require(throws: WireError.self) {
            try CurveKeyFiles.readKeyPair(secretKeyAt: paths.secretPath)
        }
        #expect(error.message.contains("chmod 600"))
        #expect(error.category == .usage)
    }

    @Test("Authorized keys skip comments and blank lines, and a bad line is reported by number")
    func authorizedKeysParsed() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let keys = try (0..<2).map { _ in try CurveKeyPair.generate().publicKey }
        let path = directory + "/authorized"
        try "# workers\n\n\(keys[0].z85)\n  \(keys[1].z85)  \n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try CurveKeyFiles.readAuthorizedKeys(at: path) == Set(keys))

        try "\(keys[0].z85)\nnot-a-key\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(throws: WireError.self) { try CurveKeyFiles.readAuthorizedKeys(at: path) }
        #expect(error.message.contains("line 2"))
        try "# nobody\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: WireError.self) { try CurveKeyFiles.readAuthorizedKeys(at: path) }
        #expect(throws: WireError.self) { try CurveKeyFiles.readPublicKey(at: directory + "/missing.key") }
    }
}
