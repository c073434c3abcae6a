import ArgumentParser
import KeyrotCLI

/// The whole executable: everything lives in `KeyrotCLI` so that it can be tested.
@main
enum Entrypoint {
    static func main() async {
        // Before any subcommand reads a credential file or the state: no secret in a core dump.
        CoreDumpGuard.engage()
        await KeyrotCommand.main()
    }
}
