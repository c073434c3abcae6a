// libFuzzer harness for the keyrotd.yml reader; built by scripts/fuzz-config-xml together with the
// sources of KeyrotConfig, CredentialFiles, DurableFS and KeyrotCore as one module (so it may use
// internals). Any input must end in a configuration or a ConfigurationError, never a crash or a hang,
// and an accepted configuration must hold what the reader promises.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfigurationReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let reader = ConfigurationReader(configPath: "/fuzz/keyrotd.yml", environment: [:])
    do {
        let configuration = try reader.read(yaml: text)
        if configuration.files.isEmpty { fatalError("a configuration without files was accepted") }
        if configuration.user.isEmpty { fatalError("a configuration without a user was accepted") }
    } catch {
        if "\(error)".isEmpty { fatalError("an empty error message") }
    }
    return 0
}
