import Foundation
import LatentSpec

/// Reads IDX files (the MNIST format: a magic number, dimensions, then unsigned bytes),
/// gzipped or not.
public enum IDX {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The dimensions and the bytes of an IDX file of unsigned bytes.
    public static func read(path: String) throws(Failure) -> (dimensions: [Int], bytes: [UInt8]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "\(path): cannot read the file")
        }
        let raw: [UInt8]
        do { raw = try Gzip.decompress(data) } catch { throw Failure(description: "\(path): \(error)") }
        guard raw.count >= 4, raw[0] == 0, raw[1] == 0, raw[2] == 0x08 else {
            throw Failure(
                description: "\(path): not an IDX file of unsigned bytes (magic \(raw.prefix(4).map { String($0) }))")
        }
        let rank = Int(raw[3])
        guard rank >= 1, raw.count >= 4 + 4 * rank else { throw Failure(description: "\(path): truncated IDX header") }
        let dimensions = (0..<rank).map { axis in
            raw[(4 + 4 * axis)..<(8 + 4 * axis)].reduce(0) { $0 << 8 | Int($1) }
        }
        let count = dimensions.reduce(1, *)
        guard raw.count - (4 + 4 * rank) == count else {
            throw Failure(
                description: "\(path): the header promises \(count) values, the file holds \(raw.count - 4 - 4 * rank)")
        }
        return (dimensions, Array(raw[(4 + 4 * rank)...]))
    }
}

extension Dataset {
    /// Where Debian's dataset-fashion-mnist package puts the files.
    public static let fashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"

    /// Fashion-MNIST's training (or test) images and labels, kept as bytes.
    public static func fashionMNIST(
        directory: String = fashionMNISTDirectory, test: Bool = false, range: ClosedInterval
    ) throws(IDX.Failure) -> Dataset {
        let prefix = test ? "t10k" : "train"
        let images = "\(directory)/\(prefix)-images-idx3-ubyte.gz"
        guard FileManager.default.fileExists(atPath: images) else {
            throw IDX.Failure(
                description:
                    "Fashion-MNIST is not installed (no \(images)); install it with 'apt-get install dataset-fashion-mnist' (make deps does)"
            )
        }
        let (dimensions, bytes) = try IDX.read(path: images)
        let (_, labels) = try IDX.read(path: "\(directory)/\(prefix)-labels-idx1-ubyte.gz")
        let width = dimensions.dropFirst().reduce(1, *)
        return Dataset(
            storage: .bytes(bytes, range: range), width: width, count: dimensions[0],
            labels: labels.map(Int.init), classes: 10)
    }
}
