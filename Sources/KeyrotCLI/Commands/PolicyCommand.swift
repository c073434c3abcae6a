import ArgumentParser
import CredentialFiles
import Foundation
import IAMClient
import KeyrotConfig
import KeyrotCore
import Logging

/// `keyrotd policy`: prints the IAM policy that lets the configured user rotate its own keys.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Print the least-privilege IAM policy keyrotd needs.",
        discussion: """
            Prints a JSON policy document allowing iam:CreateAccessKey, iam:DeleteAccessKey, \
            iam:UpdateAccessKey, iam:ListAccessKeys and iam:GetAccessKeyLastUsed on the configured \
            user only; with a `fleet:` section, also secretsmanager:DescribeSecret, GetSecretValue, \
            PutSecretValue and UpdateSecretVersionStage on the fleet's secret and dynamodb:GetItem, \
            PutItem, UpdateItem, DeleteItem and Query on its lock table. \
            Attach it to that user (or its group) next to the pipeline's own policy. \
            The user and partition come from the configuration file; without --account, the account \
            is looked up with STS GetCallerIdentity, signed with the key the configured files hold.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: ArgumentHelp("The 12-digit id of the AWS account that holds the user (default: asked from STS with the files' key).",
                               valueName: "id"))
    var account: String?

    func validate() throws {
        if let account, !IAMPolicyDocument.isAccountID(account) {
            throw ValidationError("--account must be the 12-digit AWS account id, such as 123456789012 "
                + "(the IAM console shows it in the top-right menu)")
        }
    }

    func run() async throws {
        let configuration = try options.loadConfiguration()
        let account: String
        do {
            if let given = self.account {
                account = given
            } else {
                account = try await Self.lookUpAccount(configuration)
            }
        } catch let error as IAMError where error.isTemporary {
            FileHandle.standardError.write(Data("keyrotd: \(error); or give the account with --account ID\n".utf8))
            throw ExitCode(ExitStatus.temporaryFailure)
        } catch {
            FileHandle.standardError.write(Data("keyrotd: \(error); or give the account with --account ID\n".utf8))
            throw ExitCode(ExitStatus.failure)
        }
        let policy = IAMPolicyDocument.forRotation(user: configuration.user, partition: configuration.aws.partition, account: account,
                                                   fleet: configuration.fleet, region: configuration.aws.region)
        print(policy.json(), terminator: "")
    }

    /// The account of the key the configured files hold, from STS GetCallerIdentity.
    static func lookUpAccount(_ configuration: KeyrotConfiguration) async throws -> String {
        let credentials = try ConfiguredKey.read(configuration)
        let client = try RotationRuntime.client(for: configuration, logger: Logger(label: "keyrotd"))
        return try await client.getCallerIdentity(credentials: credentials).account
    }
}
