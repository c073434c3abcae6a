/// Text that came from the network (an AWS error's code, message and request id, names in an
/// answer), made safe to put in an error message or a log line.
///
/// A peer (or anything between it and keyrotd) chooses these characters. Control characters could
/// forge log lines or drive a terminal (line breaks, ESC, C1 controls such as NEL and CSI), and
/// format characters could reorder or hide what the operator reads (bidi embeddings, overrides and
/// isolates U+202A–U+202E and U+2066–U+2069, marks, zero-width characters). Controls and line or
/// paragraph separators become one space; format characters are dropped; the length is bounded.
package enum NetworkText {
    /// Longest text kept, in characters; AWS messages are one sentence.
    package static let maximumLength = 512

    package static func sanitized(_ text: some StringProtocol) -> String {
        var kept = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars {
            guard count < maximumLength else {
                kept.append("…")
                break
            }
            switch scalar.properties.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator:
                if let last = kept.last, last != " " {
                    kept.append(" ")
                    count += 1
                }
            case .format, .surrogate, .privateUse, .unassigned:
                continue
            default:
                kept.append(scalar)
                count += 1
            }
        }
        return String(kept).trimmingSuffix(" ")
    }
}

extension String {
    fileprivate func trimmingSuffix(_ character: Character) -> String {
        var text = self
        while text.last == character { text.removeLast() }
        return text
    }
}
