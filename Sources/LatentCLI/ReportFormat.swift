import ArgumentParser

/// How a command that reports prints: text for people, or JSON on standard output for
/// scripts (`--format json`, the same option on every such command: check, eval, bench,
/// export). Files are written only by options named after their kind (--png, --npy,
/// --svg, --dot, --onnx, --out for a run directory).
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
