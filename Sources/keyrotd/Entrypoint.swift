import ArgumentParser
import KeyrotCLI

/// The whole executable: everything lives in `KeyrotCLI` so that it can be tested.
@main
enum Entrypoint {
    static func main() async {
        await KeyrotCommand.main()
    }
}
