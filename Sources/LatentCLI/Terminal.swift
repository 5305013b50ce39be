import Foundation

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
