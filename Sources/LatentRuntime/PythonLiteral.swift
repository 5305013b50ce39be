/// The Python literals a .npy header is written in: a dict of strings, booleans, integers
/// and tuples (`{'descr': '<f4', 'fortran_order': False, 'shape': (60000, 784), }`), parsed
/// as Python reads them, so spacing, quotes and key order do not matter.
indirect enum PythonLiteral: Equatable {
    case string(String)
    case boolean(Bool)
    case integer(Int)
    case none
    case sequence([PythonLiteral])
    case dictionary([String: PythonLiteral])

    /// Parses one literal that spans `text` (surrounding white space allowed); nil if it is not one.
    static func parse(_ text: String) -> PythonLiteral? {
        var parser = Parser(characters: Array(text))
        guard let value = parser.value(depth: 0) else { return nil }
        parser.skipSpace()
        return parser.index == parser.characters.count ? value : nil
    }

    private struct Parser {
        let characters: [Character]
        var index = 0

        mutating func skipSpace() {
            while index < characters.count, characters[index].isWhitespace { index += 1 }
        }

        mutating func value(depth: Int) -> PythonLiteral? {
            guard depth < 32 else { return nil }
            skipSpace()
            guard index < characters.count else { return nil }
            switch characters[index] {
            case "'", "\"": return string().map { .string($0) }
            case "(": return sequence(closing: ")", depth: depth)
            case "[": return sequence(closing: "]", depth: depth)
            case "{": return dictionary(depth: depth)
            default: return word()
            }
        }

        mutating func string() -> String? {
            let quote = characters[index]
            index += 1
            var result = ""
            while index < characters.count, characters[index] != quote {
                if characters[index] == "\\" { return nil }
                result.append(characters[index])
                index += 1
            }
            guard index < characters.count else { return nil }
            index += 1
            return result
        }

        /// Items separated by commas, a trailing comma allowed: `(60000, 784)`, `(10,)`, `()`.
        mutating func items(closing: Character, depth: Int, item: (inout Parser) -> Bool) -> Bool {
            index += 1
            while true {
                skipSpace()
                guard index < characters.count else { return false }
                if characters[index] == closing {
                    index += 1
                    return true
                }
                guard item(&self) else { return false }
                skipSpace()
                guard index < characters.count else { return false }
                if characters[index] == "," {
                    index += 1
                } else if characters[index] != closing {
                    return false
                }
            }
        }

        mutating func sequence(closing: Character, depth: Int) -> PythonLiteral? {
            var values: [PythonLiteral] = []
            let closed = items(closing: closing, depth: depth) { parser in
                guard let value = parser.value(depth: depth + 1) else { return false }
                values.append(value)
                return true
            }
            return closed ? .sequence(values) : nil
        }

        mutating func dictionary(depth: Int) -> PythonLiteral? {
            var entries: [String: PythonLiteral] = [:]
            let closed = items(closing: "}", depth: depth) { parser in
                guard case .string(let key)? = parser.value(depth: depth + 1) else { return false }
                parser.skipSpace()
                guard parser.index < parser.characters.count, parser.characters[parser.index] == ":" else {
                    return false
                }
                parser.index += 1
                guard let value = parser.value(depth: depth + 1) else { return false }
                entries[key] = value
                return true
            }
            return closed ? .dictionary(entries) : nil
        }

        mutating func word() -> PythonLiteral? {
            let start = index
            while index < characters.count, characters[index].isLetter || characters[index].isNumber
                || characters[index] == "-" || characters[index] == "_"
            {
                index += 1
            }
            let text = String(characters[start..<index])
            switch text {
            case "True": return .boolean(true)
            case "False": return .boolean(false)
            case "None": return PythonLiteral.none
            default:
                var digits = Substring(text)
                if digits.last == "L" { digits = digits.dropLast() }  // Python 2's long integers
                return Int(digits).map { .integer($0) }
            }
        }
    }
}
