import Foundation
import LatentData

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
        return try parse(data, path: path)
    }

    /// The dimensions and bytes of an IDX file's contents. The header (known after a few
    /// bytes) fixes how many bytes may follow: a gzip stream is inflated no further, and a
    /// size too large to hold in memory is refused before anything is allocated for it.
    package static func parse(_ data: Data, path: String) throws(Failure) -> (dimensions: [Int], bytes: [UInt8]) {
        func inflate(_ limit: Int) throws(Failure) -> [UInt8] {
            do { return try Gzip.decompress(data, limit: limit) } catch {
                throw Failure(description: "\(path): \(error)")
            }
        }
        let head = try inflate(4 + 4 * 255)
        guard head.count >= 4, head[0] == 0, head[1] == 0, head[2] == 0x08 else {
            throw Failure(
                description: "\(path): not an IDX file of unsigned bytes (magic \(head.prefix(4).map { String($0) }))")
        }
        let rank = Int(head[3])
        let headerSize = 4 + 4 * rank
        guard rank >= 1, head.count >= headerSize else { throw Failure(description: "\(path): truncated IDX header") }
        let dimensions = (0..<rank).map { axis in
            head[(4 + 4 * axis)..<(8 + 4 * axis)].reduce(0) { $0 << 8 | Int($1) }
        }
        guard let count = Sizes.product(dimensions), let total = Sizes.sum([headerSize, count]) else {
            throw Failure(description: "\(path): the header's dimensions \(dimensions) describe more bytes than can be counted")
        }
        do {
            try MemoryBudget.require([("the data of \(path)", count)], for: "reading \(path)")
        } catch { throw Failure(description: "\(error)") }
        let raw = try inflate(total + 1)
        guard raw.count == total else {
            throw Failure(
                description:
                    "\(path): the header promises \(count) values (\(dimensions.map(String.init).joined(separator: " x "))), the file holds \(raw.count > total ? "more" : String(raw.count - headerSize))"
            )
        }
        return (dimensions, Array(raw[headerSize...]))
    }
}

extension Dataset {
    /// Where Debian's dataset-fashion-mnist package puts the files.
    public static let fashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"

    /// Fashion-MNIST's training (or test) images and labels, kept as bytes.
    public static func fashionMNIST(
        directory: String = fashionMNISTDirectory, test: Bool = false, range: ClosedInterval
    ) throws(DataFiles.Failure) -> Dataset {
        let prefix = test ? "t10k" : "train"
        let images = "\(directory)/\(prefix)-images-idx3-ubyte.gz"
        guard FileManager.default.fileExists(atPath: images) else {
            throw DataFiles.Failure(
                description:
                    "Fashion-MNIST is not installed (no \(images)); install it with 'apt-get install dataset-fashion-mnist' (make deps does)"
            )
        }
        return try DataFiles.load(
            .idx, path: images, labels: "\(directory)/\(prefix)-labels-idx1-ubyte.gz", range: range)
    }
}
