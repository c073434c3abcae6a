import ArgumentParser
import KeyrotConfig

/// `keyrotd policy`: prints the IAM policy that lets the configured user rotate its own keys.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Print the least-privilege IAM policy keyrotd needs.",
        discussion: """
            Prints a JSON policy document allowing iam:CreateAccessKey, iam:DeleteAccessKey, \
            iam:UpdateAccessKey, iam:ListAccessKeys and iam:GetAccessKeyLastUsed on the configured \
            user only. Attach it to that user (or its group) next to the pipeline's own policy. \
            The user and partition come from the configuration file.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: ArgumentHelp("The 12-digit id of the AWS account that holds the user.", valueName: "id"))
    var account: String

    func validate() throws {
        guard IAMPolicyDocument.isAccountID(account) else {
            throw ValidationError("--account must be the 12-digit AWS account id, such as 123456789012 "
                + "(the IAM console shows it in the top-right menu)")
        }
    }

    func run() throws {
        let configuration = try options.loadConfiguration()
        let policy = IAMPolicyDocument.forRotation(user: configuration.user,
                                                   partition: configuration.aws.partition, account: account)
        print(policy.json(), terminator: "")
    }
}
