/// A failure of the command line itself (not of a rotation), in plain words for the operator.
struct CLIError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
