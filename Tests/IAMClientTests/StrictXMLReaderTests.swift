import Foundation
import IAMClient
import Testing

/// The strict XML reader behind every IAM and STS answer: what it accepts (the XML AWS and moto
/// send), what it refuses (anything that could expand, fetch or nest without bound), and that no
/// mutation of a real answer crashes it.
@Suite struct StrictXMLReaderTests {
    static let fixtures: [String] = {
        let folder = Bundle.module.url(forResource: "Resources", withExtension: nil)!.appendingPathComponent("responses")
        return (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?
            .filter { $0.hasSuffix(".xml") }.map { String($0.dropLast(4)) }.sorted() ?? []
    }()

    static func body(_ fixture: String) throws -> [UInt8] {
        try Fixtures.body(fixture)
    }

    static func parse(_ text: String) -> ResponseElement? {
        ResponseElement.parse(Array(text.utf8))
    }

    @Test func everyCapturedAnswerIsRead() throws {
        #expect(Self.fixtures.count >= 20)
        for fixture in Self.fixtures {
            let root = try #require(ResponseElement.parse(try Self.body(fixture)), "\(fixture)")
            #expect(root.name.hasSuffix("Response"), "\(fixture)")
        }
    }

    @Test func referencesCDATACommentsAndNamespaces() throws {
        let root = try #require(Self.parse(
            "\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c --><aws:R xmlns:aws=\"urn:x\" a='1'>"
                + "<aws:T>&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#x1F511;<![CDATA[<&]]>]]&gt;</aws:T><!-- c --><E/></aws:R>\n"))
        #expect(root.name == "R")
        #expect(root.child("T")?.text == "<>&\"'AB\u{1F511}<&]]>")
        #expect(root.child("E") != nil)
    }

    /// The text of an element is its own character data; a child's text stays with the child.
    @Test func mixedContentKeepsTextWithItsElement() throws {
        let root = try #require(Self.parse("<R> a <C>b</C> c </R>"))
        #expect(root.text == " a  c ")
        #expect(root.child("C")?.text == "b")
    }

    static let refused: [(String, String)] = [
        ("internal DTD", #"<!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>"#),
        ("external DTD", #"<!DOCTYPE r SYSTEM "file:///etc/passwd"><r/>"#),
        ("DTD after the declaration", #"<?xml version="1.0"?><!DOCTYPE r><r/>"#),
        ("undeclared entity", "<r>&x;</r>"),
        ("entity in an attribute", "<r a='&x;'/>"),
        ("processing instruction in the prolog", "<?pi data?><r/>"),
        ("processing instruction inside", "<r><?pi data?></r>"),
        ("declaration not at the start", " <?xml version=\"1.0\"?><r/>"),
        ("declaration without a space", "<?xmlversion=\"1.0\"?><r/>"),
        ("NUL character reference", "<r>&#0;</r>"),
        ("surrogate character reference", "<r>&#xD800;</r>"),
        ("character reference beyond Unicode", "<r>&#x110000;</r>"),
        ("U+FFFF character reference", "<r>&#xFFFF;</r>"),
        ("empty character reference", "<r>&#;</r>"),
        ("bare ampersand", "<r>a & b</r>"),
        ("two roots", "<a/><b/>"),
        ("text before the root", "x<r/>"),
        ("text after the root", "<r/>x"),
        ("no root", "<!-- only a comment -->"),
        ("empty body", ""),
        ("mismatched end tag", "<a><b></a></b>"),
        ("unclosed element", "<a><b></b>"),
        ("end tag only", "</a>"),
        ("name starting with a digit", "<1a/>"),
        ("empty prefix", "<:a/>"),
        ("two prefixes", "<a:b:c/>"),
        ("duplicate attribute", "<r a='1' a='2'/>"),
        ("unquoted attribute", "<r a=1/>"),
        ("attribute without value", "<r a/>"),
        ("attributes run together", "<r a='1'b='2'/>"),
        ("'<' in an attribute", "<r a='<'/>"),
        ("unterminated comment", "<r><!-- </r>"),
        ("'--' in a comment", "<r><!-- a -- b --></r>"),
        ("unterminated CDATA", "<r><![CDATA[ </r>"),
        ("']]>' in text", "<r>]]></r>"),
        ("not UTF-8", "<r>\u{FFFD}</r>"),
    ]

    @Test(arguments: refused.map(\.0))
    func refusedConstructs(name: String) throws {
        var body = Array(try #require(Self.refused.first { $0.0 == name }).1.utf8)
        if name == "not UTF-8" { body = Array("<r>".utf8) + [0xC3, 0x28] + Array("</r>".utf8) }
        #expect(ResponseElement.parse(body) == nil)
    }

    /// Bodies bigger than the reader's bound are refused before any parsing.
    @Test func sizeBound() {
        let huge = Array(("<r>" + String(repeating: "x", count: 1 << 20) + "</r>").utf8)
        #expect(ResponseElement.parse(huge) == nil)
    }

    /// Random byte edits of every real answer: each result either parses or is refused, never traps;
    /// a prefix of an answer never parses as a complete one. Seeded, so a failure reproduces.
    @Test func mutatedAnswersNeverTrap() throws {
        var random = LinearCongruential(state: 0x5EED)
        let alphabet = Array("<>/&;#x!?-[]=\"' :aZ09".utf8) + [0x00, 0xFF, 0xC3, 0x0A]
        for fixture in Self.fixtures {
            let body = try Self.body(fixture)
            for _ in 0..<300 {
                var mutated = body
                for _ in 0..<(1 + Int(random.next() % 4)) {
                    let position = Int(random.next() % UInt64(mutated.count))
                    switch random.next() % 3 {
                    case 0: mutated[position] = alphabet[Int(random.next() % UInt64(alphabet.count))]
                    case 1: mutated.remove(at: position)
                    default: mutated.insert(alphabet[Int(random.next() % UInt64(alphabet.count))], at: position)
                    }
                }
                _ = ResponseElement.parse(mutated)
            }
            let end = body.lastIndex(of: UInt8(ascii: ">"))!
            #expect(ResponseElement.parse(Array(body[..<end])) == nil, "\(fixture) truncated")
        }
    }
}

/// Knuth's MMIX linear congruential generator: enough to pick edits, and reproducible.
struct LinearCongruential {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 11
    }
}
