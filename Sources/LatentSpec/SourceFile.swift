import Foundation

/// The text of one spec file, kept for diagnostics (source lines under each message).
public struct SourceFile: Sendable {
    /// The path as the user gave it; diagnostics print it unchanged.
    public let path: String
    /// The raw bytes; YAML parsing works on these, so invalid UTF-8 is reported, not lost.
    public let bytes: [UInt8]
    /// The text, with invalid UTF-8 replaced, split into lines (without terminators).
    public let lines: [Substring]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
        let text = String(decoding: bytes, as: UTF8.self)
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? $0.dropLast() : $0
        }
    }

    public init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }

    /// Reads a file from disk.
    public static func read(path: String) throws -> SourceFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SourceFileError.unreadable(path: path)
        }
        return SourceFile(path: path, bytes: Array(data))
    }

    /// The text of a 1-based line, or nil past the end of the file.
    public func line(_ number: Int) -> Substring? {
        lines.indices.contains(number - 1) ? lines[number - 1] : nil
    }

    /// The location of a byte offset (as libyaml reports for reader errors).
    public func location(ofByteOffset offset: Int) -> SourceLocation {
        var line = 1
        var lineStart = 0
        for index in 0..<min(offset, bytes.count) where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        let prefix = bytes[lineStart..<min(offset, bytes.count)]
        let column = String(decoding: prefix, as: UTF8.self).unicodeScalars.count + 1
        return SourceLocation(line: line, column: column)
    }
}

/// A spec file that could not be read.
public enum SourceFileError: Error, CustomStringConvertible {
    case unreadable(path: String)

    public var description: String {
        switch self {
        case .unreadable(let path):
            let exists = FileManager.default.fileExists(atPath: path)
            return exists ? "\(path): cannot read the file" : "\(path): no such file"
        }
    }
}
