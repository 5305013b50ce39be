import ArgumentParser
import Foundation
import LatentCompiler
import LatentSpec

/// Finds and reads the spec files named on the command line.
enum SpecFiles {
    /// Specs larger than this are refused (the largest example is a few KB).
    static let maximumBytes = 10 << 20

    /// Files as given, with directories expanded to the `.yaml`/`.yml` files in them (sorted);
    /// a directory without any is a usage error.
    static func expand(_ paths: [String]) -> Result<[String], SpecFileError> {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                files.append(path)
                continue
            }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            let specs = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
            guard !specs.isEmpty else {
                return .failure(SpecFileError(message: "\(path): no .yaml or .yml files in this folder"))
            }
            let base = path.hasSuffix("/") ? path : path + "/"
            files += specs.map { base + $0 }
        }
        return .success(files)
    }

    /// Reads one spec, or explains why it cannot be read.
    static func read(_ path: String) -> Result<SourceFile, SpecFileError> {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if let size = attributes?[.size] as? Int, size > maximumBytes {
            return .failure(
                SpecFileError(
                    message: "\(path): the file is \(size >> 20) MB; a spec is at most \(maximumBytes >> 20) MB"))
        }
        do {
            return .success(try SourceFile.read(path: path))
        } catch {
            return .failure(SpecFileError(message: "\(error)"))
        }
    }
}

extension SpecFiles {
    /// Reads and compiles a spec through every stage; an unreadable file exits with 2, a
    /// spec with errors prints its diagnostics and exits with 1.
    static func compile(_ path: String) throws -> Pipeline {
        let file: SourceFile
        switch read(path) {
        case .success(let read): file = read
        case .failure(let error):
            throw CommandFailure.usage("\(error)")
        }
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let (pipeline, diagnostics) = Pipeline.compile(file, name: name)
        guard let pipeline else {
            throw CommandFailure.spec(DiagnosticRenderer.text(diagnostics.sorted, in: file, color: Terminal.errorSupportsColor))
        }
        return pipeline
    }
}

/// A spec file that could not be read: a usage error.
struct SpecFileError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Writes to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

/// Whether output goes to a terminal that wants colours (not when piped, nor with NO_COLOR set).
enum Terminal {
    static var supportsColor: Bool { wantsColor(fileDescriptor: STDOUT_FILENO) }
    static var errorSupportsColor: Bool { wantsColor(fileDescriptor: STDERR_FILENO) }

    private static func wantsColor(fileDescriptor: Int32) -> Bool {
        let environment = ProcessInfo.processInfo.environment
        return isatty(fileDescriptor) == 1 && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    }
}
