// swift-tools-version:6.0
//
// rtrl — Real-Time Recurrent Learning (Williams & Zipser, 1989) as a library.
//
// Layers of the package, from the bottom up:
//   RTRL          the engine: the model and its exact online gradient (math only)
//   RTRLCAPI      the C ABI of librtrl.so (include/rtrl.h): validation, handles, status codes
//   RTRLStream    the ZeroMQ stream adapter: wire format, I/O and routing
//   rtrl-stream   the adapter as a command-line program
//   rtrl-bench    benchmarks (`make bench`)

import PackageDescription
import Foundation

/// Absolute path of the package root, for linker flags that name files in the tree.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path

let package = Package(
    name: "rtrl",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "RTRL", targets: ["RTRL"]),
        .library(name: "rtrl", type: .dynamic, targets: ["RTRLCAPI"]),
        .library(name: "RTRLStream", targets: ["RTRLStream"]),
        .executable(name: "rtrl-stream", targets: ["rtrl-stream"]),
        .executable(name: "rtrl-bench", targets: ["rtrl-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // System libraries.
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),

        // The engine's small dense kernels (C, one clone per instruction set).
        .target(
            name: "RTRLKernels",
            cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"])]
        ),

        // The engine: no I/O, no C types.
        .target(
            name: "RTRL",
            dependencies: ["COpenBLAS", "RTRLKernels"]
        ),

        // The C types of include/rtrl.h, imported into Swift (the header is the single source).
        .systemLibrary(name: "CRTRL", path: "Sources/CRTRL"),

        // The stream adapter: wire format, sockets, routing (no math).
        .target(
            name: "RTRLStream",
            dependencies: ["RTRL", "CZeroMQ"]
        ),

        // The C ABI: librtrl.so.
        .target(
            name: "RTRLCAPI",
            dependencies: ["RTRL", "RTRLStream", "CRTRL"],
            exclude: ["rtrl.map"],
            linkerSettings: [
                .unsafeFlags([
                    "-Xlinker", "--version-script=\(packageRoot)/Sources/RTRLCAPI/rtrl.map",
                    "-Xlinker", "-soname=librtrl.so.0",
                    // Never unloaded (dlclose is a no-op): the engine kernel's worker threads
                    // and the Swift runtime inside must not outlive their code.
                    "-Xlinker", "-z", "-Xlinker", "nodelete",
                ], .when(platforms: [.linux])),
                // lld: unlike gold, it leaves no version-script-local symbols in .dynsym.
                .unsafeFlags(["-use-ld=lld"], .when(platforms: [.linux])),
            ]
        ),

        .executableTarget(
            name: "rtrl-stream",
            dependencies: [
                "RTRLStream", "RTRL",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "rtrl-bench",
            dependencies: ["RTRL", "COpenBLAS", "RTRLKernels"]
        ),

        // Prints the engine's trajectory for a scenario file: the reference the C tests
        // compare the C ABI against, bit for bit (Tests/c/reference).
        .executableTarget(
            name: "rtrl-capi-reference",
            dependencies: ["RTRL"],
            path: "Tests/c/reference"
        ),

        .testTarget(name: "RTRLTests", dependencies: ["RTRL", "RTRLKernels"]),
        .testTarget(name: "RTRLStreamTests", dependencies: ["RTRLStream", "RTRL"]),
    ]
)
