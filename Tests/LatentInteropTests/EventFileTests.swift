import Foundation
import XCTest

@testable import LatentInterop

final class EventFileTests: XCTestCase {
    /// CRC-32C check values (RFC 3720, B.4) and TensorFlow's masking.
    func testCRC32CMatchesPublishedValues() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum(Array(0..<32)), 0x46DD_794E)
        let crc = CRC32C.checksum(Array("123456789".utf8))
        XCTAssertEqual(CRC32C.masked(Array("123456789".utf8)), ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8)
    }

    /// Every record of a file reads back: length, both checksums, and the events in order.
    func testRecordsFrameEventsWithCheckedLengths() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("events-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = try EventFile(directory: folder, resumingAt: 41)
        try file.add(scalars: [("loss/elbo", 256.25), ("samples_per_s", 1e4)], step: 42)
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: file.path))
        var events: [Tensorboard_Event] = []
        var offset = 0
        func integer<T: FixedWidthInteger>(_ type: T.Type, at start: Int) -> T {
            bytes[start..<(start + MemoryLayout<T>.size)].reversed().reduce(T(0)) { $0 << 8 | T($1) }
        }
        while offset < bytes.count {
            let length = Int(integer(UInt64.self, at: offset))
            XCTAssertEqual(integer(UInt32.self, at: offset + 8), CRC32C.masked(bytes[offset..<(offset + 8)]))
            let data = bytes[(offset + 12)..<(offset + 12 + length)]
            XCTAssertEqual(integer(UInt32.self, at: offset + 12 + length), CRC32C.masked(data))
            events.append(try Tensorboard_Event(serializedBytes: Data(data)))
            offset += 16 + length
        }
        XCTAssertEqual(offset, bytes.count)
        XCTAssertEqual(events.map(\.step), [0, 41, 42])
        XCTAssertEqual(events[0].fileVersion, "brain.Event:2")
        XCTAssertEqual(events[1].sessionLog.status, .start)
        XCTAssertEqual(events[2].summary.value.map(\.tag), ["loss/elbo", "samples_per_s"])
        XCTAssertEqual(events[2].summary.value.map(\.simpleValue), [256.25, 1e4])
    }
}
