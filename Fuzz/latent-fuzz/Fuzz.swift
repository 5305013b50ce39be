import Foundation
import LatentCompiler
import LatentRuntime
import LatentSpec

/// libFuzzer harnesses for everything Latent reads from outside: the spec front end (YAML
/// through the whole compiler), the expression parser, and the NPY, IDX (gzipped or not),
/// CSV and safetensors readers. `LATENT_FUZZ_TARGET` picks the harness; `make fuzz` runs
/// each with its seed corpus from `Fuzz/corpus/TARGET`. An input that makes a harness trap
/// is a bug: every reader must answer bad bytes with an error value.
enum Harness: String, CaseIterable {
    case spec, expression, npy, idx, csv, safetensors

    static let selected: Harness = {
        let name = ProcessInfo.processInfo.environment["LATENT_FUZZ_TARGET"] ?? ""
        guard let harness = Harness(rawValue: name) else {
            FileHandle.standardError.write(
                Data("set LATENT_FUZZ_TARGET to one of: \(allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
            exit(2)
        }
        return harness
    }()

    func run(_ bytes: [UInt8]) {
        let data = Data(bytes)
        switch self {
        case .spec:
            let file = SourceFile(path: "fuzz.yaml", bytes: bytes)
            if let pipeline = Pipeline.compile(file, name: "fuzz").pipeline {
                _ = ResolvedSpecPrinter.print(pipeline.model.spec)
                _ = pipeline.inference()
            }
        case .expression:
            let scalar = YAMLScalar(
                text: String(decoding: bytes, as: UTF8.self), style: .plain, location: SourceLocation(line: 1, column: 1))
            _ = try? ExpressionParser.expression(scalar)
            _ = try? ExpressionParser.statement(scalar)
            _ = try? ExpressionParser.layer(scalar)
        case .npy: _ = try? NPY.parse(bytes, path: "fuzz.npy")
        case .idx: _ = try? IDX.parse(data, path: "fuzz.idx")
        case .csv: _ = try? CSV.parse(data, path: "fuzz.csv")
        case .safetensors: _ = try? Safetensors.parse(data, path: "fuzz.safetensors")
        }
    }
}

/// One input, as libFuzzer hands it over.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    Harness.selected.run(bytes)
    return 0
}

/// libFuzzer's driver, which parses its flags and runs the inputs.
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM names an executable's entry point after its target; it hands over to libFuzzer.
@_cdecl("latent_fuzz_main")
func fuzzMain(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments) { fuzzOne($0, $1) }
}
