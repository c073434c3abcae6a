/// The AWS partition the IAM user lives in: it picks the IAM endpoint and is part of every ARN.
public enum AWSPartition: String, Sendable, Hashable, CaseIterable {
    case aws
    case awsCN = "aws-cn"
    case awsUSGov = "aws-us-gov"
}
