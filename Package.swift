// swift-tools-version:6.0
import Foundation
import PackageDescription

/// -O even in debug builds, for the targets training runs through.
let optimized: [SwiftSetting] = [.unsafeFlags(["-O"])]

let package = Package(
    name: "Latent",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "latent", targets: ["LatentCLI"]),
        .library(name: "Latent", targets: ["Latent"]),
        .library(name: "LatentSpec", targets: ["LatentSpec"]),
        .library(name: "LatentIR", targets: ["LatentIR"]),
        .library(name: "LatentCompiler", targets: ["LatentCompiler"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // What a data set is (value ranges, binarisation, file formats, synthetic sets) and the
        // size limits every reader enforces: shared by the spec language and the runtime.
        .target(name: "LatentData"),
        // Front end: YAML text -> Spec (every node with its source location), diagnostics.
        .target(name: "LatentSpec", dependencies: ["LatentData", .product(name: "Yams", package: "Yams")]),
        // The tape IR: programs, phases, instructions, autodiff, passes, printers, reference interpreter.
        // Optimised in every configuration, like the runtime: the training tests run them for
        // thousands of steps.
        .target(name: "LatentIR", swiftSettings: optimized),
        // Dense float32 kernels, optimised for the host CPU in every configuration (the package
        // builds from source, like -march=native C code), so tests run them at speed too.
        .target(
            name: "LatentKernels", dependencies: ["LatentIR"],
            swiftSettings: [.unsafeFlags(["-Ounchecked", "-target-cpu", "native", "-Xcc", "-march=native"])]),
        // The system's zlib, for gzipped data sets.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // The executor: planned phases bound to buffers and kernels; data; training.
        .target(
            name: "LatentRuntime", dependencies: ["LatentIR", "LatentData", "LatentKernels", "CZlib"],
            swiftSettings: optimized),
        // Open MPI (Debian's libopenmpi-dev), for data-parallel runs under mpirun.
        .systemLibrary(
            name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        .target(name: "LatentMPI", dependencies: ["CMPI", "LatentRuntime"]),
        // Pictures: PNG encoding (system zlib), image grids, scatter and line plots with a bitmap font.
        .target(name: "LatentPictures", dependencies: ["CZlib"]),
        // Spec -> CheckedModel (names resolved, shapes inferred, objective rules) -> Program.
        .target(name: "LatentCompiler", dependencies: ["LatentSpec", "LatentData", "LatentIR"]),
        // What other tools read: TensorBoard event files and ONNX models (protobuf code generated
        // from Protos/ by `make protos` and committed).
        .target(
            name: "LatentInterop",
            dependencies: ["LatentIR", "LatentRuntime", .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        // The library a program uses Latent through: compile a spec, train (with callbacks),
        // checkpoint and resume, open a run, sample, encode, reconstruct, evaluate, export.
        .target(
            name: "Latent",
            dependencies: [
                "LatentSpec", "LatentData", "LatentCompiler", "LatentIR", "LatentKernels", "LatentRuntime",
                "LatentPictures", "LatentInterop",
            ]),
        // The `latent` command-line tool: options, printing and MPI over the library.
        .executableTarget(
            name: "LatentCLI",
            dependencies: [
                "Latent", "LatentSpec", "LatentData", "LatentCompiler", "LatentIR", "LatentRuntime", "LatentPictures",
                "LatentMPI", "LatentKernels", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // The getting-started program: trains, samples and evaluates through the library.
        .executableTarget(name: "latent-example", dependencies: ["Latent", "LatentRuntime"], path: "Examples/TrainAndSample"),
        // Golden files (re-recorded with LATENT_RECORD=1) and repository paths, for every test target.
        .target(name: "LatentTestSupport", dependencies: ["LatentIR"], path: "Tests/LatentTestSupport"),
        .testTarget(
            name: "LatentSpecTests",
            dependencies: ["LatentSpec", "LatentTestSupport", .product(name: "Yams", package: "Yams")]),
        .testTarget(
            name: "LatentRuntimeTests",
            dependencies: [
                "LatentRuntime", "LatentKernels", "LatentIR", "LatentCompiler", "LatentSpec", "LatentData",
                "LatentTestSupport",
            ]),
        .testTarget(name: "LatentIRTests", dependencies: ["LatentIR", "LatentTestSupport"]),
        .testTarget(
            name: "LatentCompilerTests", dependencies: ["LatentCompiler", "LatentSpec", "LatentTestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "LatentCLITests",
            dependencies: ["LatentCLI", "latent-example", "Latent", "LatentTestSupport", "LatentRuntime", "LatentCompiler", "LatentKernels"]),
        .testTarget(name: "LatentLibraryTests", dependencies: ["Latent", "LatentRuntime", "LatentTestSupport"]),
        .testTarget(name: "LatentInteropTests", dependencies: ["LatentInterop", "LatentTestSupport"]),
        .testTarget(name: "LatentPicturesTests", dependencies: ["LatentPictures", "LatentTestSupport"]),
    ]
)

// libFuzzer harnesses, built only for `make fuzz` (LATENT_FUZZ=1, with -sanitize=fuzzer,address):
// libFuzzer supplies their main function.
if ProcessInfo.processInfo.environment["LATENT_FUZZ"] != nil {
    package.targets.append(
        .executableTarget(
            name: "latent-fuzz", dependencies: ["LatentSpec", "LatentCompiler", "LatentRuntime"],
            path: "Fuzz/latent-fuzz", swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
}
