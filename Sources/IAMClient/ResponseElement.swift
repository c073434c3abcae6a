import Foundation

/// A parsed XML element: name (without namespace prefix), text and children.
///
/// Responses are small (bounded by the transport), so a tree is simpler than streaming, and lets
/// every lookup go by element name, never by position. ``StrictXMLReader`` builds it without
/// recursion and refuses bodies nested deeper than ``maximumDepth`` (the tree's lookups recurse)
/// or holding a DTD, entities or processing instructions.
public struct ResponseElement: Sendable, Hashable {
    /// The deepest nesting accepted; IAM and STS answers are at most 6 levels deep.
    public static let maximumDepth = StrictXMLReader.maximumDepth

    public let name: String
    public let text: String
    public let children: [ResponseElement]

    /// The first direct child called `name`.
    public func child(_ name: String) -> ResponseElement? {
        children.first { $0.name == name }
    }

    /// The first element called `name` at any depth (depth-first, document order), self included.
    public func first(_ name: String) -> ResponseElement? {
        if self.name == name { return self }
        for child in children {
            if let found = child.first(name) { return found }
        }
        return nil
    }

    /// The trimmed text of a direct child.
    public func text(of name: String) -> String? {
        child(name).map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// Parses `bytes` with ``StrictXMLReader``; nil when they are not the well-formed, DTD-free UTF-8
    /// XML that IAM and STS answer with.
    public static func parse(_ bytes: [UInt8]) -> ResponseElement? {
        try? StrictXMLReader.read(bytes)
    }
}
