import ArgumentParser
import FleetAWS
import Foundation
import KeyrotConfig
import KeyrotCore

/// `keyrotd fleet init`: creates the fleet's secret (holding the files' current pair) and lock
/// table when they do not exist, signed with the files' key.
struct FleetInitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the fleet's secret (from the files' current key) and lock table when they do not exist.",
        discussion: """
            Signs with the key the configured files hold, which then needs secretsmanager:CreateSecret, \
            dynamodb:CreateTable and dynamodb:DescribeTable besides the fleet host's policy (`keyrotd policy`) \
            for this one run; or create both as an operator and run it to check them. Changes nothing that \
            exists: a secret whose current version holds another key is refused (the files or the secret are \
            out of date). Exit status 0 when both exist afterwards.
            """
    )

    @OptionGroup var options: GlobalOptions

    /// How long a new table may stay CREATING.
    static let tableTimeout: Duration = .seconds(120)

    func run() async throws {
        let (configuration, fleet) = try FleetCommand.runtime(options)
        let credentials: Credentials
        do {
            credentials = try ConfiguredKey.read(configuration)
        } catch {
            throw FleetCommand.fail(error)
        }
        do {
            print(try await FleetInitializer(fleet: fleet, credentials: credentials, clock: SystemClock()).run().joined(separator: "\n"))
        } catch {
            throw FleetCommand.fail(error)
        }
    }
}

/// What `fleet init` does, apart from the command line: the table, then the secret.
struct FleetInitializer {
    let fleet: FleetRuntime
    let credentials: Credentials
    let clock: any KeyrotClock

    /// The rotation number of the secret's first version: rotations count from 1.
    static let initialRotation: UInt64 = 0

    /// - Returns: one line per thing done or found.
    func run() async throws -> [String] {
        [try await table(), try await secret()]
    }

    private func table() async throws -> String {
        let name = fleet.settings.lockTable
        do {
            _ = try await fleet.dynamo.createTable(name, credentials: credentials)
        } catch let error as AWSServiceError where error.code == .resourceInUse {
            return "table \(name): exists"
        }
        let deadline = clock.now.addingTimeInterval(TimeInterval(FleetInitCommand.tableTimeout.components.seconds))
        while try await fleet.dynamo.describeTable(name, credentials: credentials).status != "ACTIVE" {
            guard clock.now < deadline else {
                throw CLIError("table \(name) was created but is not ACTIVE after \(FleetInitCommand.tableTimeout); run `keyrotd fleet init` again")
            }
            try await clock.sleep(for: .seconds(2))
        }
        return "table \(name): created (partition key pk, on demand)"
    }

    private func secret() async throws -> String {
        let id = fleet.settings.secretID
        do {
            _ = try await fleet.secrets.describeSecret(id, credentials: credentials)
        } catch let error as AWSServiceError where error.code == .resourceNotFound {
            let token = RotationToken(rotation: Self.initialRotation)
            _ = try await fleet.secrets.createSecret(name: id, pair: credentials, token: token,
                                                     description: "keyrotd fleet: the current access key pair", credentials: credentials)
            return "secret \(id): created holding \(credentials.accessKeyID) (version \(token))"
        }
        let current = try await fleet.secrets.getSecretValue(id, .stage(SecretStage.current), credentials: credentials)
        guard current.credentials.accessKeyID == credentials.accessKeyID else {
            throw CLIError("secret \(id) exists and its AWSCURRENT version \(current.versionID) holds \(current.credentials.accessKeyID), "
                + "but the files hold \(credentials.accessKeyID); nothing was changed. Bring this host's files up to date "
                + "(`keyrotd fleet join` with the current pair) or check that secret_id names the fleet's secret")
        }
        guard current.credentials.secretAccessKey == credentials.secretAccessKey else {
            throw CLIError("secret \(id) holds \(credentials.accessKeyID) with another secret access key than the files; "
                + "nothing was changed. Check which is right with `keyrotd check`, then fix the secret's value or the files")
        }
        return "secret \(id): exists, AWSCURRENT (version \(current.versionID)) holds \(credentials.accessKeyID) as the files do"
    }
}
