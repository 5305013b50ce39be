import CZlib
import Foundation

/// PNG encoding of 8-bit grey or RGB images, compressed with the system's zlib.
public enum PNG {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The PNG file of `image` (every row filtered with "none", one IDAT chunk).
    public static func encode(_ image: Image) -> [UInt8] {
        let channels = image.channels
        var raw = [UInt8]()
        raw.reserveCapacity(image.height * (image.width * channels + 1))
        for y in 0..<image.height {
            raw.append(0)
            raw += image.pixels[(y * image.width * channels)..<((y + 1) * image.width * channels)]
        }
        var header = [UInt8]()
        header += bigEndian(UInt32(image.width)) + bigEndian(UInt32(image.height))
        header += [8, channels == 1 ? 0 : 2, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header)
            + chunk("IDAT", compress(raw)) + chunk("IEND", [])
    }

    /// Writes `image` to `path` atomically.
    public static func write(_ image: Image, to path: String) throws(Failure) {
        do { try Data(encode(image)).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw Failure(description: "cannot write \(path): \(error.localizedDescription)")
        }
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        let crc = typed.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
        return bigEndian(UInt32(data.count)) + typed + bigEndian(crc)
    }

    static func compress(_ bytes: [UInt8]) -> [UInt8] {
        var length = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(length))
        let status = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { compress2(out.baseAddress, &length, $0.baseAddress, uLong($0.count), 9) }
        }
        precondition(status == Z_OK, "zlib compress2 cannot fail with a buffer of compressBound bytes")
        return Array(output.prefix(Int(length)))
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}

/// An 8-bit image, row after row: grey (1 channel) or RGB (3).
public struct Image: Sendable {
    public let width: Int
    public let height: Int
    public let channels: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, fill: UInt8 = 255) {
        self.width = width
        self.height = height
        self.channels = channels
        pixels = Array(repeating: fill, count: width * height * channels)
    }

    /// Sets a pixel (ignored outside the image); grey images take the colour's mean.
    public mutating func set(_ x: Int, _ y: Int, _ color: Color) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let offset = (y * width + x) * channels
        if channels == 1 {
            pixels[offset] = UInt8((Int(color.red) + Int(color.green) + Int(color.blue)) / 3)
        } else {
            pixels[offset] = color.red
            pixels[offset + 1] = color.green
            pixels[offset + 2] = color.blue
        }
    }
}

/// An RGB colour.
public struct Color: Sendable, Equatable {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    public static let black = Color(0, 0, 0)
    public static let white = Color(255, 255, 255)
    public static let grey = Color(150, 150, 150)
    public static let light = Color(225, 225, 225)
    /// Ten distinguishable colours (Tableau 10), for classes and phases.
    public static let palette = [
        Color(31, 119, 180), Color(255, 127, 14), Color(44, 160, 44), Color(214, 39, 40), Color(148, 103, 189),
        Color(140, 86, 75), Color(227, 119, 194), Color(127, 127, 127), Color(188, 189, 34), Color(23, 190, 207),
    ]
}
