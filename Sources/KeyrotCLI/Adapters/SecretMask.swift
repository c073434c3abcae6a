/// Masks anything shaped like an AWS secret access key (40 characters of base64) in text that
/// keyrotd did not write itself, such as a verify command's output.
enum SecretMask {
    static let placeholder = "<redacted>"

    static func masked(_ text: String) -> String {
        var result = ""
        var run = ""
        func flush() {
            result += run.count >= 40 ? placeholder : run
            run = ""
        }
        for character in text {
            if character.isASCII, character.isLetter || character.isNumber || character == "/" || character == "+" {
                run.append(character)
            } else {
                flush()
                result.append(character)
            }
        }
        flush()
        return result
    }
}
