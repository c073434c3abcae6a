import Foundation
import PackagePlugin

/// Generates `keyrotdVersion` for KeyrotCLI from the first line of debian/changelog
/// (`keyrotd (0.1.0) unstable; ...`), the one place the version is written: the Debian package and
/// `keyrotd --version` cannot disagree. Rebuilt whenever the changelog changes.
@main
struct KeyrotVersion: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let changelog = context.package.directoryURL.appending(path: "debian/changelog")
        let output = context.pluginWorkDirectoryURL.appending(path: "KeyrotVersion.swift")
        // A changelog whose first line has no "(version)" fails the build rather than ship "".
        let script = """
            version=$(sed -n '1s/^[^ ]* (\\([^)]*\\)).*/\\1/p' "$1")
            [ -n "$version" ] || { echo "$1: no version on the first line" >&2; exit 1; }
            printf '/// The package version (debian/changelog).\\nlet keyrotdVersion = "%s"\\n' "$version" >"$2"
            """
        return [
            .buildCommand(
                displayName: "keyrotd version from debian/changelog",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "keyrotd-version", changelog.path, output.path],
                inputFiles: [changelog],
                outputFiles: [output]
            ),
        ]
    }
}
