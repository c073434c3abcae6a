import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element: name (without namespace prefix), text and children.
///
/// Responses are small (bounded by the transport), so a tree is simpler than streaming, and lets
/// every lookup go by element name, never by position. A body nested deeper than
/// ``maximumDepth`` or declaring entities (a DTD, which no IAM/STS answer has) is refused while
/// parsing, so hostile bodies cannot exhaust the stack (the tree is walked recursively) or expand
/// entities.
public struct ResponseElement: Sendable, Hashable {
    /// The deepest nesting accepted; IAM and STS answers are at most 6 levels deep.
    public static let maximumDepth = 32

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

    /// Parses `bytes`; nil when they are not well-formed XML or not UTF-8 (IAM and STS answer in
    /// UTF-8; FoundationXML traps on an element name that is not valid UTF-8).
    public static func parse(_ bytes: [UInt8]) -> ResponseElement? {
        guard String(validating: bytes, as: UTF8.self) != nil, !hasProcessingInstruction(bytes) else { return nil }
        let builder = TreeBuilder()
        let parser = XMLParser(data: Data(bytes))
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        guard parser.parse(), !builder.refused else { return nil }
        return builder.root
    }
}

extension ResponseElement {
    /// True when `<?` appears anywhere but in a leading `<?xml ` declaration: IAM and STS answers
    /// have no processing instructions, and FoundationXML crashes (SIGSEGV) on one without data
    /// (found by scripts/fuzz-config-xml).
    static func hasProcessingInstruction(_ bytes: [UInt8]) -> Bool {
        let declaration = Array("<?xml ".utf8)
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "<"), bytes[index + 1] == UInt8(ascii: "?") {
                guard index == 0, bytes.starts(with: declaration) else { return true }
            }
            index += 1
        }
        return false
    }
}

/// Collects XMLParser events into ``ResponseElement``s.
private final class TreeBuilder: NSObject, XMLParserDelegate {
    private struct Open {
        let name: String
        var text = ""
        var children: [ResponseElement] = []
    }

    private var stack: [Open] = []
    private(set) var root: ResponseElement?
    /// Set when the body was too deep or declared entities; the parse is aborted then.
    private(set) var refused = false

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        guard !refused else { return }
        guard stack.count < ResponseElement.maximumDepth else { return refuse(parser) }
        stack.append(Open(name: elementName))
    }

    func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
        refuse(parser)
    }

    func parser(_ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?) {
        refuse(parser)
    }

    func parser(_ parser: XMLParser, foundUnparsedEntityDeclarationWithName name: String, publicID: String?,
                systemID: String?, notationName: String?) {
        refuse(parser)
    }

    private func refuse(_ parser: XMLParser) {
        refused = true
        stack.removeAll()
        parser.abortParsing()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !refused, !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard !refused, let open = stack.popLast() else { return }
        let element = ResponseElement(name: open.name, text: open.text, children: open.children)
        if stack.isEmpty {
            root = element
        } else {
            stack[stack.count - 1].children.append(element)
        }
    }
}
