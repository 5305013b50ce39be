import Foundation
import LatentCompiler
import LatentSpec

/// Finds, reads and compiles spec files.
public enum SpecFiles {
    /// Specs larger than this are refused (the largest example is a few KB).
    public static let maximumBytes = 10 << 20

    /// Files as given, with directories expanded to the `.yaml`/`.yml` files in them (sorted);
    /// a directory without any is a usage error.
    public static func expand(_ paths: [String]) -> Result<[String], SpecFileError> {
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
    public static func read(_ path: String) -> Result<SourceFile, SpecFileError> {
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
    /// Whether diagnostics in errors carry terminal colours (a command line sets it when
    /// standard error is a terminal).
    nonisolated(unsafe) public static var colorsDiagnostics = false

    /// Reads and compiles a spec through every stage; an unreadable file is a usage error,
    /// a spec with errors a spec error whose message is its diagnostics.
    public static func compile(_ path: String) throws -> Pipeline {
        let file: SourceFile
        switch read(path) {
        case .success(let read): file = read
        case .failure(let error):
            throw LatentError.usage("\(error)")
        }
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let (pipeline, diagnostics) = Pipeline.compile(file, name: name)
        guard let pipeline else {
            throw LatentError.spec(DiagnosticRenderer.text(diagnostics.sorted, in: file, color: colorsDiagnostics))
        }
        return pipeline
    }
}

/// A spec file that could not be read: a usage error.
public struct SpecFileError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

