import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A TLS server on 127.0.0.1 presenting a self-signed certificate made for it (by `openssl`), which
/// no client that verifies certificates accepts: for tests of certificate failures. It never
/// answers HTTP; it counts the connections it accepted. Stop it with ``shutdown()``.
public final class SelfSignedTLSServer: Sendable {
    public let port: Int
    private let channel: any Channel
    private let accepted = Counter()

    private final class Counter: Sendable {
        let value = Mutex(0)
    }

    public init() throws {
        let context = try NIOSSLContext(configuration: try Self.selfSignedConfiguration())
        let accepted = self.accepted
        channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                accepted.value.withLock { $0 += 1 }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        port = channel.localAddress?.port ?? 0
    }

    public var url: URL { URL(string: "https://127.0.0.1:\(port)")! }

    /// Connections accepted so far (one per attempt of a client).
    public var acceptedConnections: Int { accepted.value.withLock { $0 } }

    public func shutdown() {
        try? channel.close().wait()
    }

    /// A fresh key and a certificate for 127.0.0.1 signed by that key itself, valid for a day.
    private static func selfSignedConfiguration() throws -> TLSConfiguration {
        let directory = FileManager.default.temporaryDirectory.appending(path: "keyrotd-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = directory.appending(path: "key.pem").path, certificate = directory.appending(path: "cert.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                             "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=127.0.0.1",
                             "-addext", "subjectAltName=IP:127.0.0.1"]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else {
            throw Repository.MissingPrerequisite(description: "openssl could not make a self-signed certificate (exit \(openssl.terminationStatus)); install openssl")
        }
        return TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
    }
}
