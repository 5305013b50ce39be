/// A token of the expression language with its column offset inside the string.
struct Token: Equatable {
    enum Kind: Equatable {
        case identifier(String)
        case number(Double)
        /// A kernel size, `4x4`: two whole numbers joined by `x`.
        case size(Int, Int)
        case string(String)
        case punctuation(Character)
        case end
    }

    var kind: Kind
    /// Offset in Unicode scalars from the start of the string.
    var offset: Int
    var length: Int

    var text: String {
        switch kind {
        case .identifier(let name): "'\(name)'"
        case .number(let value): "the number \(Expression.format(value))"
        case .size(let rows, let columns): "the size \(rows)x\(columns)"
        case .string(let value): "the string \"\(value)\""
        case .punctuation(let character): "'\(character)'"
        case .end: "the end of the text"
        }
    }
}

/// A lexical error: where, and what was found.
struct LexError: Error {
    var offset: Int
    var length: Int
    var message: String
}

/// Splits an expression string into tokens. Identifiers may hold `-` after the first
/// character (`fashion-mnist`, `four-points`): the language has no subtraction.
enum ExpressionLexer {
    static let punctuation: Set<Character> = ["(", ")", "[", "]", ",", ":", "~", "="]

    static func tokenize(_ text: String) throws(LexError) -> [Token] {
        let scalars = Array(text.unicodeScalars)
        var tokens: [Token] = []
        var index = 0
        func isLetter(_ s: Unicode.Scalar) -> Bool { s.properties.isAlphabetic || s == "_" }
        func isDigit(_ s: Unicode.Scalar) -> Bool { ("0"..."9").contains(s) }
        while index < scalars.count {
            let scalar = scalars[index]
            let start = index
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                index += 1
            } else if isLetter(scalar) {
                index += 1
                while index < scalars.count,
                    isLetter(scalars[index]) || isDigit(scalars[index])
                        || (scalars[index] == "-" && index + 1 < scalars.count && isLetter(scalars[index + 1]))
                {
                    index += 1
                }
                let name = String(String.UnicodeScalarView(scalars[start..<index]))
                tokens.append(Token(kind: .identifier(name), offset: start, length: index - start))
            } else if isDigit(scalar)
                || ((scalar == "-" || scalar == "+") && index + 1 < scalars.count && isDigit(scalars[index + 1]))
            {
                // number = [sign] digits ["." digits] [("e" | "E") [sign] digits]
                func digits() -> Bool {
                    let first = index
                    while index < scalars.count, isDigit(scalars[index]) { index += 1 }
                    return index > first
                }
                index += 1
                _ = digits()
                if let size = kernelSize(scalars, start: start, index: &index) {
                    tokens.append(Token(kind: size, offset: start, length: index - start))
                    continue
                }
                var wellFormed = true
                if index < scalars.count, scalars[index] == "." {
                    index += 1
                    wellFormed = digits()
                }
                if wellFormed, index < scalars.count, scalars[index] == "e" || scalars[index] == "E" {
                    index += 1
                    if index < scalars.count, scalars[index] == "-" || scalars[index] == "+" { index += 1 }
                    wellFormed = digits()
                }
                while index < scalars.count,
                    isLetter(scalars[index]) || isDigit(scalars[index]) || scalars[index] == "."
                {
                    index += 1
                    wellFormed = false
                }
                let literal = String(String.UnicodeScalarView(scalars[start..<index]))
                guard wellFormed, let value = Double(literal), value.isFinite else {
                    throw LexError(
                        offset: start, length: index - start, message: "'\(literal)' is not a number")
                }
                tokens.append(Token(kind: .number(value), offset: start, length: index - start))
            } else if scalar == "\"" {
                index += 1
                while index < scalars.count, scalars[index] != "\"" { index += 1 }
                guard index < scalars.count else {
                    throw LexError(offset: start, length: index - start, message: "this string has no closing '\"'")
                }
                let content = String(String.UnicodeScalarView(scalars[(start + 1)..<index]))
                index += 1
                tokens.append(Token(kind: .string(content), offset: start, length: index - start))
            } else if punctuation.contains(Character(scalar)) {
                index += 1
                tokens.append(Token(kind: .punctuation(Character(scalar)), offset: start, length: 1))
            } else {
                throw LexError(offset: start, length: 1, message: "unexpected character '\(scalar)'")
            }
        }
        tokens.append(Token(kind: .end, offset: scalars.count, length: 1))
        return tokens
    }

    /// After the digits of a number at `start`: `x` and more digits make a size (`4x4`),
    /// read up to `index`; nil (and `index` unchanged) otherwise.
    static func kernelSize(_ scalars: [Unicode.Scalar], start: Int, index: inout Int) -> Token.Kind? {
        var end = index + 1
        guard index < scalars.count, scalars[index] == "x", scalars[start] != "-", scalars[start] != "+" else {
            return nil
        }
        while end < scalars.count, ("0"..."9").contains(scalars[end]) { end += 1 }
        guard end > index + 1, end == scalars.count || !(scalars[end].properties.isAlphabetic || scalars[end] == "."),
            let rows = Int(String(String.UnicodeScalarView(scalars[start..<index]))),
            let columns = Int(String(String.UnicodeScalarView(scalars[(index + 1)..<end])))
        else { return nil }
        index = end
        return .size(rows, columns)
    }
}
