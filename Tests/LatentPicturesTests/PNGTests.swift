import Foundation
import LatentPictures
import LatentTestSupport
import XCTest

/// PNG files are valid: signature, IHDR fields, chunk CRCs, and pixels that decode back
/// exactly through Python's zlib.
final class PNGTests: XCTestCase {
    func testSignatureHeaderAndCRCs() throws {
        var image = Image(width: 3, height: 2, channels: 3, fill: 0)
        image.set(1, 0, Color(10, 20, 30))
        let bytes = PNG.encode(image)
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var offset = 8
        var types: [String] = []
        while offset < bytes.count {
            let length = bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let body = Array(bytes[(offset + 4)..<(offset + 8 + length)])
            let stored = bytes[(offset + 8 + length)..<(offset + 12 + length)].reduce(UInt32(0)) {
                $0 << 8 | UInt32($1)
            }
            XCTAssertEqual(stored, crc(body), "CRC of \(type)")
            if type == "IHDR" {
                XCTAssertEqual(Array(body[4..<12]), [0, 0, 0, 3, 0, 0, 0, 2])  // width, height
                XCTAssertEqual(Array(body[12..<17]), [8, 2, 0, 0, 0])  // 8-bit RGB
            }
            types.append(type)
            offset += 12 + length
        }
        XCTAssertEqual(types, ["IHDR", "IDAT", "IEND"])
    }

    /// A bitwise CRC-32 (the PNG specification's), independent of zlib's.
    func crc(_ bytes: [UInt8]) -> UInt32 {
        var value: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            value ^= UInt32(byte)
            for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        }
        return ~value
    }

    func testPixelsRoundTripThroughPythonZlib() throws {
        let images = (0..<6).map { k in (0..<(7 * 5)).map { Float(($0 + k) % 11) / 10 } }
        let grid = Plots.grid(images, width: 5, height: 7, columns: 3, scale: 1)
        let path = try temporaryFile("grid.png", PNG.encode(grid))
        let script = """
            import sys, zlib, struct
            data = open(sys.argv[1], 'rb').read()
            pos, idat, header = 8, b'', None
            while pos < len(data):
                n = struct.unpack('>I', data[pos:pos + 4])[0]
                kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
                if kind == b'IHDR': header = struct.unpack('>IIBBBBB', body)
                if kind == b'IDAT': idat += body
                pos += 12 + n
            width, height, depth, colour = header[:4]
            raw = zlib.decompress(idat)
            rows = [raw[r * (width + 1) + 1:(r + 1) * (width + 1)] for r in range(height)]
            print(width, height, depth, colour, sum(sum(row) for row in rows))
            """
        let (status, output) = try Python.run(script, arguments: [path])
        XCTAssertEqual(status, 0, output)
        let expected = "\(grid.width) \(grid.height) 8 0 \(grid.pixels.reduce(0) { $0 + Int($1) })"
        XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), expected)
    }

    /// Text is drawn: every glyph the plots use has ink, and a plot is not blank.
    func testPlotsDrawTheirLabels() {
        var image = Image(width: 200, height: 20, channels: 1)
        image.draw("ELBO -256.8 STEP 1E+03", x: 1, y: 1)
        XCTAssertGreaterThan(image.pixels.filter { $0 == 0 }.count, 100)
        let plot = Plots.lines(x: [1, 2, 3], series: [("elbo", [3, 2, 1])])
        XCTAssertGreaterThan(Set(plot.pixels).count, 2)
    }
}
